"""Would batching help? n default GANs trained one after another (what a worker's time-slicing
does) against the same n GANs as one stacked model (genlab.gan.cohort: weights [n, out, in],
``torch.baddbmm``), and as stacked models of at most ``genlab.gan.jobs.SLICE`` runs (what a
shared worker does).

A decision aid for the engine (docs/engine.md, "Capacity"): 30 participants x 60 epochs/s on
about 1.5 cores needs about 1,800 epochs/s in total. Prints total epochs/s for each way and their
ratios to the first, medians of ``--repeats`` interleaved rounds, for each ``--runs`` count.
Stacking covers the default recipe only (SGD, non-saturating loss, one D and one G update per
epoch; each run keeps its own learning rates and random streams).

``--recipe name:field=value,...`` (as in bench_gan_convergence.py) measures other recipes too, in
the same interleaved rounds as the defaults, and prints each one's slices rate against the
defaults' ("vs default").

    PYTHONPATH=. .venv/bin/python bench/bench_gan_batch.py [--runs 1,8,16,30] [--epochs 50] \
        [--recipe "b128:batch=128" ...]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_gan_convergence import recipe  # noqa: E402

from genlab.device import configure  # noqa: E402
from genlab.gan import cohort, datasets  # noqa: E402
from genlab.gan import jobs as gan_jobs  # noqa: E402
from genlab.gan.config import GanConfig  # noqa: E402
from genlab.gan.training import Trainer  # noqa: E402


def train_stacked(trainers: list[Trainer], epochs: int) -> None:
    cohort.train(trainers, epochs)


def train_sliced(trainers: list[Trainer], epochs: int) -> None:
    """As a shared worker does (genlab.gan.jobs): stacked models of at most SLICE runs."""
    for first in range(0, len(trainers), gan_jobs.SLICE):
        cohort.train(trainers[first : first + gan_jobs.SLICE], epochs)


def one_after_another(trainers: list[Trainer], epochs: int) -> None:
    for t in trainers:
        t.train(epochs)


def rate(fn, trainers, epochs: int) -> float:
    start = time.perf_counter()
    fn(trainers, epochs)
    return len(trainers) * epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="1,8,16,30")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--recipe", action="append", default=[], help="name:field=value,...")
    args = parser.parse_args()
    configure()
    setups = {"default": GanConfig(), **dict(map(recipe, args.recipe))}
    sliced = f"slices of {gan_jobs.SLICE}"
    print(
        f"{'recipe':24} {'runs':>5} {'one after another':>18} {'stacked':>10} {sliced:>13}"
        "  (total epochs/s)"
    )
    ways = (one_after_another, train_stacked, train_sliced)
    for n in (int(r) for r in args.runs.split(",")):
        data = {name: datasets.make(cfg.dataset, None) for name, cfg in setups.items()}
        trainers = {
            name: [Trainer(cfg.replace(seed=i), data[name]) for i in range(n)]
            for name, cfg in setups.items()
        }
        rates = {name: [[] for _ in ways] for name in setups}
        for _ in range(args.repeats):  # interleaved: the machine's noise hits all alike
            for name, runs in trainers.items():
                for way, got in zip(ways, rates[name], strict=True):
                    got.append(rate(way, runs, args.epochs))
        base = statistics.median(rates["default"][2])
        for name, got in rates.items():
            a, b, c = (statistics.median(r) for r in got)
            print(
                f"{name:24} {n:5} {a:18,.0f} {b:10,.0f} {c:13,.0f}  ratios {b / a:.2f} {c / a:.2f}"
                f"; vs default {c / base:.2f}"
            )


if __name__ == "__main__":
    main()
