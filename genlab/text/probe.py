"""Looking inside a language model: next-token distributions, generation, attention, memorisation.

Works with any ``LanguageModel`` (count bigram, neural bigram, GPT) from
``genlab.text.checkpoint``. The page caches the logits this module returns and re-runs only the
cheap sampling pipeline (``genlab.text.sampling``) when a control moves.
"""

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch

from genlab.errors import UserError
from genlab.text import sampling
from genlab.text.checkpoint import LanguageModel
from genlab.text.corpora import BUILTIN, load_corpus
from genlab.text.models import crop
from genlab.text.sampling import SamplingConfig
from genlab.text.tokenizers import UNK, VISIBLE, Tokenizer

ALTERNATIVES = 5
MAX_GENERATE = 500
TOKEN_OFFSET = 0x10000  # token id -> one code point above the BMP (no surrogates), for str search


@dataclass
class Prompt:
    """A prompt as the model reads it: the ids it could encode and the pieces it could not."""

    text: str
    ids: list[int]
    unknown: list[str]  # pieces the vocabulary does not know (dropped, or read as <unk>)
    as_unk: bool  # True when the vocabulary maps unknown pieces to <unk> instead of dropping them


def encode_known(tokenizer: Tokenizer, text: str) -> Prompt:
    """Encode ``text``, keeping what the vocabulary knows and reporting what it does not.

    A word vocabulary with ``<unk>`` reads unknown words as ``<unk>``; the others skip them.
    """
    unknown = tokenizer.unknown(text)
    if not unknown:
        return Prompt(text, tokenizer.encode(text), [], False)
    if UNK in tokenizer.tokens:
        return Prompt(text, tokenizer.encode(text), unknown, True)
    missing = set(unknown)
    ids = [i for p in tokenizer.pieces(text) if p not in missing for i in tokenizer.encode(p)]
    return Prompt(text, ids, unknown, False)


def read_prompt(lm: LanguageModel, text: str) -> Prompt:
    """The prompt for this model; a UserError when nothing in it is known to the vocabulary."""
    prompt = encode_known(lm.tokenizer, text)
    if not prompt.ids:
        key = "next.err_prompt_unknown" if prompt.unknown else "next.err_prompt_empty"
        distinct = list(dict.fromkeys(prompt.unknown))[:8]
        raise UserError(key, pieces=", ".join(repr(p) for p in distinct))
    return prompt


@torch.no_grad()
def next_logits(lm: LanguageModel, ids: list[int]) -> torch.Tensor:
    """The model's logits for the token after ``ids`` (only the last block_size ids are read)."""
    if not ids:
        raise UserError("next.err_prompt_empty", pieces="")
    idx = crop(torch.tensor([ids], dtype=torch.long), lm.config)
    return lm.model(idx)[0][0, -1].float()


def piece_text(tokenizer: Tokenizer, context: list[int], token: int) -> str:
    """How ``token`` reads when appended to ``context`` (spaces and joins included)."""
    tail = context[-8:]
    before, after = tokenizer.decode(tail), tokenizer.decode([*tail, token])
    return after[len(before) :] if after.startswith(before) else tokenizer.tokens[token]


def top_alternatives(
    tokens: list[str], probs: torch.Tensor, k: int = ALTERNATIVES
) -> list[tuple[str, float]]:
    values, ids = torch.topk(probs, min(k, probs.numel()))
    return [(tokens[i], float(p)) for i, p in zip(ids.tolist(), values.tolist(), strict=True)]


@dataclass
class Step:
    """One generated (or forced) token and what the model thought when it came."""

    id: int
    text: str
    prob: float  # probability in the distribution it was drawn from (the final one)
    raw_prob: float  # the model's own probability (temperature 1, no filter)
    alternatives: list[tuple[str, float]]  # the model's top tokens at that point
    forced: bool = False

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "prob": self.prob,
            "raw_prob": self.raw_prob,
            "alternatives": self.alternatives,
            "forced": self.forced,
        }


def choose(
    lm: LanguageModel,
    context: list[int],
    pipe: sampling.Pipeline,
    generator: torch.Generator | None = None,
    forced: int | None = None,
) -> Step:
    """Draw the next token from a pipeline's final distribution, or take the forced one."""
    token = int(sampling.sample(pipe.final, 1, generator)[0]) if forced is None else int(forced)
    if not 0 <= token < lm.tokenizer.vocab_size:
        raise UserError("next.err_token_range", token=token, size=lm.tokenizer.vocab_size)
    return Step(
        id=token,
        text=piece_text(lm.tokenizer, context, token),
        prob=float(pipe.final[token]),
        raw_prob=float(pipe.raw[token]),
        alternatives=top_alternatives(lm.tokenizer.tokens, pipe.raw),
        forced=forced is not None,
    )


def generate(
    lm: LanguageModel,
    context: list[int],
    config: SamplingConfig,
    n: int,
    generator: torch.Generator | None = None,
) -> Iterator[Step]:
    """Sample ``n`` tokens one at a time with the sampling settings, yielding each as it comes."""
    if not 1 <= n <= MAX_GENERATE:
        raise UserError("next.err_generate_count", n=n, high=MAX_GENERATE)
    config.validate()
    context = list(context)
    for _ in range(n):
        pipe = sampling.run(next_logits(lm, context), config, previous=context)
        step = choose(lm, context, pipe, generator)
        context.append(step.id)
        yield step


