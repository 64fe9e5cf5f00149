"""The trainer: one object used by the worker, the CLI, the benches and the tests."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from genlab import checkpoint
from genlab.errors import UserError
from genlab.gan import datasets, optim
from genlab.gan.config import GanConfig
from genlab.gan.datasets import Dataset
from genlab.gan.losses import LOSSES, gradient_penalty, to_prob
from genlab.gan.networks import MLP

FIXED_NOISE = 300  # fakes drawn on the page come from one fixed noise batch, so motion is visible
ADAM_BETAS = (0.5, 0.999)
# Training has blown up when losses or weights are not finite, but also when losses pass MAX_LOSS
# or the fakes land more than MAX_DISTANCE from the origin, four times outside the plane shown
# (all data is scaled into +-0.8): with a learning rate of 10, Adam reached losses of 1e10 and
# fakes 1e5 away within 40 epochs while everything stayed finite, and tanh networks with SGD
# saturate and leave the fakes stalled about 10 away.
MAX_LOSS = 1e6
MAX_DISTANCE = 5.0
CHECKPOINT_KIND = "genlab.gan"


class Trainer:
    def __init__(self, cfg: GanConfig, data: Dataset):
        self.cfg = cfg.validate()
        self.data = data
        self.gen = torch.Generator().manual_seed(cfg.seed)
        g_sizes = [cfg.noise_dim] + [cfg.g_neurons] * cfg.g_layers + [2]
        self.G = MLP(g_sizes, cfg.activation, self.gen)
        self.D = MLP([2] + [cfg.d_neurons] * cfg.d_layers + [1], cfg.activation, self.gen)
        self.pool = data.pool(cfg.seed)
        self.fixed_noise = self.noise(FIXED_NOISE)
        self.epoch = 0
        self.d_updates = 0
        self.g_updates = 0
        self.last: dict[str, torch.Tensor] = {}
        self.build_optimizers()

    # -- configuration ---------------------------------------------------------------------

    @property
    def loss(self):
        return LOSSES[self.cfg.loss]

    def _optimizer(self, params, lr):
        if self.cfg.optimizer == "adam":
            return optim.Adam(params, lr=lr, betas=ADAM_BETAS)
        return optim.SGD(params, lr=lr)

    def build_optimizers(self) -> None:
        self.opt_g = self._optimizer(self.G.params, self.cfg.g_lr)
        self.opt_d = self._optimizer(self.D.params, self.cfg.d_lr)

    def set_live(self, **changes) -> None:
        """Change learning rates, optimizer, loss, update counts or batch size while training."""
        new = self.cfg.replace(**changes)
        if self.cfg.needs_reset(new):
            raise UserError("gan.err_needs_reset")
        old, self.cfg = self.cfg, new
        if new.optimizer != old.optimizer:
            self.build_optimizers()
        self.opt_g.lr, self.opt_d.lr = new.g_lr, new.d_lr

    # -- sampling --------------------------------------------------------------------------

    def noise(self, n: int) -> torch.Tensor:
        if self.cfg.noise == "uniform":
            return torch.rand(n, self.cfg.noise_dim, generator=self.gen) * 2 - 1
        return torch.randn(n, self.cfg.noise_dim, generator=self.gen)

    def noise_range(self) -> float:
        """Half-width of the noise region drawn as the manifold grid."""
        return 1.0 if self.cfg.noise == "uniform" else 2.0

    def _real(self) -> torch.Tensor:
        return self.pool[torch.randint(len(self.pool), (self.cfg.batch,), generator=self.gen)]

    # -- the pieces of one update (shared by the fast path and slow motion) -------------------

    def _d_scores(self, real, fake):
        scores = self.D(torch.cat([real, fake]))
        return scores[: len(real)], scores[len(real) :]

    def _d_objective(self, real, fake, s_real, s_fake):
        loss = self.loss.d(s_real, s_fake)
        if self.loss.gradient_penalty:
            loss = loss + gradient_penalty(self.D, real, fake, self.gen)
        return loss

    def step_d(self) -> None:
        real = self._real()
        with torch.no_grad():
            fake = self.G(self.noise(self.cfg.batch))
        s_real, s_fake = self._d_scores(real, fake)
        loss = self._d_objective(real, fake, s_real, s_fake)
        self.opt_d.step(torch.autograd.grad(loss, self.D.params))
        self.last.update(d_loss=loss.detach(), s_real=s_real.detach(), s_fake=s_fake.detach())
        self.d_updates += 1

    def step_g(self) -> None:
        loss = self.loss.g(self.D(self.G(self.noise(self.cfg.batch))))
        self.opt_g.step(torch.autograd.grad(loss, self.G.params))
        self.last["g_loss"] = loss.detach()
        self.g_updates += 1

    def train_epoch(self) -> None:
        for _ in range(self.cfg.d_steps):
            self.step_d()
        for _ in range(self.cfg.g_steps):
            self.step_g()
        self.epoch += 1

    def train(self, epochs: int) -> None:
        for _ in range(epochs):
            self.train_epoch()

    def slow_epoch(self) -> Iterator[tuple[str, str, dict]]:
        """One epoch cut into sub-steps: yields (network, stage, values) after each stage.

        Stages: sample, classify, loss, gradients, update; network "d" then "g".
        """
        n = self.cfg.batch
        for _ in range(self.cfg.d_steps):
            real = self._real()
            with torch.no_grad():
                fake = self.G(self.noise(n))
            yield "d", "sample", {"batch": n}
            s_real, s_fake = self._d_scores(real, fake)
            yield "d", "classify", self._predictions(s_real.detach(), s_fake.detach())
            loss = self._d_objective(real, fake, s_real, s_fake)
            yield "d", "loss", {"loss": float(loss.detach())}
            grads = torch.autograd.grad(loss, self.D.params)
            yield "d", "gradients", {"grad_norm": _norm(grads)}
            self.opt_d.step(grads)
            self.last.update(d_loss=loss.detach(), s_real=s_real.detach(), s_fake=s_fake.detach())
            self.d_updates += 1
            yield "d", "update", {}
        for _ in range(self.cfg.g_steps):
            fake = self.G(self.noise(n))
            yield "g", "sample", {"batch": n}
            s_fake = self.D(fake)
            yield "g", "classify", {"d_fake": float(self._prob(s_fake.detach()).mean())}
            loss = self.loss.g(s_fake)
            yield "g", "loss", {"loss": float(loss.detach())}
            grads = torch.autograd.grad(loss, self.G.params)
            yield "g", "gradients", {"grad_norm": _norm(grads)}
            self.opt_g.step(grads)
            self.last["g_loss"] = loss.detach()
            self.g_updates += 1
            yield "g", "update", {}
        self.epoch += 1

    # -- read-outs -------------------------------------------------------------------------

    def _mid(self) -> float:
        if self.loss.prob != "centred" or "s_real" not in self.last:
            return 0.0
        return float(self.last["s_real"].mean() + self.last["s_fake"].mean()) / 2

    def _prob(self, scores: torch.Tensor) -> torch.Tensor:
        return to_prob(self.loss.prob, scores, self._mid())

    def prob(self, points: torch.Tensor) -> torch.Tensor:
        """The discriminator's "probability of real" at some points, as drawn on the page."""
        with torch.no_grad():
            return self._prob(self.D(points))[:, 0]

    def _predictions(self, s_real, s_fake) -> dict:
        mid = float(s_real.mean() + s_fake.mean()) / 2 if self.loss.prob == "centred" else 0.0
        return {
            "d_real": float(to_prob(self.loss.prob, s_real, mid).mean()),
            "d_fake": float(to_prob(self.loss.prob, s_fake, mid).mean()),
        }

    def stats(self) -> dict:
        """Losses and mean D(real), D(fake) of the last updates, as plain floats."""
        out = {"epoch": self.epoch, "d_updates": self.d_updates, "g_updates": self.g_updates}
        if "d_loss" in self.last:
            out["d_loss"] = float(self.last["d_loss"])
            out.update(self._predictions(self.last["s_real"], self.last["s_fake"]))
        if "g_loss" in self.last:
            out["g_loss"] = float(self.last["g_loss"])
        return out

    def weights(self) -> list[torch.Tensor]:
        """A copy of both networks' weights (to go back to after a divergence)."""
        return [p.detach().clone() for p in self.G.params + self.D.params]

    def set_weights(self, saved: list[torch.Tensor]) -> None:
        """Restore weights from weights(); the optimizers start afresh."""
        with torch.no_grad():
            for p, value in zip(self.G.params + self.D.params, saved, strict=True):
                p.copy_(value)
        self.last.clear()
        self.build_optimizers()

    def diverged(self) -> bool:
        losses = [float(v) for k, v in self.last.items() if k.endswith("loss")]
        if not all(np.isfinite(v) and abs(v) < MAX_LOSS for v in losses):
            return True
        if not (self.G.finite() and self.D.finite()):
            return True
        distance = np.linalg.norm(self.fixed_fakes(), axis=1)
        return not bool(np.median(distance) < MAX_DISTANCE)

    def generate(self, n: int) -> np.ndarray:
        with torch.no_grad():
            return self.G(self.noise(n)).numpy()

    def fixed_fakes(self) -> np.ndarray:
        with torch.no_grad():
            return self.G(self.fixed_noise).numpy()

    # -- checkpoints -----------------------------------------------------------------------

    def save(self, target) -> None:
        tensors = {**self.G.state("g"), **self.D.state("d")}
        if self.data.points is not None:
            tensors["data.points"] = torch.from_numpy(np.ascontiguousarray(self.data.points))
        meta = {"kind": CHECKPOINT_KIND, "config": self.cfg.to_dict(), "epoch": self.epoch}
        checkpoint.save(target, tensors, meta)

    @classmethod
    def load(cls, data) -> Trainer:
        """A trainer restored from checkpoint bytes or a path; wrong content -> UserError."""
        tensors, meta = checkpoint.load(data)
        if not isinstance(meta, dict) or meta.get("kind") != CHECKPOINT_KIND:
            raise UserError("gan.err_not_gan_checkpoint")
        cfg = GanConfig.from_dict(meta.get("config", {}))
        points = tensors.get("data.points")
        data_set = datasets.make(cfg.dataset, None if points is None else points.numpy())
        trainer = cls(cfg, data_set)
        expected = {**trainer.G.shapes("g"), **trainer.D.shapes("d")}
        for name, shape in expected.items():
            if name not in tensors or tuple(tensors[name].shape) != shape:
                raise UserError("gan.err_checkpoint_shape", name=name)
            if not torch.isfinite(tensors[name]).all():
                raise UserError("common.err_checkpoint_not_finite", name=name)
        epoch = meta.get("epoch", 0)
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise UserError("common.err_checkpoint_malformed", detail="epoch")
        trainer.G.load("g", tensors)
        trainer.D.load("d", tensors)
        trainer.epoch = epoch
        return trainer


def _norm(grads) -> float:
    return float(torch.sqrt(sum((g.detach() ** 2).sum() for g in grads)))
