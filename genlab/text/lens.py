"""A look inside a GPT for one prompt: embeddings, each layer's attention and MLP, the logit lens.

The logit lens reads the residual stream after each block through the model's own final layer
norm and head (``lm_head(ln_f(x))``), so the next-token distribution is seen forming layer by
layer; the lens after the last block is exactly the model's output distribution.
"""

from dataclasses import dataclass

import numpy as np
import torch

from genlab.errors import UserError
from genlab.text.checkpoint import LanguageModel

MAX_TOKENS = 24  # the attention maps show at most this many of the prompt's last tokens


@dataclass
class Layer:
    """What one block did at the last position, and the lens read after it."""

    attention: np.ndarray  # [heads, T] how much the last token reads each position, per head
    maps: np.ndarray  # [heads, T, T] the full attention of the shown tokens
    attn_norm: float  # size of what attention added to the last position's vector
    mlp_norm: float  # size of what the MLP added to it
    lens: torch.Tensor  # [V] next-token probabilities read after this block


@dataclass
class Inside:
    """Token -> embedding -> layers -> logits -> softmax for the last position of a prompt."""

    ids: list[int]  # the tokens the model read (at most block_size)
    shown: int  # how many of the last ids the attention maps show
    embedding_norm: float  # size of the last position's token + position embedding
    embedding_lens: torch.Tensor  # [V] the lens read on the embedding alone (before any block)
    layers: list[Layer]
    logits: torch.Tensor  # [V] the model's final scores
    probs: torch.Tensor  # [V] softmax of the final scores


def _read(model, x: torch.Tensor) -> torch.Tensor:
    """The lens: final layer norm and head on the last position, as probabilities."""
    return torch.softmax(model.lm_head(model.ln_f(x[0, -1])).double(), dim=-1)


def _block(block, x: torch.Tensor, shown: int) -> tuple[torch.Tensor, dict]:
    """One transformer block, step by step (same maths as ``Block.forward``)."""
    a, weights = block.attn(block.ln_1(x), return_attention=True)
    x = x + a
    m = block.mlp(block.ln_2(x))
    part = weights[0, :, -shown:, -shown:]
    return x + m, {
        "attention": weights[0, :, -1, -shown:].numpy(),
        "maps": part.numpy(),
        "attn_norm": float(a[0, -1].norm()),
        "mlp_norm": float(m[0, -1].norm()),
    }


@torch.no_grad()
def look_inside(lm: LanguageModel, ids: list[int], max_tokens: int = MAX_TOKENS) -> Inside:
    """Run a GPT on the last ``block_size`` ids, keeping what happens at each stage."""
    if lm.config.model != "gpt":
        raise UserError("next.err_attention_gpt_only")
    if not ids:
        raise UserError("next.err_prompt_empty", pieces="")
    model = lm.model
    ids = list(ids[-lm.config.block_size :])
    idx = torch.tensor([ids], dtype=torch.long)
    x = model.wte(idx) + model.wpe(torch.arange(len(ids)))
    shown = min(max_tokens, len(ids))
    inside = Inside(ids, shown, float(x[0, -1].norm()), _read(model, x), [], None, None)
    for block in model.blocks:
        x, parts = _block(block, x, shown)
        inside.layers.append(Layer(lens=_read(model, x), **parts))
    inside.logits = model.lm_head(model.ln_f(x[0, -1])).float()
    inside.probs = torch.softmax(inside.logits.double(), dim=-1)
    return inside


def lens_table(inside: Inside, k: int = 8) -> tuple[list[int], list[list[float]]]:
    """The final top-``k`` token ids, and each stage's probability for them (embedding first)."""
    top = torch.topk(inside.probs, min(k, inside.probs.numel())).indices.tolist()
    stages = [inside.embedding_lens] + [layer.lens for layer in inside.layers]
    return top, [[float(p[i]) for i in top] for p in stages]


def stage_tops(inside: Inside) -> list[tuple[int, float]]:
    """The most likely next token read at each stage (embedding, then after each layer)."""
    stages = [inside.embedding_lens] + [layer.lens for layer in inside.layers]
    return [(int(torch.argmax(p)), float(p.max())) for p in stages]
