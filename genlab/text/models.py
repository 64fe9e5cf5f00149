"""Language models: count bigram, neural bigram, and a small GPT as in "Let's build GPT".

Every model maps token ids ``idx[B, T]`` to next-token logits ``[B, T, V]`` (and the mean
cross-entropy when targets are given) and exposes ``token_embeddings()`` (one row per token).
"""

import itertools
import math
import os
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from genlab.errors import UserError
from genlab.settings import Settings, errors

MODELS = ("count-bigram", "bigram", "gpt")
# "Let's build GPT" (10.8 M parameters with 65 characters) still trains under the default.
DEFAULT_MAX_PARAMS = 16_000_000
MAX_BLOCK = 1024
MAX_LAYERS = 48


class ReLUSquared(torch.autograd.Function):
    """max(x, 0)^2 in two element-wise passes each way (``F.relu(x).square()`` takes five)."""

    @staticmethod
    def forward(ctx, x):
        r = x.clamp_min(0)
        ctx.save_for_backward(r)
        return r * r

    @staticmethod
    def backward(ctx, grad):
        (r,) = ctx.saved_tensors
        return (grad * r).mul_(2)


# the MLP's non-linearity: GPT-2's GELU, or ReLU squared (the default preset's: it learns faster
# here, docs/benchmarks.md)
ACTIVATIONS = {"gelu": F.gelu, "relu2": ReLUSquared.apply}


def max_params() -> int:
    """The largest model the lab builds or loads: ``GENLAB_MAX_PARAMS`` (read when validating)."""
    return int(os.environ.get("GENLAB_MAX_PARAMS", DEFAULT_MAX_PARAMS))


@dataclass
class LMConfig(Settings):
    """What a language model is: its kind and its shape (training settings live elsewhere)."""

    model: str = "gpt"
    vocab_size: int = 65
    block_size: int = 64
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    activation: str = "gelu"
    bias: bool = False
    smoothing: float = 1.0

    ERRORS = errors("text.err_config")

    def validate(self) -> "LMConfig":
        """Refuse impossible or unreasonable shapes with a message the participant can act on."""
        if self.model not in MODELS:
            raise UserError("text.err_model_kind", model=self.model)
        if self.vocab_size < 2:
            raise UserError("text.err_vocab_too_small", size=self.vocab_size)
        if not 1 <= self.block_size <= MAX_BLOCK:
            raise UserError("text.err_block_size", size=self.block_size, high=MAX_BLOCK)
        if not 0.0 <= self.dropout < 0.9:
            raise UserError("text.err_dropout", value=self.dropout)
        if self.activation not in ACTIVATIONS:
            raise UserError(
                "text.err_activation", name=self.activation, known=", ".join(ACTIVATIONS)
            )
        if self.smoothing < 0:
            raise UserError("text.err_smoothing", value=self.smoothing)
        if self.model == "gpt":
            if self.n_layer < 1 or self.n_head < 1 or self.n_embd < 1:
                raise UserError("text.err_gpt_sizes")
            if self.n_layer > MAX_LAYERS:
                raise UserError("text.err_too_many_layers", layers=self.n_layer, high=MAX_LAYERS)
            if self.n_embd % self.n_head:
                raise UserError("text.err_heads_width", heads=self.n_head, width=self.n_embd)
        if self.param_count() > max_params():
            limit = f"{max_params() / 1e6:g}"
            raise UserError("text.err_too_big", params=self.param_count(), limit=limit)
        return self

    def param_count(self) -> int:
        """Number of trainable numbers of the model this config describes."""
        v, d = self.vocab_size, self.n_embd
        if self.model != "gpt":
            return v * v
        ln = d * (2 if self.bias else 1)
        block = 2 * ln + 12 * d * d + (9 * d if self.bias else 0)
        return v * d + self.block_size * d + self.n_layer * block + ln


def crop(idx: torch.Tensor, cfg: LMConfig) -> torch.Tensor:
    """Keep only the last ``block_size`` tokens of each row (what the model can see)."""
    return idx[:, -cfg.block_size :]


def _loss(logits: torch.Tensor, targets: torch.Tensor | None):
    if targets is None:
        return None
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))


