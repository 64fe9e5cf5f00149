"""What the page draws: fixed fakes, D's heat map, the generator's manifold, gradient arrows."""

from __future__ import annotations

import numpy as np
import torch

from genlab.gan.datasets import VIEW
from genlab.gan.training import Trainer

HEAT_CELLS = 28
MANIFOLD_LINES = 11
MANIFOLD_POINTS = 40
ARROWS = 80
ARROW_LENGTH = 0.18  # the longest arrow, in plane units


def heat_axis(cells: int = HEAT_CELLS) -> np.ndarray:
    """Centres of the heat map cells along one axis of the view."""
    edges = np.linspace(VIEW[0], VIEW[1], cells + 1)
    return ((edges[:-1] + edges[1:]) / 2).astype(np.float32)


def heat_map(trainer: Trainer, cells: int = HEAT_CELLS) -> np.ndarray:
    """D's probability of "real" on a cells x cells grid over the view (rows: y, columns: x)."""
    axis = torch.from_numpy(heat_axis(cells))
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], 1)
    return trainer.prob(points).reshape(cells, cells).numpy()


def _with_breaks(lines: torch.Tensor) -> np.ndarray:
    """(lines, points, 2) -> one (n, 2) array with NaN rows between lines (one plotly trace)."""
    gap = torch.full((lines.shape[0], 1, 2), float("nan"))
    return torch.cat([lines, gap], 1).reshape(-1, 2).numpy()


def manifold(trainer: Trainer) -> np.ndarray:
    """Where the generator sends a grid of the noise space: warped grid lines (1-D noise: a line).

    Noise dimensions beyond the first two are held at 0.
    """
    r, k = trainer.noise_range(), trainer.cfg.noise_dim
    t = torch.linspace(-r, r, MANIFOLD_POINTS * (3 if k == 1 else 1))
    if k == 1:
        z = t[None, :, None]
    else:
        ticks = torch.linspace(-r, r, MANIFOLD_LINES)
        z = torch.zeros(2 * MANIFOLD_LINES, len(t), k)
        z[:MANIFOLD_LINES, :, 0] = t
        z[:MANIFOLD_LINES, :, 1] = ticks[:, None]
        z[MANIFOLD_LINES:, :, 0] = ticks[:, None]
        z[MANIFOLD_LINES:, :, 1] = t
    with torch.no_grad():
        return _with_breaks(trainer.G(z.reshape(-1, k)).reshape(z.shape[0], z.shape[1], 2))


def arrows(trainer: Trainer, count: int = ARROWS) -> np.ndarray:
    """Segments from some fixed fakes in the direction the generator's loss pushes them.

    Returned as one (n, 2) array with NaN breaks; the longest arrow is ARROW_LENGTH long.
    """
    with torch.no_grad():
        start = trainer.G(trainer.fixed_noise[:count])
    x = start.clone().requires_grad_()
    (grad,) = torch.autograd.grad(trainer.loss.g(trainer.D(x)), x)
    push = -grad
    longest = float(push.norm(dim=1).max())
    if not np.isfinite(longest) or longest == 0:
        push = torch.zeros_like(push)
    else:
        push = push * (ARROW_LENGTH / longest)
    return _with_breaks(torch.stack([start, start + push], 1))


def snapshot(trainer: Trainer, real: np.ndarray) -> dict:
    """Everything one redraw needs, small enough to send 10 times a second."""
    return {
        "real": real,
        "fake": trainer.fixed_fakes(),
        "heat": heat_map(trainer),
        "manifold": manifold(trainer),
        "arrows": arrows(trainer),
        **trainer.stats(),
    }
