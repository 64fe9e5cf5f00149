"""Tokenizers: characters, words (and punctuation), or BPE trained with the `tokenizers` library.

All three share one small interface: ``kind``, ``vocab_size``, ``tokens`` (id -> the text of the
token), ``encode``, ``decode``, ``unknown`` (the pieces a vocabulary does not know) and a JSON
form stored in checkpoints.
"""

import re
from collections import Counter

from tokenizers import Tokenizer as HFTokenizer
from tokenizers import decoders, models, pre_tokenizers, trainers

from genlab.errors import UserError

KINDS = ("char", "word", "bpe")
UNK = "<unk>"
BPE_MIN_VOCAB = 260
BPE_MAX_VOCAB = 16384
MAX_WORD = 64  # longer words are cut into pieces: one giant "word" must not become one token
BPE_CHUNK = 1000  # BPE reads lines in pieces of at most this many characters (a giant line hung it)
WORD_RE = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]|\n")
NO_SPACE_BEFORE = frozenset(".,;:!?)]}%…-\n”»")
NO_SPACE_AFTER = frozenset("([{-\n“«¿¡")
QUOTES = frozenset('"')  # the same mark opens and closes: no space inside either way
VISIBLE = {"\n": "⏎", " ": "␣", "\t": "⇥"}


def words(text: str) -> list[str]:
    """Split text into words, punctuation marks and line breaks (the word tokenizer's pieces);
    a word longer than ``MAX_WORD`` characters is cut into pieces of that length."""
    found = WORD_RE.findall(text)
    if all(len(w) <= MAX_WORD for w in found):
        return found
    return [w[i : i + MAX_WORD] for w in found for i in range(0, len(w), MAX_WORD)]


def chunks(text: str, size: int = BPE_CHUNK) -> list[str]:
    """The lines of ``text`` (with their line breaks), each cut into pieces of at most ``size``
    characters, before a space when there is one: what BPE learns from and encodes."""
    out = []
    for line in text.splitlines(keepends=True):
        while len(line) > size:
            cut = line.rfind(" ", 1, size)
            cut = cut if cut > 0 else size
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def join_words(pieces: list[str]) -> str:
    """Glue word pieces back into text: spaces between words, none before punctuation, none
    inside quotes (``He said "yes".``: a straight quote opens, the next one closes)."""
    out: list[str] = []
    open_quote = False  # the last straight quote written opened a quotation
    for piece in pieces:
        closing = piece in QUOTES and open_quote
        after_opening = bool(out) and out[-1] in QUOTES and open_quote
        no_space = piece in NO_SPACE_BEFORE or closing or after_opening
        if out and not no_space and out[-1] not in NO_SPACE_AFTER:
            out.append(" ")
        if piece in QUOTES:
            open_quote = not open_quote
        if piece == "\n":
            open_quote = False
        out.append(piece)
    return "".join(out)


def show(token: str) -> str:
    """A token as a participant should see it: blanks and line breaks made visible."""
    return "".join(VISIBLE.get(c, c) for c in token) if token.strip() == "" else token