class CountBigram(nn.Module):
    """Counts of which token follows which, turned into log-probabilities (no gradient descent)."""

    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.smoothing = cfg.smoothing
        self.register_buffer("counts", torch.zeros(cfg.vocab_size, cfg.vocab_size))

    def fit(self, ids: torch.Tensor) -> None:
        """Count every (token, next token) pair of a 1-D id sequence."""
        v = self.counts.size(0)
        pairs = ids[:-1] * v + ids[1:]
        self.counts.copy_(torch.bincount(pairs, minlength=v * v).view(v, v).float())

    def log_probs(self) -> torch.Tensor:
        smoothed = self.counts + self.smoothing
        rows = smoothed.sum(dim=1, keepdim=True).clamp_min(1e-12)
        return torch.log(smoothed / rows)

    def forward(self, idx, targets=None):
        # only the rows asked for: the whole V x V table per call took 0.17 s at V = 4,000, and
        # generating 700 tokens with it 2 minutes
        smoothed = self.counts[idx] + self.smoothing
        logits = torch.log(smoothed / smoothed.sum(dim=-1, keepdim=True).clamp_min(1e-12))
        return logits, _loss(logits, targets)

    def token_embeddings(self) -> torch.Tensor:
        return self.log_probs()


class Bigram(nn.Module):
    """The lecture's model: a V x V table whose row for a token holds the next token's logits."""

    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.token_embedding_table = nn.Embedding(cfg.vocab_size, cfg.vocab_size)

    def forward(self, idx, targets=None):
        logits = self.token_embedding_table(idx)
        return logits, _loss(logits, targets)

    def token_embeddings(self) -> torch.Tensor:
        return self.token_embedding_table.weight.detach()


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.n_head = cfg.n_head
        self.dropout = cfg.dropout
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.attn_dropout = nn.Dropout(cfg.dropout)
        self.resid_dropout = nn.Dropout(cfg.dropout)

    def forward(self, x, return_attention=False):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2) for t in (q, k, v))
        weights = None
        if return_attention:
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            weights = scores.masked_fill(~mask, float("-inf")).softmax(dim=-1)
            y = self.attn_dropout(weights) @ v
        else:
            p = self.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y)), weights


class MLP(nn.Module):
    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.act = ACTIVATIONS[cfg.activation]
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x, return_attention=False):
        a, weights = self.attn(self.ln_1(x), return_attention)
        x = x + a
        return x + self.mlp(self.ln_2(x)), weights


class GPT(nn.Module):
    """nanoGPT's model: token + position embeddings, causal self-attention blocks, tied head."""

    def __init__(self, cfg: LMConfig):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)
        self.wpe = nn.Embedding(cfg.block_size, cfg.n_embd)
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layer))
        self.ln_f = nn.LayerNorm(cfg.n_embd, bias=cfg.bias)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, idx, targets=None, return_attention=False):
        T = idx.size(1)
        if self.cfg.block_size < T:
            raise UserError("text.err_context_too_long", length=T, block=self.cfg.block_size)
        pos = torch.arange(T, device=idx.device)
        x = self.drop(self.wte(idx) + self.wpe(pos))
        attention = []
        for block in self.blocks:
            x, weights = block(x, return_attention)
            attention.append(weights)
        logits = self.lm_head(self.ln_f(x))
        loss = _loss(logits, targets)
        if return_attention:
            return logits, loss, attention
        return logits, loss

    def token_embeddings(self) -> torch.Tensor:
        return self.wte.weight.detach()


def build_model(cfg: LMConfig) -> nn.Module:
    """A freshly initialised model for a validated config."""
    cfg.validate()
    return {"count-bigram": CountBigram, "bigram": Bigram, "gpt": GPT}[cfg.model](cfg)


@torch.no_grad()
def generate(model, cfg: LMConfig, idx: torch.Tensor, n: int, generator=None) -> torch.Tensor:
    """Append ``n`` tokens sampled from the model's softmax (temperature 1), as in the lecture."""
    idx = idx.to(next(itertools.chain(model.parameters(), model.buffers())).device)
    for _ in range(n):
        logits = model(crop(idx, cfg))[0][:, -1, :].cpu()  # the generator lives on the CPU
        nxt = torch.multinomial(logits.softmax(dim=-1), 1, generator=generator)
        idx = torch.cat([idx, nxt.to(idx.device)], dim=1)
    return idx
