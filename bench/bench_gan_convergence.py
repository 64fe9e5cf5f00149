"""GAN room: time to learn the ring, default setup vs the GAN Lab ring recipe, 5 seeds each.

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
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genlab.device import configure  # noqa: E402
from genlab.gan import datasets  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    configure()
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
