"""The few lines of PyTorch behind each step of the next-token pipeline, filled with the current
numbers (as in the lecture: ``logits[:, -1, :]`` -> ``F.softmax`` -> ``torch.multinomial``).

Comments arrive translated from the page (``notes``: a dict of short sentences by name); nothing
here knows a language. The numbers are the pipeline's own, for the few most likely tokens.
"""

import math
from collections.abc import Sequence

import torch

from genlab.text.sampling import Pipeline, SamplingConfig

SHOWN = 4  # tokens whose numbers are written out


def _top(pipe: Pipeline, k: int = SHOWN) -> list[int]:
    """The most likely tokens after penalty and temperature."""
    return pipe.order[:k].tolist()


def _top_raw(pipe: Pipeline, k: int = SHOWN) -> list[int]:
    """The model's own highest scores, before any setting."""
    return torch.sort(pipe.logits, descending=True, stable=True).indices[:k].tolist()


def _name(tokens: Sequence[str], i: int) -> str:
    return repr(tokens[i])


def logits_code(pipe: Pipeline, tokens: Sequence[str], notes: dict) -> str:
    lines = [
        f"logits, _ = model(idx)          # {notes['forward']}",
        f"logits = logits[:, -1, :]       # {notes['last']} ({pipe.logits.numel()})",
    ]
    lines += [f"# {_name(tokens, i)}: {float(pipe.logits[i]):.3f}" for i in _top_raw(pipe)]
    return "\n".join(lines)


def softmax_code(pipe: Pipeline, tokens: Sequence[str], notes: dict) -> str:
    """exp, then divide by the sum: the softmax at temperature 1, with its numbers."""
    finite = pipe.logits[torch.isfinite(pipe.logits)]
    total = float(torch.exp(finite.double()).sum()) if finite.numel() else 0.0
    lines = [
        f"e = torch.exp(logits)           # {notes['exp']}",
        f"probs = e / e.sum()             # {notes['divide']}",
        f"# e.sum() = {total:.6g}",
    ]
    for i in _top_raw(pipe):
        e = (
            math.exp(min(float(pipe.logits[i]), 700.0))
            if math.isfinite(float(pipe.logits[i]))
            else 0.0
        )
        lines.append(f"# {_name(tokens, i)}: exp = {e:.6g}, / sum = {float(pipe.raw[i]):.4f}")
    lines.append(f"probs = F.softmax(logits, dim=-1)  # {notes['same']}")
    return "\n".join(lines)


def penalty_code(pipe: Pipeline, tokens: Sequence[str], penalty: float, notes: dict) -> str:
    lines = [
        f"penalty = {penalty:g}",
        f"for t in set(context):          # {notes['penalty']}",
        "    s = logits[t]",
        "    logits[t] = s / penalty if s > 0 else s * penalty",
    ]
    hit = pipe.penalised_ids[:SHOWN]
    lines += [
        f"# {_name(tokens, i)}: {float(pipe.logits[i]):.3f} -> {float(pipe.scores[i]):.3f}"
        for i in hit
    ] or [f"# {notes['nothing']}"]
    return "\n".join(lines)


def temperature_code(pipe: Pipeline, tokens: Sequence[str], temperature: float, notes: dict):
    if temperature == 0:
        lines = [f"next_id = torch.argmax(logits)  # {notes['greedy']}"]
    else:
        lines = [
            f"T = {temperature:g}",
            f"probs = F.softmax(logits / T, dim=-1)  # {notes['divide_t']}",
        ]
        lines += [
            f"# {_name(tokens, i)}: {float(pipe.scores[i]):.3f} / {temperature:g}"
            f" = {float(pipe.scores[i]) / temperature:.3f} -> {float(pipe.tempered[i]):.4f}"
            for i in _top(pipe)
        ]
    return "\n".join(lines)


def filters_code(pipe: Pipeline, config: SamplingConfig, notes: dict) -> str:
    lines = []
    if config.top_k:
        lines.append(f"v, _ = torch.topk(probs, {config.top_k})")
        lines.append(f"probs[probs < v[-1]] = 0          # {notes['top_k']}")
    if config.top_p < 1:
        lines.append(f"# top-p {config.top_p:g}: {notes['top_p']}")
    if config.min_p > 0:
        lines.append(f"probs[probs < {config.min_p:g} * probs.max()] = 0  # {notes['min_p']}")
    lines.append(f"probs = probs / probs.sum()       # {notes['renormalise']}")
    lines.append(f"# {notes['kept']}: {int(pipe.kept.sum())} / {pipe.kept.numel()}")
    return "\n".join(lines)


def draw_code(pipe: Pipeline, tokens: Sequence[str], drawn: int | None, notes: dict) -> str:
    lines = [f"next_id = torch.multinomial(probs, num_samples=1)  # {notes['draw']}"]
    if drawn is not None:
        lines.append(
            f"# next_id = {drawn} -> {_name(tokens, drawn)} ({float(pipe.final[drawn]):.4f})"
        )
    lines.append(f"idx = torch.cat((idx, next_id), dim=1)  # {notes['append']}")
    return "\n".join(lines)
