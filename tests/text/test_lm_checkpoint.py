"""Checkpoints: a model goes to one safetensors file and back unchanged; bad files are refused."""

import io
import json
import pickle
import struct

import pytest
import torch

from genlab import checkpoint as base
from genlab.errors import UserError
from genlab.text.checkpoint import LanguageModel, dumps, load_lm, save_lm, shipped
from genlab.text.models import LMConfig, build_model
from genlab.text.tokenizers import build_tokenizer

TEXT = "Glauco gosta de comer peras. " * 30


def small_lm(kind="gpt", **shape) -> LanguageModel:
    tok = build_tokenizer("char", TEXT)
    cfg = LMConfig(
        model=kind, vocab_size=tok.vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=8, **shape
    )
    torch.manual_seed(0)
    model = build_model(cfg).eval()
    timeline = [(0, model.token_embeddings().clone()), (10, model.token_embeddings() * 2)]
    return LanguageModel(model, tok, cfg, {"corpus": "upload:x.txt", "steps": 10}, timeline)


@pytest.mark.parametrize(
    ("kind", "shape"),
    [("count-bigram", {}), ("bigram", {}), ("gpt", {}), ("gpt", {"activation": "relu2"})],
)
def test_round_trip_keeps_predictions_tokenizer_meta_and_timeline(kind, shape, tmp_path):
    lm = small_lm(kind, **shape)
    path = tmp_path / "m.safetensors"
    save_lm(lm, path)
    back = load_lm(path)
    x = torch.tensor([lm.tokenizer.encode("Glauco")])
    assert torch.allclose(back.model(x)[0], lm.model(x)[0], atol=1e-6)
    assert back.tokenizer.tokens == lm.tokenizer.tokens
    assert back.config == lm.config and back.meta == lm.meta
    assert [s for s, _ in back.timeline] == [0, 10]
    assert torch.allclose(back.timeline[1][1], lm.timeline[1][1], atol=1e-2)
    assert not back.model.training
    buf = io.BytesIO()
    save_lm(lm, buf)
    assert load_lm(buf.getvalue()).config == lm.config


def test_truncated_file_is_refused():
    data = dumps(small_lm())
    with pytest.raises(UserError) as err:
        load_lm(data[: len(data) // 2])
    assert err.value.key.startswith("common.err_checkpoint")


def test_pickle_is_refused_without_being_unpickled():
    data = pickle.dumps({"weights": [1, 2, 3]})
    with pytest.raises(UserError) as err:
        load_lm(data)
    assert err.value.key == "common.err_checkpoint_pickle"
    torch_file = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, torch_file)
    with pytest.raises(UserError):
        load_lm(torch_file.getvalue())


def _tamper(data: bytes, change) -> bytes:
    tensors, meta = base.load(data)
    change(tensors, meta)
    return base.dumps(tensors, meta)


def test_wrong_shapes_are_refused():
    def widen(tensors, meta):
        tensors["model.wte.weight"] = torch.zeros(3, 3)

    with pytest.raises(UserError) as err:
        load_lm(_tamper(dumps(small_lm()), widen))
    assert err.value.key == "common.err_checkpoint_shape"


def test_config_inconsistent_with_the_tokenizer_is_refused():
    def change_vocab(tensors, meta):
        meta["config"]["vocab_size"] += 1

    with pytest.raises(UserError) as err:
        load_lm(_tamper(dumps(small_lm()), change_vocab))
    assert err.value.key == "text.err_checkpoint_vocab"


def test_a_checkpoint_from_another_room_is_refused():
    def other_room(tensors, meta):
        meta["kind"] = "genlab.gan"

    with pytest.raises(UserError) as err:
        load_lm(_tamper(dumps(small_lm()), other_room))
    assert err.value.key == "common.err_checkpoint_kind"


def test_garbage_header_is_refused():
    header = b"not json at all"
    with pytest.raises(UserError):
        load_lm(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    meta_only = json.dumps({"__metadata__": {"genlab": "{}"}}).encode()
    with pytest.raises(UserError):
        load_lm(struct.pack("<Q", len(meta_only)) + meta_only)


def test_shipped_checkpoints_load_and_say_what_they_were_trained_on():
    names = shipped()
    assert {
        "shakespeare-char-gpt",
        "shakespeare-word-gpt",
        "portuguese-word-gpt",
        "shakespeare-char-bigram",
        "machado-char-gpt",
        "machado-word-gpt",
    } <= set(names)
    for name, path in names.items():
        assert path.stat().st_size < 20 * 2**20, name
        lm = load_lm(path)
        assert lm.meta["corpus"] in ("shakespeare", "machado", "portuguese")
        refs = lm.meta["refs"]
        assert lm.meta["val_loss"] < refs["unigram"], name
        if lm.config.model == "gpt":
            assert lm.meta["val_loss"] < refs["bigram"], name
