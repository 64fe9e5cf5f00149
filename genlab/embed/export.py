"""Export: projected coordinates with their metadata as CSV/TSV, the vectors in the Embedding
Projector's TSV format, and reading coordinates back (the precomputed maps are such files)."""

import csv
import io
from pathlib import Path

import numpy as np

from genlab.errors import UserError

AXES = ("x", "y", "z")
FORMATS = {"csv": ",", "tsv": "\t"}


def _clean(text: str) -> str:
    """Tabs and line breaks inside a token would break a TSV row: show them as symbols."""
    return text.replace("\t", "⇥").replace("\n", "⏎").replace("\r", "␍")


def coords_table(source, coords: np.ndarray, fmt: str = "csv") -> str:
    """One row per token: token, kind, count (empty when unknown), then x, y (and z)."""
    if fmt not in FORMATS:
        raise UserError("embed.err_export_format", fmt=fmt)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=FORMATS[fmt], lineterminator="\n")
    dims = coords.shape[1]
    writer.writerow(["token", "kind", "count", *AXES[:dims]])
    counts = source.counts if source.counts is not None else [None] * len(source.tokens)
    for token, kind, count, row in zip(source.tokens, source.kinds, counts, coords, strict=True):
        cells = [_clean(token), kind, "" if count is None else int(count)]
        writer.writerow(cells + [f"{v:.5g}" for v in row])
    return out.getvalue()


def projector_tsv(source) -> tuple[str, str]:
    """(vectors.tsv, metadata.tsv) for projector.tensorflow.org's "Load" button."""
    vectors = "\n".join("\t".join(f"{v:.5g}" for v in row) for row in source.vectors) + "\n"
    meta = ["token\tkind\tcount"]
    counts = source.counts if source.counts is not None else [""] * len(source.tokens)
    meta += [
        f"{_clean(t)}\t{k}\t{c}"
        for t, k, c in zip(source.tokens, source.kinds, counts, strict=True)
    ]
    return vectors, "\n".join(meta) + "\n"


def read_coords(path: Path, rows: int, dims: int) -> np.ndarray:
    """The x, y (, z) columns of a file written by ``coords_table``, checked against the source."""
    text = Path(path).read_text("utf-8")
    delimiter = "\t" if text.split("\n", 1)[0].count("\t") else ","
    table = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header, body = table[0], table[1:]
    try:
        cols = [header.index(axis) for axis in AXES[:dims]]
        coords = np.array([[float(r[c]) for c in cols] for r in body], dtype=np.float32)
    except (ValueError, IndexError) as exc:
        raise UserError("embed.err_coords_file", detail=str(exc)) from exc
    if coords.shape != (rows, dims):
        raise UserError("embed.err_coords_file", detail=f"{coords.shape} != {(rows, dims)}")
    return coords
