"""GAN room: time (or epochs) to learn the ring, the default setup against other recipes.

Each run trains on the ring and measures grid JS divergence (30x30 grid over the data's range,
20,000 real and 20,000 fake samples, fakes outside the grid in an overflow bin, bits) every
0.25 s of training time: only the time spent in training steps counts towards the 10 s, the
evaluations (about 10 ms each) are excluded, as in ``python -m genlab gan``.
Prints, per seed, the training seconds until JS <= 0.10 bits (or "-"), and the best and final JS.
Goal (issue 5): default reaches JS <= 0.10 within 10 s in >= 4 of 5 seeds.
The GAN Lab recipe (batch 150, SGD, D lr 0.1, G lr 0.03, 3 D updates per epoch) runs on
the same networks and engine. The two setups run interleaved (seed by seed), so load changes on
the shared machine hit both alike; the load average is printed before and after.

    .venv/bin/python bench/bench_gan_convergence.py [--seconds 10] [--seeds 5]

Epoch mode (``--epochs N``, issue 12: a class of 30 shares the server, so what counts is how many
epochs a recipe needs, which no load on the machine changes): 30 seeds (``--seeds``) of each
recipe train as the engine trains them (genlab.gan.cohort, slices of genlab.gan.jobs.SLICE, when
the recipe stacks; one by one otherwise) and the JS the room shows (genlab.gan.jobs.METRIC_SAMPLES
fakes) is measured every ``--every`` epochs. Prints per recipe: the seeds reaching JS <= 0.10
within N epochs, the epochs by which half and 90 % of the seeds had reached it ("-": never), the
median final JS and the seeds that diverged. ``--recipe name:field=value,...`` adds a recipe
(changes from the current defaults); the defaults themselves always run.

    .venv/bin/python bench/bench_gan_convergence.py --epochs 8000 [--seeds 30] [--every 250] \
        [--recipe "b128:batch=128" ...]
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genlab.device import configure  # noqa: E402
from genlab.gan import cohort, datasets  # noqa: E402
from genlab.gan import jobs as gan_jobs  # noqa: E402
from genlab.gan.config import GanConfig  # noqa: E402
from genlab.gan.metrics import SAMPLES, Evaluator  # noqa: E402
from genlab.gan.training import Trainer  # noqa: E402

TARGET = 0.10
EVERY_S = 0.25
GANLAB_RING = {"batch": 150, "optimizer": "sgd", "d_lr": 0.1, "g_lr": 0.03, "d_steps": 3}


def run(cfg: GanConfig, seconds: float) -> dict:
    data = datasets.builtin(cfg.dataset)
    evaluator = Evaluator(data)
    trainer = Trainer(cfg, data)
    trained, reached, best, js = 0.0, None, 1.0, 1.0
    while trained < seconds:
        start = time.perf_counter()
        while time.perf_counter() - start < EVERY_S:
            trainer.train(10)
        trained += time.perf_counter() - start
        js = evaluator(trainer.generate(SAMPLES))["js"]
        best = min(best, js)
        if reached is None and js <= TARGET:
            reached = trained
    return {"reached": reached, "best": best, "final": js, "epochs": trainer.epoch}


def run_epochs(cfg: GanConfig, seeds: int, epochs: int, every: int) -> list[dict]:
    """Per seed: the first epoch at which JS <= TARGET (None: not within ``epochs``), the final
    JS and whether the run diverged (it then stops, as the room pauses it)."""
    data = datasets.builtin(cfg.dataset)
    evaluator = Evaluator(data, samples=gan_jobs.METRIC_SAMPLES)
    trainers = [Trainer(cfg.replace(seed=seed), data) for seed in range(seeds)]
    out = [{"reached": None, "final": 1.0, "diverged": False} for _ in trainers]
    stacks = cohort.key(trainers[0]) is not None
    live = list(range(seeds))
    for _ in range(0, epochs, every):
        if stacks:
            for first in range(0, len(live), gan_jobs.SLICE):
                part = live[first : first + gan_jobs.SLICE]
                kept = cohort.train([trainers[k] for k in part], every)
                for k, weights in zip(part, kept, strict=True):
                    out[k]["diverged"] = weights is None
        else:
            for k in live:
                trainers[k].train(every)
                out[k]["diverged"] = trainers[k].diverged()
        for k in live:
            r = out[k]
            r["final"] = (
                1.0
                if r["diverged"]
                else evaluator(trainers[k].generate(gan_jobs.METRIC_SAMPLES))["js"]
            )
            if r["reached"] is None and r["final"] <= TARGET:
                r["reached"] = trainers[k].epoch
        live = [k for k in live if not out[k]["diverged"]]
    return out


def epoch_mode(args, setups: dict[str, GanConfig]) -> None:
    print(
        f"ring, {args.seeds} seeds x {args.epochs:,} epochs, JS ({gan_jobs.METRIC_SAMPLES:,} fakes)"
        f" every {args.every} epochs, target {TARGET} bits; load average {_load()}"
    )
    print(
        f"{'recipe':34} {'reached':>8} {'median ep':>10} {'p90 ep':>8} "
        f"{'median final JS':>16} {'diverged':>9} {'s':>6}"
    )
    for name, cfg in setups.items():
        start = time.perf_counter()
        results = run_epochs(cfg, args.seeds, args.epochs, args.every)
        when = sorted(r["reached"] if r["reached"] is not None else float("inf") for r in results)
        hits = sum(r["reached"] is not None for r in results)
        print(
            f"{name:34} {hits:>5}/{len(results):<2} {_quantile(when, 0.5):>10} "
            f"{_quantile(when, 0.9):>8} {statistics.median(r['final'] for r in results):16.3f} "
            f"{sum(r['diverged'] for r in results):9} {time.perf_counter() - start:6.0f}",
            flush=True,
        )
    print(f"load average at end: {_load()}")


def _quantile(sorted_values: list[float], q: float) -> str:
    """The epoch by which a share q of the seeds had reached the target."""
    value = sorted_values[math.ceil(q * len(sorted_values)) - 1]
    return "-" if value == float("inf") else f"{value:,.0f}"


def recipe(text: str) -> tuple[str, GanConfig]:
    """``name:field=value,...`` -> (name, the defaults with those changes, read as a link's)."""
    name, _, fields = text.partition(":")
    changes = dict(item.split("=", 1) for item in fields.split(",") if item)
    return name, GanConfig.from_query(changes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=None, help="5 (time mode), 30 (epoch mode)")
    parser.add_argument("--epochs", type=int, default=None, help="epoch mode: epochs per run")
    parser.add_argument("--every", type=int, default=250, help="epoch mode: epochs between JS")
    parser.add_argument("--recipe", action="append", default=[], help="name:field=value,...")
    args = parser.parse_args()
    configure()
    if args.epochs is not None:
        args.seeds = args.seeds or 30
        epoch_mode(args, {"default": GanConfig(), **dict(map(recipe, args.recipe))})
        return
    args.seeds = args.seeds or 5
    setups = {"default": GanConfig(), "GAN Lab recipe": GanConfig().replace(**GANLAB_RING)}
    print(f"ring, {args.seconds:g} s of training per run, JS target {TARGET} bits")
    print(f"load average at start: {_load()}")
    print(
        f"{'setup':16} {'seed':>4} {'s to JS<=0.10':>14} "
        f"{'best JS':>8} {'final JS':>9} {'epochs':>7}"
    )
    summary = {name: [] for name in setups}
    for seed in range(args.seeds):  # interleaved: load changes hit both setups alike
        for name, cfg in setups.items():
            r = run(cfg.replace(seed=seed), args.seconds)
            summary[name].append(r)
            when = "-" if r["reached"] is None else f"{r['reached']:.2f}"
            print(
                f"{name:16} {seed:4} {when:>14} {r['best']:8.3f} {r['final']:9.3f} {r['epochs']:7}",
                flush=True,
            )
    print(f"\nload average at end: {_load()}")
    for name, results in summary.items():
        hits = sum(r["reached"] is not None for r in results)
        print(
            f"{name:16} reached in {hits}/{len(results)} seeds; "
            f"median best JS {statistics.median(r['best'] for r in results):.3f}, "
            f"median final JS {statistics.median(r['final'] for r in results):.3f}, "
            f"median epochs {statistics.median(r['epochs'] for r in results):,.0f}"
        )


def _load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
