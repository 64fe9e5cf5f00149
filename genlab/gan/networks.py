"""Small multilayer perceptrons as plain tensor lists (less per-call overhead than nn.Module)."""

from __future__ import annotations

import itertools
import math

import torch
import torch.nn.functional as F


def _leaky(x: torch.Tensor) -> torch.Tensor:
    return F.leaky_relu(x, 0.2)


ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": _leaky,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
}


class MLP:
    """``sizes[0]`` inputs, hidden layers ``sizes[1:-1]``, ``sizes[-1]`` outputs (linear)."""

    def __init__(self, sizes: list[int], activation: str, generator: torch.Generator):
        self.sizes = list(sizes)
        self.act = ACTIVATIONS[activation]
        self.params: list[torch.Tensor] = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            bound = 1 / math.sqrt(fan_in)  # the same uniform range as torch.nn.Linear
            w = (torch.rand(fan_out, fan_in, generator=generator) * 2 - 1) * bound
            b = (torch.rand(fan_out, generator=generator) * 2 - 1) * bound
            self.params += [w.requires_grad_(), b.requires_grad_()]

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.params) - 2
        for i in range(0, len(self.params), 2):
            x = torch.addmm(self.params[i + 1], x, self.params[i].t())
            if i < last:
                x = self.act(x)
        return x

    def state(self, prefix: str) -> dict[str, torch.Tensor]:
        return {f"{prefix}.{i}": p.detach().clone() for i, p in enumerate(self.params)}

    def shapes(self, prefix: str) -> dict[str, tuple[int, ...]]:
        return {f"{prefix}.{i}": tuple(p.shape) for i, p in enumerate(self.params)}

    def load(self, prefix: str, tensors: dict[str, torch.Tensor]) -> None:
        with torch.no_grad():
            for i, p in enumerate(self.params):
                p.copy_(tensors[f"{prefix}.{i}"])

    def finite(self) -> bool:
        return all(bool(torch.isfinite(p).all()) for p in self.params)
