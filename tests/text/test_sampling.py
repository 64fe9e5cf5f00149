"""The sampling pipeline: what a participant reads on the bars must be a true distribution."""

import math

import pytest
import torch

from genlab.errors import UserError
from genlab.text import sampling
from genlab.text.sampling import SamplingConfig


@pytest.fixture
def logits():
    return torch.randn(300, generator=torch.Generator().manual_seed(7)) * 3


CONFIGS = [
    SamplingConfig(),
    SamplingConfig(temperature=0.0),
    SamplingConfig(temperature=0.3, top_k=5),
    SamplingConfig(temperature=2.5, top_p=0.5),
    SamplingConfig(temperature=1.5, min_p=0.2),
    SamplingConfig(temperature=0.7, top_k=40, top_p=0.9, min_p=0.05, repetition_penalty=1.8),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: str(c.to_dict()))
def test_every_stage_is_a_distribution_over_the_whole_vocabulary(logits, config):
    p = sampling.run(logits, config, previous=[1, 2, 3])
    for stage in (p.raw, p.penalised, p.tempered, p.final):
        assert stage.shape == logits.shape
        assert float(stage.sum()) == pytest.approx(1.0, abs=1e-9)
        assert bool((stage >= 0).all())
    assert bool(p.kept.any())
    assert bool((p.final[~p.kept] == 0).all())


def test_defaults_give_the_raw_softmax(logits):
    p = sampling.run(logits, SamplingConfig(), previous=[0, 5, 9])
    expected = torch.softmax(logits.double(), dim=-1)
    torch.testing.assert_close(p.final, expected)
    torch.testing.assert_close(p.raw, expected)
    assert bool(p.kept.all())


def test_low_temperature_gives_all_mass_to_the_argmax(logits):
    best = int(torch.argmax(logits))
    for temperature in (0.0, 1e-3):
        final = sampling.run(logits, SamplingConfig(temperature=temperature)).final
        assert float(final[best]) == pytest.approx(1.0, abs=1e-6)


def test_higher_temperature_flattens(logits):
    entropies = [
        sampling.entropy_bits(sampling.run(logits, SamplingConfig(temperature=t)).final)
        for t in (0.2, 0.5, 1.0, 2.0, 3.0)
    ]
    assert entropies == sorted(entropies)
    assert entropies[-1] < math.log2(logits.numel())


def test_temperature_keeps_the_ranking(logits):
    raw = sampling.run(logits, SamplingConfig()).raw
    hot = sampling.run(logits, SamplingConfig(temperature=2.7)).final
    assert torch.equal(torch.argsort(raw, stable=True), torch.argsort(hot, stable=True))


@pytest.mark.parametrize("k", [1, 3, 17])
def test_top_k_leaves_at_most_k_tokens_the_most_likely_ones(logits, k):
    final = sampling.run(logits, SamplingConfig(top_k=k)).final
    kept = set(torch.nonzero(final).flatten().tolist())
    assert len(kept) == k
    assert kept == set(torch.topk(logits, k).indices.tolist())


def test_top_k_larger_than_the_vocabulary_keeps_everything():
    probs = sampling.run(torch.tensor([1.0, 2.0, 3.0]), SamplingConfig(top_k=10)).final
    assert int((probs > 0).sum()) == 3


def test_top_p_keeps_the_smallest_set_reaching_p():
    probs = torch.tensor([0.05, 0.5, 0.3, 0.15])
    logits = probs.log()
    cases = {0.4: {1}, 0.5: {1}, 0.6: {1, 2}, 0.8: {1, 2}, 0.81: {1, 2, 3}, 0.99: {0, 1, 2, 3}}
    for p, expected in cases.items():
        final = sampling.run(logits, SamplingConfig(top_p=p)).final
        kept = set(torch.nonzero(final).flatten().tolist())
        assert kept == expected, p
        assert float(probs[list(kept)].sum()) >= p - 1e-6
        smaller = sorted(kept, key=lambda i: float(probs[i]))[1:]
        assert float(probs[smaller].sum()) < p


def test_min_p_drops_tokens_under_min_p_times_the_best():
    probs = torch.tensor([0.5, 0.26, 0.24, 0.004, 0.0, 0.3])
    probs = probs / probs.sum()
    final = sampling.run(probs.clamp_min(1e-12).log(), SamplingConfig(min_p=0.5)).final
    best = float(probs.max())
    assert set(torch.nonzero(final).flatten().tolist()) == {
        i for i, q in enumerate(probs.tolist()) if q >= 0.5 * best
    }


