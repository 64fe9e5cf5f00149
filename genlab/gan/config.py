"""The GAN room's configuration: one dataclass, validated in one place."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from genlab.errors import UserError
from genlab.settings import Settings, errors

DATASETS = ("ring", "line", "two_gaussians", "three_regions", "gaussians8", "gaussians25", "spiral")
USER_DATASETS = ("drawn", "csv")
ACTIVATIONS = ("relu", "leaky_relu", "tanh", "sigmoid")
OPTIMIZERS = ("adam", "sgd")
LOSSES = ("minimax", "nonsat", "least_squares", "wgan_gp", "hinge")
NOISES = ("uniform", "gaussian")

# Fields a running job can change without restarting; the others rebuild the networks.
LIVE_FIELDS = ("d_lr", "g_lr", "optimizer", "loss", "d_steps", "g_steps", "batch")

_INT_RANGES = {
    "g_layers": (0, 5),
    "d_layers": (0, 5),
    "g_neurons": (1, 128),
    "d_neurons": (1, 128),
    "d_steps": (1, 10),
    "g_steps": (1, 10),
    "noise_dim": (1, 8),
    "batch": (1, 2048),
    "seed": (0, 2**31 - 1),
}
_CHOICES = {
    "dataset": DATASETS + USER_DATASETS,
    "activation": ACTIVATIONS,
    "optimizer": OPTIMIZERS,
    "loss": LOSSES,
    "noise": NOISES,
}
_LR_RANGE = (1e-6, 100.0)


# The defaults learn the ring (grid JS <= 0.10 bits within 10 s, bench/bench_gan_convergence.py).
# tanh, not Leaky ReLU: a piecewise-linear discriminator peaks on sharp ridges and the generator
# piles its points onto them, so the fake ring came out half as thick as the real one (JS stuck
# at 0.15-0.2 bits whatever the optimizer); a smooth discriminator lets it spread. A discriminator
# that learns much faster than the generator (lr 0.8 vs 0.02) keeps that spread. Batch 256 and D lr
# 0.8 (issue 12, a class of 30 on 2 cores; bench_gan_convergence.py --epochs 8000, 30 seeds):
# 26/30 seeds reach JS <= 0.10, median 2,500 epochs, against 17/30 and 4,000 for the earlier batch
# 512, D lr 0.2; stacked, an epoch costs about 0.6 of theirs (bench_gan_batch.py, ratio 1.3-1.9 on
# a loaded machine). Smaller batches, narrower or shallower networks, a faster G, Adam: worse.
@dataclass(frozen=True)
class GanConfig(Settings):
    PREFIX = "gan_"  # links: ?gan_d_lr=0.05
    ALIASES = ("",)  # older links: ?d_lr=0.05
    ERRORS = errors("gan.err_settings_unreadable", "gan.err_unknown_field", "gan.err_not_number")

    dataset: str = "ring"
    g_layers: int = 2
    g_neurons: int = 32
    d_layers: int = 2
    d_neurons: int = 32
    activation: str = "tanh"
    optimizer: str = "sgd"
    g_lr: float = 0.02
    d_lr: float = 0.8
    loss: str = "nonsat"
    d_steps: int = 1
    g_steps: int = 1
    noise_dim: int = 2
    noise: str = "gaussian"
    batch: int = 256
    seed: int = 0

    def validate(self) -> GanConfig:
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UserError("gan.err_choice", field=name, value=getattr(self, name))
        for name, (lo, hi) in _INT_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
                raise UserError("gan.err_range", field=name, value=value, lo=lo, hi=hi)
        for name in ("g_lr", "d_lr"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not _LR_RANGE[0] <= value <= _LR_RANGE[1]:
                raise UserError(
                    "gan.err_range", field=name, value=value, lo=_LR_RANGE[0], hi=_LR_RANGE[1]
                )
        return self

    def replace(self, **changes) -> GanConfig:
        return dataclasses.replace(self, **changes).validate()

    def needs_reset(self, other: GanConfig) -> bool:
        """True when going from self to other cannot be done on the running networks."""
        return any(
            getattr(self, f.name) != getattr(other, f.name)
            for f in dataclasses.fields(self)
            if f.name not in LIVE_FIELDS
        )


# The settings that did best for each dataset in short sweeps (changes from the defaults; the JS
# each reaches is printed by the commands that make assets/gan, see assets/gan/README.md).
# The line, two Gaussians, spiral and the Gaussian mixtures keep the earlier defaults (Leaky ReLU,
# batch 256); tanh learns the ring, and three regions with slower learning rates (at the ring's
# rates the discriminator wins there after about 8,000 epochs and the generator never recovers;
# it keeps the earlier default batch of 512 it was tuned with).
_LEAKY = {"activation": "leaky_relu", "batch": 256, "d_lr": 0.1, "g_lr": 0.03}
_ADAM = {**_LEAKY, "optimizer": "adam", "d_lr": 0.001, "g_lr": 0.001}
PRESETS: dict[str, dict] = {
    "ring": {},
    "line": _LEAKY,
    "two_gaussians": _LEAKY,
    "three_regions": {"d_lr": 0.1, "g_lr": 0.01, "batch": 512},
    "gaussians8": _ADAM,
    "gaussians25": {**_ADAM, "g_neurons": 64, "d_neurons": 64},
    "spiral": {**_LEAKY, "g_layers": 3, "d_layers": 3},
    "drawn": {},
    "csv": {},
}


# Losses that blow up with the default optimizer (SGD, D learning rate 0.2 or more) and settings
# that work for them. WGAN-GP's critic is unbounded: SGD at 0.2 (or 0.02) sends its scores and the
# gradient penalty past any limit within the first 500 epochs on the ring. Adam at 0.001 stays
# finite, but with one critic step per epoch the ring's JS stayed at 0.9-1.0 bits for 3,000
# epochs; with five (as in the WGAN-GP paper) it fell to 0.5-0.7 bits within 2,000.
LOSS_SETTINGS: dict[str, dict] = {
    "wgan_gp": {"optimizer": "adam", "d_lr": 0.001, "g_lr": 0.001, "d_steps": 5},
}


def suited_to_loss(cfg: GanConfig) -> GanConfig:
    """``cfg`` with an optimizer and learning rates that work for its loss, when the ones it has
    are known to blow up (SGD, or Adam with larger rates); otherwise ``cfg`` itself."""
    safe = LOSS_SETTINGS.get(cfg.loss)
    if safe is None:
        return cfg
    if cfg.optimizer == safe["optimizer"] and max(cfg.d_lr, cfg.g_lr) <= safe["d_lr"]:
        return cfg
    return cfg.replace(**safe)


def preset(dataset: str) -> dict:
    """The full configuration (a dict) of the preset for a dataset."""
    return {**GanConfig().to_dict(), **PRESETS.get(dataset, {}), "dataset": dataset}