class Tokenizer:
    """Turns text into token ids and back.

    ``kind`` is "char", "word" or "bpe". ``tokens[i]`` is the text of token ``i``. A word
    tokenizer built with a vocabulary limit maps words it does not know to ``<unk>``; the others
    refuse text they cannot encode with a ``UserError``.
    """

    def __init__(self, kind: str, tokens: list[str], hf: HFTokenizer | None = None):
        self.kind = kind
        self.tokens = tokens
        self.vocab_size = len(tokens)
        self._hf = hf
        self._ids = {tok: i for i, tok in enumerate(tokens)} if hf is None else {}
        self._unk = self._ids.get(UNK) if kind == "word" else None

    def pieces(self, text: str) -> list[str]:
        """The units this tokenizer's vocabulary is made of, in order (BPE: its tokens)."""
        if self.kind == "char":
            return list(text)
        if self.kind == "word":
            return words(text)
        return [self.tokens[i] for i in self.encode(text)]

    def unknown(self, text: str) -> list[str]:
        """Every piece of ``text`` the vocabulary does not know, in order (BPE knows all bytes)."""
        if self._hf is not None:
            return []
        return [p for p in self.pieces(text) if p not in self._ids]

    def encode(self, text: str) -> list[int]:
        if self._hf is not None:
            return [i for enc in self._hf.encode_batch(chunks(text)) for i in enc.ids]
        if self._unk is not None:
            return [self._ids.get(p, self._unk) for p in self.pieces(text)]
        missing = self.unknown(text)
        if missing:
            shown = ", ".join(repr(p) for p in sorted(set(missing))[:8])
            raise UserError("text.err_unknown_pieces", count=len(missing), pieces=shown)
        return [self._ids[p] for p in self.pieces(text)]

    def decode(self, ids) -> str:
        ids = [int(i) for i in ids]
        if self._hf is not None:
            return self._hf.decode(ids)
        pieces = [self.tokens[i] for i in ids]
        return join_words(pieces) if self.kind == "word" else "".join(pieces)

    def to_dict(self) -> dict:
        if self._hf is not None:
            return {"kind": self.kind, "hf": self._hf.to_str()}
        return {"kind": self.kind, "tokens": list(self.tokens)}

    @classmethod
    def from_dict(cls, d: dict) -> "Tokenizer":
        try:
            kind = d["kind"]
            if kind == "bpe":
                return _from_hf(HFTokenizer.from_str(d["hf"]))
            tokens = [str(t) for t in d["tokens"]]
        except Exception as exc:  # a malformed upload can fail in many ways; all are refused
            raise UserError("text.err_checkpoint_tokenizer", detail=type(exc).__name__) from exc
        if kind not in ("char", "word") or not tokens or len(set(tokens)) != len(tokens):
            raise UserError("text.err_checkpoint_tokenizer", detail=str(kind))
        return cls(kind, tokens)


def _from_hf(hf: HFTokenizer) -> Tokenizer:
    size = hf.get_vocab_size()
    tokens = [hf.decoder.decode([hf.id_to_token(i)]) for i in range(size)]
    return Tokenizer("bpe", tokens, hf)


def _bpe(text: str, vocab_size: int) -> Tokenizer:
    if not BPE_MIN_VOCAB <= vocab_size <= BPE_MAX_VOCAB:
        raise UserError(
            "text.err_bpe_vocab", low=BPE_MIN_VOCAB, high=BPE_MAX_VOCAB, size=vocab_size
        )
    hf = HFTokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    hf.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    hf.train_from_iterator(chunks(text), trainer)
    return _from_hf(hf)


def build_tokenizer(kind: str, text: str, vocab_size: int | None = None) -> Tokenizer:
    """Learn a vocabulary from ``text``.

    char: every distinct character, sorted. word: every distinct word, punctuation mark and line
    break, sorted; with ``vocab_size`` only the ``vocab_size - 1`` most frequent plus ``<unk>``.
    bpe: byte-level BPE with ``vocab_size`` tokens (default 512).
    """
    if kind not in KINDS:
        raise UserError("text.err_tokenizer_kind", kind=kind)
    if not text:
        raise UserError("text.err_empty_text")
    if kind == "bpe":
        return _bpe(text, vocab_size or 512)
    if kind == "char":
        return Tokenizer("char", sorted(set(text)))
    counts = Counter(words(text))
    if not counts:
        raise UserError("text.err_no_words")
    if vocab_size is None or vocab_size >= len(counts):
        return Tokenizer("word", sorted(counts))
    if vocab_size < 2:
        raise UserError("text.err_word_vocab", size=vocab_size)
    kept = [w for w, _ in counts.most_common(vocab_size - 1)]
    return Tokenizer("word", [UNK, *sorted(kept)])


def unknown_share(kind: str, train_text: str, val_text: str, vocab_size: int | None = None):
    """(share of validation pieces unknown to a vocabulary learnt on the training part, examples).

    Byte-level BPE can spell anything, so its share is always zero.
    """
    if kind == "bpe":
        return 0.0, []
    tok = build_tokenizer(kind, train_text, vocab_size)
    total = len(tok.pieces(val_text))
    missing = tok.unknown(val_text)
    examples = [w for w, _ in Counter(missing).most_common(10)]
    return (len(missing) / total if total else 0.0), examples


def frequencies(tok: Tokenizer, ids: list[int]) -> list[tuple[str, int]]:
    """(token, count) pairs for the ids of a text, most frequent first."""
    return [(tok.tokens[i], n) for i, n in Counter(ids).most_common()]
