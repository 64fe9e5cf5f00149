"""Checkpoints: one safetensors file whose header carries the run's JSON metadata.

Never a pickle: a participant's upload is parsed as data, and anything that is not a GenLab
safetensors file is refused with a message saying why.
"""

import json
import math
import struct
from pathlib import Path
from typing import BinaryIO

import safetensors.torch
import torch

from genlab.errors import UserError

META_KEY = "genlab"
MAX_BYTES = 512 * 1024 * 1024
PICKLE_MAGIC = (b"\x80", b"PK\x03\x04")


def dumps(tensors: dict[str, torch.Tensor], meta: dict) -> bytes:
    """The checkpoint as bytes (for a download button)."""
    plain = {name: t.detach().cpu().contiguous().clone() for name, t in tensors.items()}
    return safetensors.torch.save(plain, metadata={META_KEY: json.dumps(meta)})


def save(target: Path | str | BinaryIO, tensors: dict[str, torch.Tensor], meta: dict) -> None:
    """Write a checkpoint to a path or an open binary file."""
    data = dumps(tensors, meta)
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)


DTYPE_BYTES = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2}
DTYPE_BYTES |= {"I32": 4, "U32": 4, "F32": 4, "I64": 8, "U64": 8, "F64": 8}


def _header(data: bytes) -> dict:
    """The safetensors header, after checking that every tensor it announces is in the file."""
    if len(data) < 9 or data[8:9] != b"{":
        raise UserError("common.err_checkpoint_not_safetensors")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise UserError("common.err_checkpoint_truncated", size=len(data))
    try:
        header = json.loads(data[8 : 8 + length])
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, or nested too deeply
        raise UserError("common.err_checkpoint_malformed", detail=type(exc).__name__) from exc
    if not isinstance(header, dict):
        raise UserError("common.err_checkpoint_malformed", detail="header")
    end = 0
    for name, info in header.items():
        if name != "__metadata__":
            end = max(end, _tensor_end(name, info))
    if 8 + length + end > len(data):
        raise UserError("common.err_checkpoint_truncated", size=len(data))
    return header


def _tensor_end(name: str, info) -> int:
    """Where a tensor's bytes end, refusing a description that does not add up."""
    try:
        begin, end = info["data_offsets"]
        shape = [int(n) for n in info["shape"]]
        size = DTYPE_BYTES[info["dtype"]] * math.prod(shape)
        if min(shape, default=0) < 0 or not 0 <= begin <= end or end - begin != size:
            raise ValueError(name)
    except (KeyError, TypeError, ValueError, OverflowError) as exc:  # OverflowError: Infinity
        raise UserError("common.err_checkpoint_malformed", detail=name[:80]) from exc
    return int(end)


def load(source: bytes | Path | str) -> tuple[dict[str, torch.Tensor], dict]:
    """Read a checkpoint into (tensors, metadata), refusing anything that is not one of ours.

    Whatever the bytes, the only exception is a ``UserError``: the file is a participant's upload,
    and the parsers below it (JSON, safetensors) have more ways to fail than we can list.
    """
    data = Path(source).read_bytes() if isinstance(source, (str, Path)) else bytes(source)
    try:
        return _load(data)
    except UserError:
        raise
    except Exception as exc:  # see the docstring
        raise UserError("common.err_checkpoint_malformed", detail=type(exc).__name__) from exc


def _load(data: bytes) -> tuple[dict[str, torch.Tensor], dict]:
    if not data:
        raise UserError("common.err_checkpoint_empty")
    if len(data) > MAX_BYTES:
        raise UserError("common.err_checkpoint_too_large", mb=len(data) // 2**20)
    try:
        header = _header(data)
    except UserError:
        if data.startswith(PICKLE_MAGIC):
            raise UserError("common.err_checkpoint_pickle") from None
        raise
    metadata = header.get("__metadata__")
    meta_text = metadata.get(META_KEY) if isinstance(metadata, dict) else None
    if meta_text is None:
        raise UserError("common.err_checkpoint_not_genlab")
    try:
        meta = json.loads(meta_text)
        tensors = safetensors.torch.load(data)
    except (TypeError, ValueError, RecursionError, safetensors.SafetensorError) as exc:
        raise UserError("common.err_checkpoint_malformed", detail=type(exc).__name__) from exc
    if not isinstance(meta, dict):
        raise UserError("common.err_checkpoint_malformed", detail="metadata")
    return tensors, meta


def expect_shapes(tensors: dict[str, torch.Tensor], shapes: dict[str, tuple[int, ...]]) -> None:
    """Check that a checkpoint holds the tensors a model needs, with their shapes and finite
    values (a model full of NaN would only draw nonsense)."""
    missing = sorted(set(shapes) - set(tensors))
    if missing:
        raise UserError("common.err_checkpoint_missing", names=", ".join(missing[:5]))
    for name, shape in shapes.items():
        if tuple(tensors[name].shape) != tuple(shape):
            raise UserError(
                "common.err_checkpoint_shape",
                name=name,
                found=tuple(tensors[name].shape),
                expected=tuple(shape),
            )
        if tensors[name].is_floating_point() and not torch.isfinite(tensors[name]).all():
            raise UserError("common.err_checkpoint_not_finite", name=name)