def continuations(
    lm: LanguageModel,
    context: list[int],
    config: SamplingConfig,
    temperatures: Sequence[float],
    n: int,
    seed: int = 0,
) -> list[list[Step]]:
    """``n`` tokens after ``context`` at each temperature, every column drawn with the same seed
    (the other settings unchanged): hallucination vs creativity side by side."""
    return [
        list(
            generate(
                lm,
                context,
                replace(config, temperature=float(temperature)),
                n,
                torch.Generator().manual_seed(seed),
            )
        )
        for temperature in temperatures
    ]


@functools.cache
def _byte_of_char() -> dict[str, int]:
    """The byte-level BPE alphabet (GPT-2's printable stand-ins) back to bytes."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars, extra = list(printable), 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars, strict=True)}


def readable(token: str, raw: str | None = None) -> str:
    """A token as a participant reads it: spaces, line breaks and tabs visible (" a" is "␣a"),
    and a byte-level piece that is not a whole character shown as its bytes (⟨C3⟩)."""
    if "\ufffd" in token and raw is not None:
        table = _byte_of_char()
        if all(c in table for c in raw):
            return "".join(f"⟨{table[c]:02X}⟩" for c in raw)
    return "".join(VISIBLE.get(c, c) for c in token) or "∅"


def readable_tokens(tokenizer: Tokenizer) -> list[str]:
    """Every token of the vocabulary made readable (see ``readable``)."""
    hf = getattr(tokenizer, "_hf", None)
    raws = [hf.id_to_token(i) for i in range(tokenizer.vocab_size)] if hf else None
    return [readable(tok, raws[i] if raws else None) for i, tok in enumerate(tokenizer.tokens)]


@torch.no_grad()
def attention_maps(lm: LanguageModel, ids: list[int], max_tokens: int = 24) -> list[np.ndarray]:
    """Attention weights of a GPT over the last ``max_tokens`` ids: per layer, [heads, T, T]."""
    if lm.config.model != "gpt":
        raise UserError("next.err_attention_gpt_only")
    idx = torch.tensor([ids[-min(max_tokens, lm.config.block_size) :]], dtype=torch.long)
    _, _, attention = lm.model(idx, return_attention=True)
    return [weights[0].numpy() for weights in attention]


def token_string(ids) -> str:
    """Token ids as a string of one code point each, so that Python's fast ``in`` finds runs."""
    return "".join(chr(TOKEN_OFFSET + int(i)) for i in ids)


# the fewest tokens a verbatim stretch needs to count as copied from the training text: a word or
# a few letters are in any text of the language, so they say nothing about memorisation
MIN_COPY = {"char": 12, "word": 4, "bpe": 6}


class CorpusIndex:
    """A training text read with a model's tokenizer: bigram counts and verbatim look-ups."""

    def __init__(self, tokenizer: Tokenizer, text: str):
        self.vocab_size = tokenizer.vocab_size
        self.min_copy = MIN_COPY[tokenizer.kind]
        ids = encode_known(tokenizer, text).ids
        self.ids = torch.tensor(ids, dtype=torch.long)
        self.string = token_string(ids)

    def bigram_probs(self, last: int) -> torch.Tensor:
        """Count bigram: how often each token followed ``last`` in the text, as probabilities.

        A token never seen before another one gets a uniform row (nothing was counted).
        """
        following = self.ids[1:][self.ids[:-1] == last]
        counts = torch.bincount(following, minlength=self.vocab_size).double()
        total = counts.sum()
        return counts / total if total > 0 else torch.full_like(counts, 1 / self.vocab_size)

    def count_after(self, last: int) -> int:
        return int((self.ids[:-1] == last).sum())

    def longest_copy(self, ids: list[int]) -> tuple[int, int]:
        """(start, end) of the longest run of ``ids`` found verbatim in the text; (0, 0) if none.

        Two pointers over ``ids``: each moves forward only, so about 2 x len(ids) searches.
        """
        needle = token_string(ids)
        best = (0, 0)
        start = 0
        for end in range(1, len(needle) + 1):
            while start < end and needle[start:end] not in self.string:
                start += 1
            if end - start > best[1] - best[0]:
                best = (start, end)
        return best

    def copied(self, ids: list[int]) -> tuple[int, int] | None:
        """The longest stretch of ``ids`` found verbatim in the text, when it is long enough to
        count as a copy (``MIN_COPY`` tokens for the tokenizer's kind); else None."""
        start, end = self.longest_copy(ids)
        return (start, end) if end - start >= self.min_copy else None


def corpus_text(meta: dict, uploads: dict[str, str]) -> str | None:
    """The training text named in a model's meta: a built-in corpus, or an upload in memory."""
    name = str(meta.get("corpus", ""))
    if name in BUILTIN:
        return load_corpus(name)
    return uploads.get(name) or uploads.get(name.removeprefix("upload:"))


def same_vocabulary(
    models: dict[str, LanguageModel], lm: LanguageModel, kind: str
) -> tuple[str, LanguageModel] | None:
    """A model of ``kind`` that reads the same tokens as ``lm`` (``lm`` itself first), or None."""
    ranked = sorted(models.items(), key=lambda item: item[1] is not lm)
    for name, other in ranked:
        if other.config.model == kind and other.tokenizer.tokens == lm.tokenizer.tokens:
            return name, other
    return None
