"""Time for the lab's default GPT preset to reach the validation loss that nanoGPT's CPU recipe
(4 layers, 4 heads, 128 dims, block 64, batch 12, lr 1e-3 cosine to 1e-4 over 2,000 iterations,
dropout 0, gradient clipped at 1.0) reaches at its end, on Shakespeare (characters), both
trained by the lab's Trainer with one thread.

Validation is the loss over EVERY token of the validation split (``split_loss``), measured at
about 20 points of each run; its cost is counted apart (``eval s``) and not in the training
clocks. The two runs are interleaved in one-second slices so that both see the same load on a
shared machine. Two clocks per run: wall seconds spent in training steps (``train s``) and the
CPU seconds of the same steps (``cpu s``, steadier when the machine is shared). Prints both
curves side by side, then the ratio: the lab's time to the recipe's final validation loss
(interpolated between the two points around the crossing) / the recipe's time.

    .venv/bin/python bench/bench_text_speed.py [--repeats N] [--seed 1337] [--points 20]

To try a candidate: ``--set lr=6e-3 --set steps=1000`` overrides fields of the lab preset (model
or training settings), and ``--only lab`` (or ``recipe``) trains one side and prints its curve.
"""

import argparse
import itertools
import statistics
import sys
import time
from dataclasses import fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genlab import device
from genlab.text.corpora import load_corpus
from genlab.text.models import LMConfig
from genlab.text.tokenizers import build_tokenizer
from genlab.text.training import DEFAULT_PRESET, TrainConfig, Trainer, preset, split_loss

RECIPE = "nanogpt-cpu"
SLICE_S = 1.0
GOAL = 0.35
TINY_SHAKESPEARE_BIGRAM = 2.48


def _with(cfg, overrides: dict):
    """``cfg`` with the overrides (``KEY=VALUE`` text) that are its fields."""
    names = {f.name for f in fields(cfg)}
    return cfg.from_dict(cfg.to_dict() | {k: v for k, v in overrides.items() if k in names})


