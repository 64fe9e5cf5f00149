"""2-D distributions the generator learns: built-in shapes, a drawing, or an uploaded CSV.

Every dataset lives in roughly [-1, 1] x [-1, 1]. Training draws batches from a large pool of
samples (cheap indexing instead of sampling a formula every step).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch

from genlab.errors import UserError

POOL_SIZE = 65_536
MIN_POINTS = 10
MAX_POINTS = 100_000
MAX_CSV_BYTES = 5_000_000
MAX_HEADER_LINES = 100
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
EXTENT = 0.8  # user points are rescaled to fit [-EXTENT, EXTENT]
VIEW = (-1.25, 1.25)  # the plane shown on the page


def _ring(rng, n):
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = 0.7 + 0.06 * rng.standard_normal(n)
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)


def _line(rng, n):
    t = rng.uniform(-0.8, 0.8, n)
    return np.stack([t, 0.6 * t], 1) + 0.02 * rng.standard_normal((n, 2))


def _mixture(rng, n, centres, sd):
    centres = np.asarray(centres, dtype=float)
    pick = rng.integers(0, len(centres), n)
    return centres[pick] + sd * rng.standard_normal((n, 2))


def _two_gaussians(rng, n):
    return _mixture(rng, n, [(-0.45, -0.3), (0.45, 0.35)], 0.12)


def _three_regions(rng, n):
    corners = np.array([(-0.8, 0.3), (0.3, 0.3), (-0.25, -0.8)])
    pick = rng.integers(0, 3, n)
    return corners[pick] + rng.uniform(0, 0.5, (n, 2))


def _gaussians8(rng, n):
    angles = np.arange(8) * np.pi / 4
    return _mixture(rng, n, np.stack([0.75 * np.cos(angles), 0.75 * np.sin(angles)], 1), 0.05)


def _gaussians25(rng, n):
    ticks = np.linspace(-0.8, 0.8, 5)
    centres = np.stack(np.meshgrid(ticks, ticks), -1).reshape(-1, 2)
    return _mixture(rng, n, centres, 0.03)


def _spiral(rng, n):
    t = np.sqrt(rng.uniform(0.02, 1, n))
    angle = 3.5 * np.pi * t
    pts = np.stack([0.8 * t * np.cos(angle), 0.8 * t * np.sin(angle)], 1)
    return pts + 0.025 * rng.standard_normal((n, 2))


BUILTIN = {
    "ring": _ring,
    "line": _line,
    "two_gaussians": _two_gaussians,
    "three_regions": _three_regions,
    "gaussians8": _gaussians8,
    "gaussians25": _gaussians25,
    "spiral": _spiral,
}


@dataclass(frozen=True)
class Dataset:
    """A sampler of 2-D points. ``points`` is set for user data (a drawing or a CSV)."""

    name: str
    points: np.ndarray | None = None
    jitter: float = 0.0
    segments: bool = False  # points are consecutive vertices of strokes (a drawing)

    def sample(self, n: int, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        if self.points is None:
            return BUILTIN[self.name](rng, n).astype(np.float32)
        if self.segments:
            base = _along_strokes(self.points, rng, n)
        else:
            base = self.points[rng.integers(0, len(self.points), n)]
        return (base + self.jitter * rng.standard_normal((n, 2))).astype(np.float32)

    def pool(self, seed: int = 0) -> torch.Tensor:
        return torch.from_numpy(self.sample(POOL_SIZE, seed))

    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, xmax, ymin, ymax) of a large fixed sample: the range of the metrics grid."""
        pts = self.sample(20_000, seed=12345)
        (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
        return float(x0), float(x1), float(y0), float(y1)


def builtin(name: str) -> Dataset:
    if name not in BUILTIN:
        raise UserError("gan.err_choice", field="dataset", value=name)
    return Dataset(name)


def normalise(points: np.ndarray) -> np.ndarray:
    """Centre points on the origin and scale the larger side of their box to fit +-EXTENT."""
    largest = float(np.abs(points).max())
    points = points / largest if largest > 0 else points  # 1e308 - (-1e308) would overflow
    lo, hi = points.min(0), points.max(0)
    half = float((hi - lo).max()) / 2
    return ((points - (lo + hi) / 2) * (EXTENT / half if half > 0 else 1.0)).astype(np.float32)


def _along_strokes(points: np.ndarray, rng, n: int) -> np.ndarray:
    """Uniform samples along polylines stored as (x, y, stroke id) rows."""
    same = points[1:, 2] == points[:-1, 2]
    starts, ends = points[:-1, :2][same], points[1:, :2][same]
    lengths = np.linalg.norm(ends - starts, axis=1)
    if lengths.sum() <= 0:
        return points[rng.integers(0, len(points), n), :2]
    seg = rng.choice(len(lengths), n, p=lengths / lengths.sum())
    u = rng.uniform(0, 1, (n, 1))
    return starts[seg] + u * (ends[seg] - starts[seg])


def from_strokes(strokes: list[list[tuple[float, float]]]) -> Dataset:
    """A dataset from free-hand strokes in screen coordinates (y grows downwards)."""
    rows = [(x, -y, i) for i, stroke in enumerate(strokes) for x, y in stroke]
    if len(rows) < 2:
        raise UserError("gan.err_drawing_empty")
    pts = np.asarray(rows, dtype=float)
    pts[:, :2] = normalise(pts[:, :2])
    if np.ptp(pts[:, 0]) == 0 and np.ptp(pts[:, 1]) == 0:
        raise UserError("gan.err_drawing_empty")
    return Dataset("drawn", pts.astype(np.float32), jitter=0.02, segments=True)


def strokes_from_canvas(json_data: dict | None) -> list[list[tuple[float, float]]]:
    """Free-hand paths of a fabric.js canvas (drawable-canvas ``json_data``) as point lists."""
    strokes = []
    for obj in (json_data or {}).get("objects", []):
        if str(obj.get("type", "")).lower() != "path":  # fabric.js 7 writes "Path"
            continue
        stroke = [(float(cmd[-2]), float(cmd[-1])) for cmd in obj.get("path", []) if len(cmd) >= 3]
        if stroke:
            strokes.append(stroke)
    return strokes


def _decode(data: bytes) -> str:
    """The text of a CSV: UTF-16 with a byte-order mark (Excel's "Unicode text"), UTF-8, or
    Latin-1; a file with NUL bytes otherwise is binary."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise UserError("gan.err_csv_unreadable") from err
    if b"\x00" in data:
        raise UserError("gan.err_csv_unreadable")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_like_text(sample: str) -> bool:
    """Nearly every character printable or blank: not a binary file read as Latin-1."""
    shown = sum(c.isprintable() or c.isspace() for c in sample)
    return "\x00" not in sample and shown >= 0.95 * len(sample)


def _separator(text: str) -> str:
    """The column separator most lines use: semicolon (then commas are decimal commas), tab,
    comma, else runs of spaces."""
    lines = [line for line in text[:4096].splitlines()[:50] if line.strip()]
    if len(text) > 4096 and len(lines) > 1:
        lines.pop()  # cut in the middle
    for sep in (";", "\t", ","):
        if sum(sep in line for line in lines) >= 0.9 * len(lines):
            return sep
    return r"\s+"


def parse_csv(data: bytes) -> np.ndarray:
    """The first two numeric columns of a CSV (comma, semicolon or tab; decimal commas accepted)."""
    if len(data) > MAX_CSV_BYTES:
        raise UserError("gan.err_csv_too_big", mb=MAX_CSV_BYTES // 1_000_000)
    text = _decode(data).strip()
    if not text:
        raise UserError("gan.err_csv_empty")
    if not _looks_like_text(text[:4096]):
        raise UserError("gan.err_csv_unreadable")
    lines = text.count("\n") + 1
    if lines > MAX_POINTS + MAX_HEADER_LINES:  # counted before parsing: a million rows is slow
        raise UserError("gan.err_csv_too_many", found=lines, limit=MAX_POINTS)
    import pandas as pd  # here: a training worker never parses a file (0.3 s of its start)

    sep = _separator(text)
    if sep != ",":
        text = text.replace(",", ".")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, engine="python")
    except (pd.errors.ParserError, ValueError) as err:
        raise UserError("gan.err_csv_unreadable") from err
    numeric = frame.apply(pd.to_numeric, errors="coerce")
    columns = [c for c in numeric if numeric[c].notna().mean() >= 0.5]
    if len(columns) < 2:
        raise UserError("gan.err_csv_columns", found=len(columns))
    pts = numeric[columns[:2]].dropna().to_numpy(dtype=float)
    pts = pts[np.isfinite(pts).all(1)]
    if len(pts) < MIN_POINTS:
        raise UserError("gan.err_csv_too_few", found=len(pts), need=MIN_POINTS)
    if len(pts) > MAX_POINTS:
        raise UserError("gan.err_csv_too_many", found=len(pts), limit=MAX_POINTS)
    if (pts.min(0) == pts.max(0)).all():
        raise UserError("gan.err_csv_same_point")
    return pts


def from_csv(data: bytes) -> Dataset:
    return Dataset("csv", normalise(parse_csv(data)), jitter=0.01)


def from_points(name: str, points: np.ndarray) -> Dataset:
    """Rebuild a user dataset from stored points (a job's params or a checkpoint), refusing
    points that no drawing or CSV of the lab could have given."""
    try:
        pts = np.asarray(points, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise UserError("gan.err_checkpoint_shape", name="data.points") from err
    columns = 3 if name == "drawn" else 2
    shape_ok = pts.ndim == 2 and pts.shape[1] == columns and 2 <= len(pts) <= MAX_POINTS
    if not shape_ok or not np.isfinite(pts).all():
        raise UserError("gan.err_checkpoint_shape", name="data.points")
    if name == "drawn":
        return Dataset("drawn", pts, jitter=0.02, segments=True)
    return Dataset("csv", pts, jitter=0.01)


def make(name: str, points=None) -> Dataset:
    if name in BUILTIN:
        return builtin(name)
    if points is None or len(points) == 0:
        raise UserError("gan.err_no_user_data")
    return from_points(name, points)
