"""The training timeline: token embeddings saved during a run, aligned and projected frame by frame.

Each snapshot lives in its own coordinates (a network does not care how its space is rotated), so
consecutive frames are aligned with an orthogonal Procrustes rotation (``scipy.linalg``) before
one PCA, fitted on the final frame, draws them all: what moves on screen is learning, not spin.
"""

from dataclasses import dataclass

import numpy as np
from scipy.linalg import orthogonal_procrustes

from genlab.embed.projection import few_threads
from genlab.errors import UserError


@dataclass
class Timeline:
    """``frames[i]`` are the 2-D/3-D coordinates at training step ``steps[i]``; ``drift[i]`` is the
    mean distance tokens moved since the previous frame (after alignment, in the final frame's
    scale)."""

    steps: list[int]
    frames: list[np.ndarray]
    drift: list[float]


def _normalise(x: np.ndarray) -> np.ndarray:
    """Centred, and scaled so the mean squared vector length is 1 (random start vs trained)."""
    centred = x - x.mean(axis=0, keepdims=True)
    scale = np.sqrt((centred**2).sum(axis=1).mean())
    return centred / (scale if scale > 0 else 1.0)


def align(snapshots: list[np.ndarray]) -> list[np.ndarray]:
    """Rotate every snapshot onto the next one, from the last back to the first, so each frame
    is as close as a rotation can make it to its successor and the last is unchanged."""
    if not snapshots:
        raise UserError("embed.err_no_timeline")
    shapes = {s.shape for s in snapshots}
    if len(shapes) != 1:
        raise UserError("embed.err_timeline_shapes")
    aligned = [_normalise(np.asarray(s, dtype=np.float64)) for s in snapshots]
    for i in range(len(aligned) - 2, -1, -1):
        rotation, _ = orthogonal_procrustes(aligned[i], aligned[i + 1])
        aligned[i] = aligned[i] @ rotation
    return aligned


def build(snapshots: list[tuple[int, np.ndarray]], dims: int = 2) -> Timeline:
    """Align the snapshots and project them all with the final frame's principal components."""
    ordered = sorted(snapshots, key=lambda p: p[0])
    with few_threads():
        aligned = align([v for _, v in ordered])
        final = aligned[-1]
        k = min(dims, *final.shape)
        _, _, vt = np.linalg.svd(final, full_matrices=False)
        basis = vt[:k].T
        frames = [(a @ basis).astype(np.float32) for a in aligned]
    drift = [0.0] + [
        float(np.linalg.norm(aligned[i] - aligned[i - 1], axis=1).mean())
        for i in range(1, len(aligned))
    ]
    return Timeline([s for s, _ in ordered], frames, drift)
