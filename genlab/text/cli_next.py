"""``python -m genlab next``: the next-token distribution of a checkpoint for a prompt."""

import argparse
import json
from pathlib import Path

from genlab import device
from genlab.errors import UserError
from genlab.text import lens, probe, sampling
from genlab.text.checkpoint import load_lm, load_shipped, shipped
from genlab.text.sampling import SamplingConfig

TOP = 10


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "next",
        help="next-token probabilities of a language model for a prompt",
        description=(
            "Prints the next-token distribution. raw_probs: the model's softmax at temperature 1 "
            "with no filter; probs: the final distribution sampling draws from (repetition "
            "penalty, temperature, then top-k, top-p, min-p, renormalised)."
        ),
    )
    p.add_argument(
        "--checkpoint", required=True, help="a .safetensors file, or a shipped model's name"
    )
    p.add_argument("--prompt", required=True)
    p.add_argument("--temperature", type=float, default=1.0, help="0 = greedy (default 1)")
    p.add_argument("--top-k", type=int, default=0, help="0 = off (default)")
    p.add_argument("--top-p", type=float, default=1.0, help="1 = off (default)")
    p.add_argument("--min-p", type=float, default=0.0, help="0 = off (default)")
    p.add_argument("--repetition-penalty", type=float, default=1.0, help="1 = off (default)")
    p.add_argument(
        "--json", action="store_true", help='print {"tokens", "raw_probs", "probs"} as JSON'
    )
    p.add_argument(
        "--lens",
        action="store_true",
        help="GPT only: the logit lens, the most likely next tokens read after the embedding "
        "and after each layer (the last layer's row is the model's own distribution)",
    )
    p.set_defaults(func=main)


def load(checkpoint: str):
    path = Path(checkpoint)
    if path.is_file():
        return load_lm(path)
    if checkpoint in shipped():
        return load_shipped(checkpoint)
    raise UserError("next.err_checkpoint_missing", path=checkpoint, names=", ".join(shipped()))


def distribution(args: argparse.Namespace) -> dict:
    """Tokens, raw probabilities and final probabilities over the whole vocabulary."""
    config = SamplingConfig(
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        min_p=args.min_p,
        repetition_penalty=args.repetition_penalty,
    ).validate()
    lm = load(args.checkpoint)
    prompt = probe.read_prompt(lm, args.prompt)
    pipe = sampling.run(probe.next_logits(lm, prompt.ids), config, previous=prompt.ids)
    return {
        "tokens": list(lm.tokenizer.tokens),
        "raw_probs": pipe.raw.tolist(),
        "probs": pipe.final.tolist(),
        "unknown": prompt.unknown,
    }


def print_lens(args: argparse.Namespace) -> None:
    """One line per stage: the top tokens the lens reads there, with their probabilities."""
    lm = load(args.checkpoint)
    inside = lens.look_inside(lm, probe.read_prompt(lm, args.prompt).ids)
    stages = [("embedding", inside.embedding_lens)]
    stages += [(f"layer {i + 1}", layer.lens) for i, layer in enumerate(inside.layers)]
    for name, probs in stages:
        values, ids = probs.topk(min(5, probs.numel()))
        tops = "  ".join(
            f"{lm.tokenizer.tokens[i]!r} {p:.1%}"
            for i, p in zip(ids.tolist(), values.tolist(), strict=True)
        )
        print(f"{name:>10}  {tops}")


def main(args: argparse.Namespace) -> int:
    device.configure()
    if args.lens:
        print_lens(args)
        return 0
    result = distribution(args)
    if args.json:
        print(json.dumps({k: result[k] for k in ("tokens", "raw_probs", "probs")}))
        return 0
    if result["unknown"]:
        print(f"unknown to the vocabulary (skipped or read as <unk>): {result['unknown']}")
    probs, raw = result["probs"], result["raw_probs"]
    ranked = sorted(range(len(probs)), key=lambda i: (-probs[i], -raw[i]))[:TOP]
    print(f"{'token':>16}  {'raw':>8}  {'final':>8}")
    for i in ranked:
        print(f"{result['tokens'][i]!r:>16}  {raw[i]:8.2%}  {probs[i]:8.2%}")
    return 0
