"""A look inside a GPT: the logit lens and the per-layer pieces must agree with the model itself."""

import pytest
import torch

from genlab.errors import UserError
from genlab.text import lens, probe
from genlab.text.checkpoint import load_shipped
from tests.support.text import lecture_text, train


@pytest.fixture(scope="module")
def deep_gpt():
    lm = train(lecture_text(200), "word", "gpt", 30)
    return lm


@pytest.mark.parametrize("name", ["shakespeare-char-gpt", "portuguese-word-gpt"])
def test_the_last_layers_lens_is_the_models_output_distribution(name):
    lm = load_shipped(name)
    ids = probe.read_prompt(lm, "Glauco gosta de comer" if "word" in name else "To be or").ids
    inside = lens.look_inside(lm, ids)
    expected = torch.softmax(probe.next_logits(lm, ids).double(), dim=-1)
    assert len(inside.layers) == lm.config.n_layer
    assert torch.allclose(inside.layers[-1].lens, expected, atol=1e-5)
    assert torch.allclose(inside.probs, expected, atol=1e-5)
    # earlier layers read something else: the prediction forms layer by layer
    assert not torch.allclose(inside.embedding_lens, expected, atol=1e-3)


def test_each_layers_attention_rows_sum_to_one_over_the_shown_tokens(deep_gpt):
    ids = probe.read_prompt(deep_gpt, "Glauco gosta de comer").ids
    inside = lens.look_inside(deep_gpt, ids)
    heads = deep_gpt.config.n_head
    for layer in inside.layers:
        assert layer.attention.shape == (heads, len(ids))
        assert layer.attention.sum(axis=1) == pytest.approx([1.0] * heads, abs=1e-5)
        assert layer.attn_norm > 0 and layer.mlp_norm > 0


def test_long_prompts_show_only_the_last_tokens_and_say_how_many(deep_gpt):
    ids = [0, 1, 2, 3] * 2
    inside = lens.look_inside(deep_gpt, ids, max_tokens=5)
    assert inside.shown == 5
    assert inside.layers[0].maps.shape[-1] == 5
    assert inside.ids == ids[-deep_gpt.config.block_size :]


def test_lens_table_follows_the_final_top_tokens():
    lm = load_shipped("portuguese-word-gpt")
    inside = lens.look_inside(lm, probe.read_prompt(lm, "Glauco gosta de comer").ids)
    top, rows = lens.lens_table(inside, k=4)
    assert lm.tokenizer.tokens[top[0]] == "peras"
    assert len(rows) == lm.config.n_layer + 1
    assert rows[-1][0] == pytest.approx(float(inside.probs[top[0]]))
    assert lens.stage_tops(inside)[-1][0] == top[0]


def test_only_a_gpt_has_an_inside():
    with pytest.raises(UserError):
        lens.look_inside(load_shipped("shakespeare-char-bigram"), [1, 2])
