"""Several GAN runs of one worker trained as one stacked model (docs/engine.md, "The scheduler").

Runs with the same shapes and the default recipe (SGD, non-saturating loss, one D and one G update
per epoch) can be trained together: their weights stacked as ``[runs, out, in]`` and multiplied
with one ``torch.baddbmm`` per layer instead of one small matrix product per run. Each run keeps
its own learning rates, random streams and read-outs, so it trains as it would alone (to float
rounding: tests/gan/test_cohort.py). bench/bench_gan_batch.py measures the gain.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from genlab.gan.networks import ACTIVATIONS
from genlab.gan.training import MAX_DISTANCE, MAX_LOSS, Trainer


def key(trainer: Trainer) -> tuple | None:
    """Runs with the same key can be trained together; None: this run trains alone."""
    cfg = trainer.cfg
    if (cfg.optimizer, cfg.loss, cfg.d_steps, cfg.g_steps) != ("sgd", "nonsat", 1, 1):
        return None
    shape = (cfg.g_layers, cfg.g_neurons, cfg.d_layers, cfg.d_neurons, cfg.noise_dim)
    return (*shape, cfg.noise, cfg.activation, cfg.batch)


def _stack(params: list[list[torch.Tensor]]) -> list[torch.Tensor]:
    layers = zip(*params, strict=True)
    return [torch.stack([p.detach() for p in layer]).requires_grad_() for layer in layers]


def _forward(params: list[torch.Tensor], x: torch.Tensor, act) -> torch.Tensor:
    last = len(params) - 2
    for i in range(0, len(params), 2):
        x = torch.baddbmm(params[i + 1].unsqueeze(1), x, params[i].transpose(1, 2))
        if i < last:
            x = act(x)
    return x


def _sgd(params: list[torch.Tensor], grads, lrs: torch.Tensor) -> None:
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p.sub_(g * lrs.view(-1, *([1] * (g.dim() - 1))))


def _healthy(G, D, losses, fixed: torch.Tensor, act) -> torch.Tensor:
    """Trainer.diverged() for every run at once: finite losses under MAX_LOSS, finite weights,
    and the median fake (of each run's fixed noise) within MAX_DISTANCE of the origin."""
    ok = torch.ones(len(fixed), dtype=torch.bool)
    for loss in losses:
        ok &= torch.isfinite(loss) & (loss.abs() < MAX_LOSS)
    for p in G + D:
        ok &= torch.isfinite(p).flatten(1).all(1)
    distance = torch.linalg.vector_norm(_forward(G, fixed, act), dim=2)
    return ok & (distance.quantile(0.5, dim=1) < MAX_DISTANCE)


def train(trainers: list[Trainer], epochs: int) -> list[list[torch.Tensor] | None]:
    """Train every trainer (all of one ``key``) for ``epochs`` epochs, together.

    Returns, per trainer, a copy of its weights to go back to (as ``Trainer.weights()``), or None
    when its training has blown up (as ``Trainer.diverged()``): one check for all of them.
    """
    batch, act = trainers[0].cfg.batch, ACTIVATIONS[trainers[0].cfg.activation]
    G, D = _stack([t.G.params for t in trainers]), _stack([t.D.params for t in trainers])
    g_lr = torch.tensor([t.cfg.g_lr for t in trainers])
    d_lr = torch.tensor([t.cfg.d_lr for t in trainers])
    for _ in range(epochs):
        real = torch.stack([t._real() for t in trainers])
        with torch.no_grad():
            fake = _forward(G, torch.stack([t.noise(batch) for t in trainers]), act)
        scores = _forward(D, torch.cat([real, fake], 1), act)
        s_real, s_fake = scores[:, :batch], scores[:, batch:]
        # each run's own mean loss, summed: each run's gradient is the one it would have alone
        d_loss = F.softplus(-s_real).mean((1, 2)) + F.softplus(s_fake).mean((1, 2))
        _sgd(D, torch.autograd.grad(d_loss.sum(), D), d_lr)
        noise = torch.stack([t.noise(batch) for t in trainers])
        g_loss = F.softplus(-_forward(D, _forward(G, noise, act), act)).mean((1, 2))
        _sgd(G, torch.autograd.grad(g_loss.sum(), G), g_lr)
    with torch.no_grad():
        fixed = torch.stack([t.fixed_noise for t in trainers])
        healthy = _healthy(G, D, (d_loss, g_loss), fixed, act).tolist()
        kept = [p.clone() for p in G + D]
        for k, t in enumerate(trainers):
            for p, stacked in zip(t.G.params + t.D.params, G + D, strict=True):
                p.copy_(stacked[k])
            t.last.update(
                d_loss=d_loss[k].detach(),
                s_real=s_real[k].detach(),
                s_fake=s_fake[k].detach(),
                g_loss=g_loss[k].detach(),
            )
            t.epoch += epochs
            t.d_updates += epochs
            t.g_updates += epochs
    return [[p[k] for p in kept] if healthy[k] else None for k in range(len(trainers))]
