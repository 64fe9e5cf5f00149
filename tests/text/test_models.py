"""Models: shapes, losses, attention, embeddings and configuration checks."""

import math

import pytest
import torch

from genlab.errors import UserError
from genlab.text.models import LMConfig, ReLUSquared, build_model, crop, generate


def cfg(model="gpt", **kw):
    base = {"vocab_size": 11, "block_size": 8, "n_layer": 2, "n_head": 2, "n_embd": 16}
    return LMConfig(model=model, **{**base, **kw})


@pytest.mark.parametrize("kind", ["count-bigram", "bigram", "gpt"])
def test_every_model_maps_ids_to_next_token_logits_and_loss(kind):
    model = build_model(cfg(kind))
    x = torch.randint(11, (3, 8))
    logits, loss = model(x, x)
    assert logits.shape == (3, 8, 11)
    assert loss.ndim == 0 and math.isfinite(loss.item())
    assert model(x)[1] is None


def test_token_embeddings_shapes():
    assert build_model(cfg("bigram")).token_embeddings().shape == (11, 11)
    assert build_model(cfg("count-bigram")).token_embeddings().shape == (11, 11)
    assert build_model(cfg("gpt")).token_embeddings().shape == (11, 16)


def test_untrained_gpt_starts_near_the_uniform_loss():
    torch.manual_seed(0)
    model = build_model(cfg("gpt", vocab_size=50))
    x, y = torch.randint(50, (8, 8)), torch.randint(50, (8, 8))
    assert model(x, y)[1].item() == pytest.approx(math.log(50), abs=0.15)


def test_gpt_attention_is_causal_and_rows_sum_to_one():
    model = build_model(cfg("gpt")).eval()
    x = torch.randint(11, (2, 6))
    logits, _, attention = model(x, return_attention=True)
    assert len(attention) == 2 and attention[0].shape == (2, 2, 6, 6)
    assert torch.allclose(attention[1].sum(-1), torch.ones(2, 2, 6))
    assert attention[0].triu(1).abs().max() == 0
    assert torch.allclose(logits, model(x)[0], atol=1e-5)


def test_gpt_future_tokens_do_not_change_earlier_predictions():
    model = build_model(cfg("gpt")).eval()
    x = torch.randint(11, (1, 8))
    y = x.clone()
    y[0, -1] = (x[0, -1] + 1) % 11
    assert torch.allclose(model(x)[0][:, :-1], model(y)[0][:, :-1], atol=1e-5)


def test_count_bigram_counts_pairs_exactly():
    model = build_model(cfg("count-bigram", vocab_size=3, smoothing=0.0))
    model.fit(torch.tensor([0, 1, 0, 1, 0, 2]))
    probs = model.log_probs().exp()
    assert probs[0, 1].item() == pytest.approx(2 / 3)
    assert probs[0, 2].item() == pytest.approx(1 / 3)
    assert probs[1, 0].item() == pytest.approx(1.0)


def test_count_bigram_reads_the_rows_of_its_table_for_the_tokens_given():
    model = build_model(cfg("count-bigram", vocab_size=5))  # add-one smoothing
    model.fit(torch.tensor([0, 1, 0, 1, 0, 2, 4, 4, 3]))
    idx = torch.tensor([[0, 4, 2], [3, 3, 1]])
    logits, _ = model(idx)
    torch.testing.assert_close(logits, model.log_probs()[idx])


def test_context_longer_than_block_is_refused_and_crop_keeps_the_last_tokens():
    c = cfg("gpt")
    model = build_model(c)
    long = torch.arange(11).repeat(1, 2)[:, :12]
    with pytest.raises(UserError):
        model(long)
    assert crop(long, c).tolist() == [long[0, -8:].tolist()]
    out = generate(model.eval(), c, long[:, :3], 10, torch.Generator().manual_seed(0))
    assert out.shape == (1, 13) and out[:, :3].tolist() == long[:, :3].tolist()


def test_heads_must_divide_width():
    with pytest.raises(UserError) as err:
        cfg("gpt", n_embd=30, n_head=4).validate()
    assert err.value.key == "text.err_heads_width"
    assert err.value.params == {"heads": 4, "width": 30}


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"model": "rnn"}, "text.err_model_kind"),
        ({"vocab_size": 1}, "text.err_vocab_too_small"),
        ({"block_size": 0}, "text.err_block_size"),
        ({"dropout": 0.95}, "text.err_dropout"),
        ({"activation": "tanh"}, "text.err_activation"),
        ({"n_layer": 0}, "text.err_gpt_sizes"),
        ({"n_embd": 4096, "n_layer": 12, "n_head": 8}, "text.err_too_big"),
    ],
)
def test_impossible_configs_are_user_errors(change, key):
    with pytest.raises(UserError) as err:
        cfg(**change).validate()
    assert err.value.key == key


def test_relu_squared_is_max_x_0_squared_with_its_true_gradient():
    x = torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.double, requires_grad=True)
    assert ReLUSquared.apply(x).tolist() == [0.0, 0.0, 0.0, 0.25, 9.0]
    assert torch.autograd.gradcheck(ReLUSquared.apply, (x,))
    (grad,) = torch.autograd.grad(ReLUSquared.apply(x).sum(), x)
    assert grad.tolist() == [0.0, 0.0, 0.0, 1.0, 6.0]


def test_the_activation_changes_the_gpt_output():
    x = torch.randint(11, (2, 8))
    outputs = []
    for activation in ("gelu", "relu2"):
        torch.manual_seed(0)
        outputs.append(build_model(cfg(activation=activation))(x)[0])
    assert not torch.allclose(*outputs)


def test_param_count_matches_the_built_model():
    for c in (cfg("gpt"), cfg("gpt", bias=True), cfg("bigram")):
        model = build_model(c)
        assert c.param_count() == sum(p.numel() for p in model.parameters())


def test_config_round_trips_and_from_dict_rejects_bad_types():
    c = cfg("gpt", dropout=0.1)
    assert LMConfig.from_dict(c.to_dict()) == c
    with pytest.raises(UserError):  # one policy for every room (genlab.settings): refused
        LMConfig.from_dict({**c.to_dict(), "unknown": 1})
    with pytest.raises(UserError):
        LMConfig.from_dict({**c.to_dict(), "n_layer": 2.5})
    with pytest.raises(UserError):
        LMConfig.from_dict({**c.to_dict(), "n_layer": "many"})
