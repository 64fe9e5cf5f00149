"""The five GAN losses, written on the discriminator's raw scores (logits / critic values)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

GP_WEIGHT = 10.0
LN2 = math.log(2)


@dataclass(frozen=True)
class Loss:
    d: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (scores real, scores fake) -> loss
    g: Callable[[torch.Tensor], torch.Tensor]  # scores fake -> loss
    gradient_penalty: bool = False
    # How a raw score becomes the "probability of real" drawn on the page:
    # "sigmoid" for log losses, "clamp" for least squares (targets 0 and 1),
    # "centred" for critics (sigmoid of the score minus the midpoint of real and fake scores).
    prob: str = "sigmoid"
    # (D loss, G loss) when the generator is perfect and D answers 0.5 everywhere; None for
    # critics, whose scores have no fixed value at equilibrium.
    equilibrium: tuple[float, float] | None = None


def _log_d(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    # -log D(real) - log(1 - D(fake)) with D = sigmoid(score), in a numerically stable form
    return F.softplus(-real).mean() + F.softplus(fake).mean()


LOSSES = {
    # G minimises log(1 - D(G(z))): the original minimax game (weak gradients early on)
    "minimax": Loss(_log_d, lambda fake: -F.softplus(fake).mean(), equilibrium=(2 * LN2, -LN2)),
    # G maximises log D(G(z)) instead (Goodfellow et al. 2014, section 3)
    "nonsat": Loss(_log_d, lambda fake: F.softplus(-fake).mean(), equilibrium=(2 * LN2, LN2)),
    # LSGAN (Mao et al. 2017): targets 1 for real and 0 for fake
    "least_squares": Loss(
        lambda real, fake: 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(),
        lambda fake: 0.5 * ((fake - 1) ** 2).mean(),
        prob="clamp",
        equilibrium=(0.25, 0.125),
    ),
    # WGAN-GP (Gulrajani et al. 2017); the penalty is added by the trainer
    "wgan_gp": Loss(
        lambda real, fake: fake.mean() - real.mean(),
        lambda fake: -fake.mean(),
        gradient_penalty=True,
        prob="centred",
    ),
    # hinge loss (Lim & Ye 2017, Miyato et al. 2018)
    "hinge": Loss(
        lambda real, fake: F.relu(1 - real).mean() + F.relu(1 + fake).mean(),
        lambda fake: -fake.mean(),
        prob="centred",
    ),
}


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, gen) -> torch.Tensor:
    """GP_WEIGHT * mean((|grad_x critic(x_hat)| - 1)^2) on random points between real and fake."""
    t = torch.rand(real.shape[0], 1, generator=gen)
    x = (t * real + (1 - t) * fake).requires_grad_()
    (grad,) = torch.autograd.grad(critic(x).sum(), x, create_graph=True)
    return GP_WEIGHT * ((grad.norm(dim=1) - 1) ** 2).mean()


def to_prob(kind: str, scores: torch.Tensor, mid: float = 0.0) -> torch.Tensor:
    if kind == "clamp":
        return scores.clamp(0, 1)
    return torch.sigmoid(scores - mid)
