"""GAN room: headless training speed, epochs per second on one thread.

Compares the default setup (2x32 tanh networks, batch 256, one D and one G update per epoch, SGD,
D lr 0.8) with the previous default (batch 512, D lr 0.2),
the GAN Lab ring recipe (batch 150, SGD, D lr 0.1, G lr 0.03, three D updates per epoch) on the
same networks and engine, and with a plain torch.nn/torch.optim loop of the default setup (the
usual way to write it). Goal (issue 5): at least 1,000 epochs/s for the default setup.
Medians of several runs, side by side (the machine is shared, timings are noisy).

    .venv/bin/python bench/bench_gan_speed.py [--epochs 2000] [--repeats 5]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genlab.device import configure  # noqa: E402
from genlab.gan import datasets  # noqa: E402
from genlab.gan.config import GanConfig  # noqa: E402
from genlab.gan.training import Trainer  # noqa: E402

GANLAB_RING = {"batch": 150, "optimizer": "sgd", "d_lr": 0.1, "g_lr": 0.03, "d_steps": 3}
PREVIOUS_DEFAULT = {"batch": 512, "d_lr": 0.2}


def engine_rate(cfg: GanConfig, epochs: int) -> float:
    trainer = Trainer(cfg, datasets.builtin(cfg.dataset))
    trainer.train(100)  # warm up
    start = time.perf_counter()
    trainer.train(epochs)
    return epochs / (time.perf_counter() - start)


def plain_torch_rate(cfg: GanConfig, epochs: int) -> float:
    """The same default GAN written the textbook way: nn.Sequential, torch.optim, backward()."""

    def mlp(inputs, outputs):
        layers = [torch.nn.Linear(inputs, 32), torch.nn.Tanh()]
        layers += [torch.nn.Linear(32, 32), torch.nn.Tanh(), torch.nn.Linear(32, outputs)]
        return torch.nn.Sequential(*layers)

    g, d = mlp(cfg.noise_dim, 2), mlp(2, 1)
    opt_g = torch.optim.SGD(g.parameters(), cfg.g_lr)
    opt_d = torch.optim.SGD(d.parameters(), cfg.d_lr)
    pool = datasets.builtin("ring").pool()
    n = cfg.batch

    def epoch():
        real = pool[torch.randint(len(pool), (n,))]
        fake = g(torch.randn(n, cfg.noise_dim)).detach()
        loss_d = F.softplus(-d(real)).mean() + F.softplus(d(fake)).mean()
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = F.softplus(-d(g(torch.randn(n, cfg.noise_dim)))).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()

    for _ in range(100):
        epoch()
    start = time.perf_counter()
    for _ in range(epochs):
        epoch()
    return epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    configure()
    default = GanConfig()
    setups = {
        "default (engine)": lambda: engine_rate(default, args.epochs),
        "previous default: batch 512, D lr 0.2": lambda: engine_rate(
            default.replace(**PREVIOUS_DEFAULT), args.epochs
        ),
        "GAN Lab ring recipe (engine)": lambda: engine_rate(
            default.replace(**GANLAB_RING), args.epochs
        ),
        "default, plain torch.nn + torch.optim": lambda: plain_torch_rate(default, args.epochs),
    }
    rates = {name: [] for name in setups}
    for _ in range(args.repeats):  # interleaved, so load changes hit every setup alike
        for name, run in setups.items():
            rates[name].append(run())
    base = statistics.median(rates["default (engine)"])
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {args.epochs} epochs")
    print(f"{'setup':40} {'median epochs/s':>16} {'min':>8} {'max':>8} {'vs default':>11}")
    for name, values in rates.items():
        med = statistics.median(values)
        print(f"{name:40} {med:16,.0f} {min(values):8,.0f} {max(values):8,.0f} {med / base:10.2f}x")
    print(
        f"goal: default >= 1,000 epochs/s -> {'met' if base >= 1000 else 'NOT met'} ({base:,.0f})"
    )


if __name__ == "__main__":
    main()