@pytest.mark.parametrize(
    "config",
    [
        SamplingConfig(top_p=1e-9),
        SamplingConfig(min_p=1.0),
        SamplingConfig(top_k=1, top_p=1e-9, min_p=1.0),
        SamplingConfig(temperature=0.0, top_p=0.01),
    ],
)
def test_filters_never_leave_an_empty_set(config):
    flat = torch.zeros(50)  # every token tied: the harshest case for a filter
    final = sampling.run(flat, config).final
    assert int((final > 0).sum()) >= 1
    assert float(final.sum()) == pytest.approx(1.0)


def test_filters_work_on_what_the_previous_filter_kept():
    logits = torch.tensor([0.4, 0.3, 0.2, 0.1]).log()
    # after top-k 2 the renormalised probabilities are 4/7 and 3/7: top-p 0.5 keeps only the first
    final = sampling.run(logits, SamplingConfig(top_k=2, top_p=0.5)).final
    assert final.tolist() == [1.0, 0.0, 0.0, 0.0]


def test_repetition_penalty_lowers_tokens_already_seen():
    logits = torch.tensor([2.0, 2.0, -1.0, -1.0])
    p = sampling.run(logits, SamplingConfig(repetition_penalty=2.0), previous=[0, 2, 2])
    assert float(p.final[0]) < float(p.final[1])
    assert float(p.final[2]) < float(p.final[3])
    torch.testing.assert_close(p.raw, torch.softmax(logits.double(), dim=-1))


def test_order_follows_the_penalised_probabilities():
    logits = torch.tensor([3.0, 2.0, 1.0])
    p = sampling.run(logits, SamplingConfig(repetition_penalty=4.0), previous=[0])
    assert p.order.tolist() == [1, 2, 0]


def test_entropy_and_effective_choices():
    assert sampling.entropy_bits(torch.full((8,), 1 / 8)) == pytest.approx(3.0)
    assert sampling.effective_choices(torch.full((8,), 1 / 8)) == pytest.approx(8.0)
    assert sampling.entropy_bits(torch.tensor([1.0, 0.0, 0.0])) == 0.0
    assert sampling.effective_choices(torch.tensor([0.5, 0.5, 0.0])) == pytest.approx(2.0)


def test_many_samples_follow_the_distribution():
    probs = torch.tensor([0.8, 0.15, 0.03, 0.02])  # peras, melancia, pregos, cimento
    draws = sampling.sample(probs, 20_000, generator=torch.Generator().manual_seed(0))
    freq = sampling.histogram(draws, 4)
    assert float(freq.sum()) == pytest.approx(1.0)
    torch.testing.assert_close(freq, probs.double(), atol=0.015, rtol=0)


def test_sampling_never_draws_a_filtered_token(logits):
    final = sampling.run(logits, SamplingConfig(top_k=3)).final
    draws = sampling.sample(final, 2_000, generator=torch.Generator().manual_seed(1))
    assert set(draws.tolist()) <= set(torch.topk(logits, 3).indices.tolist())


@pytest.mark.parametrize(
    "bad",
    [
        {"temperature": -0.1},
        {"temperature": float("nan")},
        {"top_k": -1},
        {"top_p": 0.0},
        {"top_p": 1.5},
        {"min_p": -0.5},
        {"repetition_penalty": 0.0},
    ],
)
def test_bad_settings_are_explained(bad):
    with pytest.raises(UserError) as err:
        SamplingConfig(**bad).validate()
    assert err.value.key == "next.err_setting"
    assert err.value.params["name"] == next(iter(bad))


def test_config_round_trips_and_refuses_unknown_fields():
    config = SamplingConfig(temperature=0.5, top_k=3, top_p=0.9, min_p=0.1, repetition_penalty=1.3)
    assert SamplingConfig.from_dict(config.to_dict()) == config
    with pytest.raises(UserError):
        SamplingConfig.from_dict({"temprature": 1.0})


@pytest.mark.parametrize(
    ("temperature", "regime"), [(0.0, "greedy"), (0.3, "low"), (1.0, "one"), (2.5, "high")]
)
def test_the_page_explains_each_temperature_regime(temperature, regime):
    assert sampling.temperature_regime(temperature) == regime
