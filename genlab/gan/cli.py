"""``python -m genlab gan``: train a 2-D GAN without a browser, printing evaluations.

Each evaluation compares 20,000 fakes with 20,000 real samples on a 30x30 grid (see metrics.py);
``elapsed_s`` counts training time only (evaluations are excluded).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from genlab.device import configure
from genlab.gan import datasets
from genlab.gan.config import DATASETS, GanConfig, preset
from genlab.gan.metrics import SAMPLES, Evaluator
from genlab.gan.training import Trainer

DEFAULT_EPOCHS = 5000


def register(subparsers) -> None:
    p = subparsers.add_parser("gan", help="train a GAN on a 2-D distribution", description=__doc__)
    p.add_argument("--dataset", default="ring", choices=[*DATASETS, "csv"])
    p.add_argument("--csv", type=Path, help="a CSV of 2-D points (with --dataset csv)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, help=f"stop after this many epochs ({DEFAULT_EPOCHS})")
    p.add_argument("--max-seconds", type=float, help="stop after this much training time")
    p.add_argument("--eval-every", type=float, default=0.5, help="seconds of training between")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="any configuration field, e.g. --set loss=hinge --set d_lr=0.01",
    )
    p.add_argument("--load", type=Path, help="start from a saved model (.safetensors)")
    p.add_argument("--save", type=Path, help="save the model at the end (.safetensors)")
    p.add_argument("--dump", type=Path, help="write 20,000 real and fake points (.npz) at the end")
    p.add_argument("--json", action="store_true", help="one JSON object per evaluation")
    p.set_defaults(func=main)


def build(args) -> Trainer:
    if args.load:
        return Trainer.load(args.load)
    fields = preset(args.dataset) | {"seed": args.seed}
    for item in args.set:
        name, _, value = item.partition("=")
        fields[name.strip()] = value.strip()
    cfg = GanConfig.from_dict(fields)
    data = datasets.from_csv(args.csv.read_bytes()) if args.dataset == "csv" else None
    return Trainer(cfg, data or datasets.builtin(cfg.dataset))


def main(args) -> int:
    configure()
    trainer = build(args)
    evaluator = Evaluator(trainer.data)
    epochs = args.epochs
    if epochs is None and args.max_seconds is None:
        epochs = DEFAULT_EPOCHS
    trained = 0.0
    while True:
        start = time.perf_counter()
        while time.perf_counter() - start < args.eval_every:
            trainer.train(10)
            if epochs is not None and trainer.epoch >= epochs:
                break
            spent = trained + time.perf_counter() - start
            if args.max_seconds is not None and spent >= args.max_seconds:
                break
        trained += time.perf_counter() - start
        record = {"epoch": trainer.epoch, "elapsed_s": round(trained, 3), **trainer.stats()}
        record.update(evaluator(trainer.generate(SAMPLES)))
        record["diverged"] = trainer.diverged()
        print(json.dumps(record) if args.json else _line(record), flush=True)
        done = (epochs is not None and trainer.epoch >= epochs) or (
            args.max_seconds is not None and trained >= args.max_seconds
        )
        if done or record["diverged"]:
            break
    if args.dump:
        real = trainer.data.sample(SAMPLES, seed=args.seed + 1)
        np.savez_compressed(args.dump, real=real, fake=trainer.generate(SAMPLES))
    if args.save:
        trainer.save(args.save)
    return 1 if record["diverged"] else 0


def _line(r: dict) -> str:
    return (
        f"epoch {r['epoch']:>7}  {r['elapsed_s']:7.2f} s  D loss {r.get('d_loss', 0):.3f}  "
        f"G loss {r.get('g_loss', 0):.3f}  KL {r['kl']:.3f}  JS {r['js']:.3f} bits"
    )
