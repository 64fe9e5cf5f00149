"""``python -m genlab train-lm``: train a language model from the command line.

Prints one JSON object per evaluation (step, elapsed_s, train_loss, val_loss, tokens_per_s) and a
last one with ``"done": true``; ``--out`` writes the checkpoint the page can upload.
"""

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import torch

from genlab import device
from genlab.text import checkpoint, corpora
from genlab.text.models import MODELS
from genlab.text.tokenizers import KINDS, build_tokenizer
from genlab.text.training import DEFAULT_PRESET, GPT_PRESETS, Trainer, preset

PRINT_EVERY_S = 1.0


def register(subparsers) -> None:
    p = subparsers.add_parser("train-lm", help="train a language model on a corpus")
    p.add_argument(
        "--corpus", default="shakespeare", help="shakespeare, machado, portuguese or a PATH"
    )
    p.add_argument("--tokenizer", choices=KINDS, default="char")
    p.add_argument("--vocab-size", type=int, default=None, help="BPE size / word vocabulary cap")
    p.add_argument("--model", choices=MODELS, default="gpt")
    p.add_argument("--preset", choices=tuple(GPT_PRESETS), default=DEFAULT_PRESET)
    p.add_argument("--steps", type=int, default=None, help="override the preset's steps")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--lr", type=float, default=None, help="peak learning rate")
    p.add_argument("--min-lr", type=float, default=None, help="learning rate at the last step")
    p.add_argument("--warmup", type=int, default=None, help="warmup steps")
    p.add_argument("--dropout", type=float, default=None, help="override the preset's dropout")
    p.add_argument("--layers", type=int, default=None, help="GPT: override the preset's layers")
    p.add_argument("--heads", type=int, default=None, help="GPT: attention heads per layer")
    p.add_argument("--width", type=int, default=None, help="GPT: embedding width")
    p.add_argument("--context", type=int, default=None, help="context length in tokens")
    p.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default=os.environ.get("GENLAB_DEVICE", "auto"),
        help="where to train (auto: CUDA when present)",
    )
    p.add_argument("--eval-interval", type=int, default=None)
    p.add_argument("--timeline-points", type=int, default=None)
    p.add_argument("--max-seconds", type=float, default=0.0)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--title", default="")
    p.add_argument("--out", type=Path, default=None, help="write the checkpoint here")
    p.add_argument("--json", action="store_true", help="one JSON object per line (default: text)")
    p.set_defaults(func=main)


def _text(corpus: str) -> tuple[str, str]:
    if corpus in corpora.BUILTIN:
        return corpora.load_corpus(corpus), corpus
    path = Path(corpus)
    return corpora.decode_upload(path.read_bytes(), path.name), f"upload:{path.name}"


def _emit(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record), flush=True)
        return
    shown = ", ".join(
        f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in record.items()
    )
    print(shown, flush=True)


def main(args: argparse.Namespace) -> int:
    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda, but this torch sees no CUDA GPU", file=sys.stderr)
        return 2
    os.environ["GENLAB_DEVICE"] = args.device
    print(f"training on {device.configure()}", file=sys.stderr)
    text, corpus = _text(args.corpus)
    tok = build_tokenizer(args.tokenizer, text, args.vocab_size)
    model_cfg, train_cfg = preset(args.model, tok.vocab_size, args.preset)
    overrides = {
        "steps": args.steps,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "min_lr": args.min_lr,
        "warmup": args.warmup,
        "eval_interval": args.eval_interval,
        "timeline_points": args.timeline_points,
    }
    train_cfg = replace(
        train_cfg,
        max_seconds=args.max_seconds,
        seed=args.seed,
        **{k: v for k, v in overrides.items() if v is not None},
    )
    shape = {
        "dropout": args.dropout,
        "n_layer": args.layers,
        "n_head": args.heads,
        "n_embd": args.width,
        "block_size": args.context,
    }
    model_cfg = replace(model_cfg, **{k: v for k, v in shape.items() if v is not None})
    trainer = Trainer(text, tok, model_cfg, train_cfg, corpus)
    while not trainer.done:
        for record in trainer.run_for(PRINT_EVERY_S):
            _emit(record, args.json)
    last = trainer.history[-1]
    _emit({**last, "done": True, "sample": trainer.sample()}, args.json)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        checkpoint.save_lm(trainer.result(args.title), args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0
