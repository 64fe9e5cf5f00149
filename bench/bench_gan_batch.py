"""Would batching help? n default GANs trained one after another (what a worker's time-slicing
does) against the same n GANs as one stacked model (weights [n, out, in], ``torch.baddbmm``).

A decision aid for the engine (docs/engine.md, "Capacity"): 30 participants x 60 epochs/s on
about 1.5 cores needs about 1,800 epochs/s in total. Prints total epochs/s for each way and their
ratio, medians of ``--repeats`` interleaved rounds, for each ``--runs`` count. The stacked version
here covers the default recipe only (SGD, non-saturating loss, one D and one G update per epoch;
each run keeps its own learning rates and random streams).

    PYTHONPATH=. .venv/bin/python bench/bench_gan_batch.py [--runs 1,5,15] [--epochs 50]
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


def stacked(nets) -> list[torch.Tensor]:
    layers = zip(*(n.params for n in nets), strict=True)
    return [torch.stack([p.detach() for p in layer]).requires_grad_() for layer in layers]


def forward(params: list[torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    last = len(params) - 2
    for i in range(0, len(params), 2):
        x = torch.baddbmm(params[i + 1].unsqueeze(1), x, params[i].transpose(1, 2))
        if i < last:
            x = torch.tanh(x)
    return x


def sgd(params, grads, lrs: torch.Tensor) -> None:
    with torch.no_grad():
        for p, g in zip(params, grads, strict=True):
            p.sub_(g * lrs.view(-1, *([1] * (g.dim() - 1))))


def train_stacked(trainers: list[Trainer], epochs: int) -> None:
    n, batch = len(trainers), trainers[0].cfg.batch
    G, D = stacked([t.G for t in trainers]), stacked([t.D for t in trainers])
    g_lr = torch.tensor([t.cfg.g_lr for t in trainers])
    d_lr = torch.tensor([t.cfg.d_lr for t in trainers])
    for _ in range(epochs):
        real = torch.stack([t._real() for t in trainers])
        with torch.no_grad():
            fake = forward(G, torch.stack([t.noise(batch) for t in trainers]))
        scores = forward(D, torch.cat([real, fake], 1))
        # the sum over runs of each run's mean loss: each run's gradient is its own
        loss = n * (F.softplus(-scores[:, :batch]).mean() + F.softplus(scores[:, batch:]).mean())
        sgd(D, torch.autograd.grad(loss, D), d_lr)
        noise = torch.stack([t.noise(batch) for t in trainers])
        loss = n * F.softplus(-forward(D, forward(G, noise))).mean()
        sgd(G, torch.autograd.grad(loss, G), g_lr)
    with torch.no_grad():
        for k, t in enumerate(trainers):
            for p, s in zip(t.G.params + t.D.params, G + D, strict=True):
                p.copy_(s[k])
            t.epoch += epochs


def one_after_another(trainers: list[Trainer], epochs: int) -> None:
    for t in trainers:
        t.train(epochs)


def rate(fn, trainers, epochs: int) -> float:
    start = time.perf_counter()
    fn(trainers, epochs)
    return len(trainers) * epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="1,5,15")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    configure()
    cfg = GanConfig()
    print(f"{'runs':>5} {'one after another':>18} {'stacked':>10} {'ratio':>6}  (total epochs/s)")
    for n in (int(r) for r in args.runs.split(",")):
        data = datasets.make(cfg.dataset, None)
        trainers = [Trainer(cfg.replace(seed=i), data) for i in range(n)]
        alone, together = [], []
        for _ in range(args.repeats):
            alone.append(rate(one_after_another, trainers, args.epochs))
            together.append(rate(train_stacked, trainers, args.epochs))
        a, b = statistics.median(alone), statistics.median(together)
        print(f"{n:5} {a:18,.0f} {b:10,.0f} {b / a:6.2f}")


if __name__ == "__main__":
    main()