class Run:
    """One preset's training, advanced a slice at a time, with its whole-split curve."""

    def __init__(self, text, tok, name: str, seed: int, points: int, overrides: dict):
        model_cfg, train_cfg = preset("gpt", tok.vocab_size, name)
        model_cfg = _with(model_cfg, overrides)
        quiet = {"eval_interval": 10**9, "sample_interval": 10**9, "sample_tokens": 0}
        train_cfg = _with(train_cfg, overrides)
        train_cfg = replace(train_cfg, **quiet, timeline_points=0, seed=seed)
        self.name = name
        self.trainer = Trainer(text, tok, model_cfg, train_cfg, "shakespeare")
        self.trainer.run_for(0)  # the step-0 evaluation, outside the clocks
        self.every = max(1, train_cfg.steps // points)
        self.eval_s = 0.0
        self.curve = [self._point()]

    def _point(self) -> dict:
        tr = self.trainer
        t0 = time.perf_counter()
        last = tr.history[-1]
        loss = last.get("val_loss_full") or split_loss(tr.model, tr.val_ids, tr.cfg.block_size)
        self.eval_s += time.perf_counter() - t0
        return {"step": tr.step, "train_s": tr.train_time, "cpu_s": tr.train_cpu, "val": loss}

    def advance(self, seconds: float) -> None:
        start = time.perf_counter()
        while not self.trainer.done and time.perf_counter() - start < seconds:
            self.trainer.run_for(0)  # exactly one step
            if self.trainer.done or self.trainer.step % self.every == 0:
                self.curve.append(self._point())


def race(text, tok, seed: int, points: int, names, overrides: dict) -> dict[str, Run]:
    runs = {
        name: Run(text, tok, name, seed, points, overrides if name == DEFAULT_PRESET else {})
        for name in names
    }
    while not all(r.trainer.done for r in runs.values()):
        for r in runs.values():
            r.advance(SLICE_S)
    return runs


def time_to(curve: list[dict], loss: float, clock: str) -> float | None:
    """Seconds on ``clock`` at which the curve first reaches ``loss``, linear between points."""
    if curve[0]["val"] <= loss:
        return curve[0][clock]
    for a, b in itertools.pairwise(curve):
        if b["val"] <= loss:
            frac = (a["val"] - loss) / (a["val"] - b["val"])
            return a[clock] + frac * (b[clock] - a[clock])
    return None


def print_curves(runs: list[Run]) -> None:
    head = f"{'step':>6}{'train s':>9}{'cpu s':>8}{'val':>7}"
    print("| ".join(f"{r.name:<30}" for r in runs))
    print("  |".join(head for _ in runs))
    for points in itertools.zip_longest(*(r.curve for r in runs)):
        cells = [
            f"{p['step']:>6}{p['train_s']:>9.1f}{p['cpu_s']:>8.1f}{p['val']:>7.3f}"
            if p
            else " " * 30
            for p in points
        ]
        print("  |".join(cells))


def summarize(runs: list[dict[str, Run]]) -> None:
    rows = []
    for race_ in runs:
        lab, recipe = race_[DEFAULT_PRESET], race_[RECIPE]
        target, end = recipe.curve[-1]["val"], recipe.curve[-1]
        row = {"target": target, "lab_end": lab.curve[-1]["val"]}
        for clock in ("train_s", "cpu_s"):
            lab_t = time_to(lab.curve, target, clock)
            row[clock] = (lab_t, end[clock], lab_t / end[clock] if lab_t is not None else None)
        row["eval_s"] = (lab.eval_s, recipe.eval_s)
        rows.append(row)
    med = statistics.median
    print(f"recipe's final whole-split validation loss: {med(r['target'] for r in rows):.3f}")
    print(f"lab default's final one: {med(r['lab_end'] for r in rows):.3f}")
    for clock in ("train_s", "cpu_s"):
        reached = [r[clock] for r in rows if r[clock][0] is not None]
        print(
            f"{clock}: lab reached it in {len(reached)}/{len(rows)} runs; "
            + (
                f"lab {med(x[0] for x in reached):.1f} s, recipe "
                f"{med(x[1] for x in reached):.1f} s, ratio {med(x[2] for x in reached):.2f} "
                f"(goal <= {GOAL}; each run's: {', '.join(f'{x[2]:.2f}' for x in reached)})"
                if reached
                else "no ratio"
            )
        )
    lab_eval, recipe_eval = (med(r["eval_s"][i] for r in rows) for i in (0, 1))
    print(
        f"whole-split evaluations (not clocked): lab {lab_eval:.1f} s, recipe {recipe_eval:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1337, help="the first run's seed (then +1)")
    parser.add_argument("--points", type=int, default=20, help="whole-split evaluations per run")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="lab preset override"
    )
    parser.add_argument("--only", choices=("lab", "recipe"), help="train one side alone")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    known = {f.name for cls in (LMConfig, TrainConfig) for f in fields(cls)}
    if set(overrides) - known:
        parser.error(f"unknown settings: {', '.join(sorted(set(overrides) - known))}")
    names = {"lab": [DEFAULT_PRESET], "recipe": [RECIPE], None: [DEFAULT_PRESET, RECIPE]}
    device.configure()
    text = load_corpus("shakespeare")
    tok = build_tokenizer("char", text)
    if overrides:
        print(f"lab preset {DEFAULT_PRESET} with {overrides}")
    runs = []
    for seed in range(args.seed, args.seed + args.repeats):
        runs.append(race(text, tok, seed, args.points, names[args.only], overrides))
        print(f"--- run {len(runs)} (seed {seed}), Shakespeare characters, V={tok.vocab_size}")
        print_curves(list(runs[-1].values()))
    if args.only is None:
        summarize(runs)
    refs = next(iter(runs[0].values())).trainer.refs
    print(
        f"count bigram validation loss: {refs['bigram']:.3f} "
        f"(Tiny Shakespeare: ~{TINY_SHAKESPEARE_BIGRAM}); unigram {refs['unigram']:.3f}; "
        f"uniform ln V {refs['uniform']:.3f}"
    )


if __name__ == "__main__":
    main()
