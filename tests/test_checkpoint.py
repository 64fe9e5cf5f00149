"""Checkpoints: safetensors + JSON round trip; pickles, truncated and foreign files are refused."""

import io
import pickle

import pytest
import safetensors.torch
import torch

from genlab import checkpoint
from genlab.errors import UserError

TENSORS = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.zeros(3)}
META = {"kind": "test", "config": {"layers": 2}, "title": "Olá, mundo"}


def refused(data) -> str:
    with pytest.raises(UserError) as error:
        checkpoint.load(data)
    return error.value.key


def test_a_checkpoint_round_trips_through_bytes_and_files(tmp_path):
    tensors, meta = checkpoint.load(checkpoint.dumps(TENSORS, META))
    assert meta == META
    assert torch.equal(tensors["w"], TENSORS["w"])
    path = tmp_path / "model.safetensors"
    checkpoint.save(path, TENSORS, META)
    buffer = io.BytesIO()
    checkpoint.save(buffer, TENSORS, META)
    assert path.read_bytes() == buffer.getvalue()
    assert checkpoint.load(path)[1] == META


def test_every_header_length_loads_even_those_starting_like_a_pickle():
    first_bytes = set()
    for n in range(300):
        data = checkpoint.dumps(TENSORS, {**META, "pad": "x" * n})
        first_bytes.add(data[:1])
        assert checkpoint.load(data)[1]["pad"] == "x" * n
    assert b"\x80" in first_bytes


def test_a_pytorch_pickle_is_refused_without_being_unpickled(tmp_path):
    buffer = io.BytesIO()
    torch.save(TENSORS, buffer)
    assert refused(buffer.getvalue()) == "common.err_checkpoint_pickle"
    assert refused(pickle.dumps(TENSORS)) == "common.err_checkpoint_pickle"


def test_empty_truncated_and_garbage_files_are_explained():
    data = checkpoint.dumps(TENSORS, META)
    assert refused(b"") == "common.err_checkpoint_empty"
    assert refused(data[:5]) == "common.err_checkpoint_not_safetensors"
    assert refused(data[:40]) == "common.err_checkpoint_truncated"
    assert refused(data[:-4]) == "common.err_checkpoint_truncated"
    assert refused(b"\x10\x00\x00\x00\x00\x00\x00\x00not json here!!!") == (
        "common.err_checkpoint_not_safetensors"
    )
    assert refused(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json here!!") == (
        "common.err_checkpoint_malformed"
    )


def test_a_safetensors_file_from_elsewhere_is_not_taken_for_ours():
    foreign = safetensors.torch.save(TENSORS, metadata={"format": "pt"})
    assert refused(foreign) == "common.err_checkpoint_not_genlab"


def test_shapes_are_checked_against_what_the_model_needs():
    checkpoint.expect_shapes(TENSORS, {"w": (2, 3), "b": (3,)})
    with pytest.raises(UserError) as missing:
        checkpoint.expect_shapes(TENSORS, {"w": (2, 3), "gamma": (3,)})
    assert missing.value.key == "common.err_checkpoint_missing"
    with pytest.raises(UserError) as wrong:
        checkpoint.expect_shapes(TENSORS, {"w": (3, 2), "b": (3,)})
    assert wrong.value.key == "common.err_checkpoint_shape"
