"""A trained language model as one safetensors file: weights, config, tokenizer and history."""

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import torch
from torch import nn

from genlab import checkpoint
from genlab.errors import UserError
from genlab.text.models import LMConfig, build_model
from genlab.text.tokenizers import Tokenizer

KIND = "genlab.text.lm"
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "assets" / "text"
TIMELINE_PREFIX = "timeline."


@dataclass
class LanguageModel:
    """A model ready to use (eval mode) with what is needed to read and write its tokens."""

    model: nn.Module
    tokenizer: Tokenizer
    config: LMConfig
    meta: dict
    timeline: list[tuple[int, torch.Tensor]] = field(default_factory=list)


def _payload(lm: LanguageModel) -> tuple[dict, dict]:
    tensors = {f"model.{k}": v for k, v in lm.model.state_dict().items()}
    tensors = {k: v for k, v in tensors.items() if k != "model.lm_head.weight"}
    for step, emb in lm.timeline:
        tensors[f"{TIMELINE_PREFIX}{step}"] = emb.to(torch.float16)
    meta = {
        "kind": KIND,
        "config": lm.config.to_dict(),
        "tokenizer": lm.tokenizer.to_dict(),
        "meta": lm.meta,
    }
    return tensors, meta


def dumps(lm: LanguageModel) -> bytes:
    """The checkpoint as bytes (a download)."""
    return checkpoint.dumps(*_payload(lm))


def save_lm(lm: LanguageModel, file: Path | BinaryIO) -> None:
    checkpoint.save(file, *_payload(lm))


def load_lm(data: bytes | Path) -> LanguageModel:
    """Read a checkpoint written by ``save_lm``; anything else is refused with a UserError."""
    tensors, meta = checkpoint.load(data)
    if not isinstance(meta, dict):
        raise UserError("common.err_checkpoint_malformed", detail="metadata")
    if meta.get("kind") != KIND:
        raise UserError("common.err_checkpoint_kind", found=meta.get("kind", "?"))
    cfg = LMConfig.from_dict(meta.get("config"))
    tok = Tokenizer.from_dict(meta.get("tokenizer") or {})
    if tok.vocab_size != cfg.vocab_size:
        raise UserError("text.err_checkpoint_vocab", tokens=tok.vocab_size, model=cfg.vocab_size)
    model = build_model(cfg)
    expected = {f"model.{k}": tuple(v.shape) for k, v in model.state_dict().items()}
    expected.pop("model.lm_head.weight", None)
    weights = {k: v for k, v in tensors.items() if k.startswith("model.")}
    checkpoint.expect_shapes(weights, expected)
    if set(weights) != set(expected):
        extra = ", ".join(sorted(set(weights) - set(expected))[:5])
        raise UserError("text.err_checkpoint_extra", names=extra)
    model.load_state_dict({k[len("model.") :]: v for k, v in weights.items()}, strict=False)
    model.eval()
    width = model.token_embeddings().shape
    timeline = []
    for name, emb in tensors.items():
        if name.startswith(TIMELINE_PREFIX):
            if tuple(emb.shape) != tuple(width) or not name[len(TIMELINE_PREFIX) :].isdigit():
                raise UserError(
                    "common.err_checkpoint_shape",
                    name=name,
                    found=tuple(emb.shape),
                    expected=tuple(width),
                )
            timeline.append((int(name[len(TIMELINE_PREFIX) :]), emb.float()))
    info = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
    return LanguageModel(model, tok, cfg, info, sorted(timeline, key=lambda p: p[0]))


def shipped() -> dict[str, Path]:
    """The ready-trained checkpoints bundled with the lab, by name."""
    return {p.stem: p for p in sorted(SHIPPED_DIR.glob("*.safetensors"))}


@functools.cache
def load_shipped(name: str) -> LanguageModel:
    """A shipped checkpoint, loaded once per process (never modify the returned model)."""
    paths = shipped()
    if name not in paths:
        raise UserError("text.err_checkpoint_unknown", name=name)
    return load_lm(paths[name])
