"""Checkpoints: safetensors + JSON round trip; pickles, truncated and foreign files are refused."""

import io
import json
import pickle
import struct

import pytest
import safetensors.torch
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

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


def raw_file(header: bytes, body: bytes = b"") -> bytes:
    """A file laid out as safetensors: the header's length, the header, the tensor bytes."""
    return struct.pack("<Q", len(header)) + header + body


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_metadata_nested_50000_levels_deep_is_refused_with_a_message():
    header = json.dumps({"__metadata__": {"genlab": deep(50_000)}}).encode()
    assert refused(raw_file(header)) == "common.err_checkpoint_malformed"


def test_a_header_nested_50000_levels_deep_is_refused_with_a_message():
    assert refused(raw_file(b'{"a": ' + deep(50_000).encode() + b"}")) == (
        "common.err_checkpoint_malformed"
    )


def test_an_infinite_shape_or_a_list_as_metadata_is_refused_with_a_message():
    tensor = {"dtype": "F32", "shape": [float("inf")], "data_offsets": [0, 4]}
    header = json.dumps({"w": tensor, "__metadata__": {"genlab": "{}"}}).encode()
    assert refused(raw_file(header, b"\x00" * 4)) == "common.err_checkpoint_malformed"
    header = json.dumps({"__metadata__": {"genlab": "[1, 2]"}}).encode()
    assert refused(raw_file(header)) == "common.err_checkpoint_malformed"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
tensor_infos = st.fixed_dictionaries(
    {
        "dtype": st.sampled_from([*checkpoint.DTYPE_BYTES, "F8_E4M3", "X"]) | json_values,
        "shape": st.lists(st.integers(-2, 6), max_size=3) | json_values,
        "data_offsets": st.lists(st.integers(-4, 300), min_size=0, max_size=3) | json_values,
    }
)
headers = st.dictionaries(
    st.text(max_size=6) | st.just("__metadata__"),
    tensor_infos | st.dictionaries(st.just("genlab"), json_values.map(json.dumps)) | json_values,
    max_size=4,
)


def only_user_errors(data: bytes) -> None:
    """Reading ``data`` gives a checkpoint or the lab's own message, never another exception."""
    try:
        tensors, meta = checkpoint.load(data)
    except UserError as err:
        assert err.key.startswith("common.err_checkpoint_")
    else:
        assert isinstance(meta, dict) and all(isinstance(v, torch.Tensor) for v in tensors.values())


@settings(max_examples=300, deadline=None)
@given(headers, st.binary(max_size=300))
def test_any_header_gives_a_checkpoint_or_a_message(header, body):
    only_user_errors(raw_file(json.dumps(header).encode(), body))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=64), st.binary(max_size=200))
def test_any_bytes_give_a_message(header, body):
    only_user_errors(raw_file(header, body))
    only_user_errors(header + body)
