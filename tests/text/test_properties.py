"""Property-based tests (hypothesis): tokenizers and the sampling pipeline on arbitrary input."""

import functools
import math

import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from genlab.errors import UserError
from genlab.text import sampling
from genlab.text.corpora import load_corpus
from genlab.text.sampling import SamplingConfig
from genlab.text.tokenizers import UNK, build_tokenizer, words

FAST = settings(max_examples=150, deadline=None, database=None)
texts = st.text(min_size=1, max_size=300)
# Logits as a model or a checkpoint could give them: ordinary, huge, -inf (impossible tokens)
logit = st.one_of(
    st.floats(-50, 50), st.floats(-1e308, 1e308), st.sampled_from([-math.inf, math.inf, math.nan])
)
configs = st.builds(
    SamplingConfig,
    temperature=st.floats(0.0, sampling.MAX_TEMPERATURE),
    top_k=st.integers(0, 60),
    top_p=st.floats(0.01, 1.0),
    min_p=st.floats(0.0, 1.0),
    repetition_penalty=st.floats(0.1, sampling.MAX_PENALTY),
)


def largest(probs: torch.Tensor) -> float:
    return float(probs.max()) if probs.numel() else 0.0


@functools.cache
def bpe():
    return build_tokenizer("bpe", load_corpus("portuguese")[:50_000], 300)


@FAST
@given(texts)
def test_char_tokenizer_round_trips_the_text_it_learnt(text):
    tok = build_tokenizer("char", text)
    assert tok.decode(tok.encode(text)) == text


@FAST
@given(texts, texts)
def test_char_tokenizer_encodes_known_text_and_explains_the_rest(vocabulary, other):
    tok = build_tokenizer("char", vocabulary)
    try:
        ids = tok.encode(other)
    except UserError as err:
        assert err.key == "text.err_unknown_pieces" and set(other) - set(vocabulary)
    else:
        assert tok.decode(ids) == other


@FAST
@given(texts)
def test_bpe_spells_any_unicode_text_exactly(text):
    tok = bpe()
    ids = tok.encode(text)
    assert all(0 <= i < tok.vocab_size for i in ids)
    assert tok.decode(ids) == text


@FAST
@given(texts)
def test_word_tokenizer_reads_back_what_it_writes(text):
    assume(words(text))
    tok = build_tokenizer("word", text)
    ids = tok.encode(text)
    assert tok.encode(tok.decode(ids)) == ids


@FAST
@given(texts, texts, st.integers(2, 5))
def test_word_tokenizer_never_crashes_on_unknown_words(vocabulary, other, cap):
    assume(words(vocabulary))
    for tok in (build_tokenizer("word", vocabulary, cap), build_tokenizer("word", vocabulary)):
        try:
            ids = tok.encode(other)
        except UserError as err:  # only a vocabulary without <unk> refuses unknown words
            assert err.key == "text.err_unknown_pieces" and UNK not in tok.tokens
        else:  # with <unk>, every word is read, known or not
            assert len(ids) == len(words(other))


@FAST
@given(st.lists(logit, min_size=1, max_size=40), configs, st.lists(st.integers(0, 39)))
def test_every_stage_is_a_distribution_for_any_logits_and_settings(values, config, previous):
    logits = torch.tensor(values, dtype=torch.float64)
    pipe = sampling.run(logits, config, previous=[i for i in previous if i < len(values)])
    for stage in (pipe.raw, pipe.penalised, pipe.tempered, pipe.final):
        assert bool(torch.isfinite(stage).all()) and bool((stage >= 0).all())
        assert float(stage.sum()) == pytest.approx(1.0, abs=1e-9)
    assert bool(pipe.kept.any()) and bool((pipe.final[~pipe.kept] == 0).all())
    assert 0 <= int(sampling.sample(pipe.final, 1)) < len(values)


@FAST
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=60), st.integers(1, 80))
def test_top_k_keeps_exactly_the_k_most_likely_tokens(values, k):
    pipe = sampling.run(torch.tensor(values), SamplingConfig(top_k=k))
    kept = pipe.final > 0
    assert int(kept.sum()) == min(k, len(values))
    assert float(pipe.tempered[kept].min()) >= largest(pipe.tempered[~kept])


@FAST
@given(
    st.lists(st.floats(-30, 30), min_size=1, max_size=60),
    st.floats(0.01, 1.0),
    st.floats(0.05, 5.0),
)
def test_top_p_keeps_the_smallest_most_likely_set_reaching_p(values, p, temperature):
    pipe = sampling.run(torch.tensor(values), SamplingConfig(temperature=temperature, top_p=p))
    probs, kept = pipe.tempered, pipe.kept
    mass = float(probs[kept].sum())
    assert mass >= p - 1e-9 or bool(kept.all())
    assert float(probs[kept].min()) >= largest(probs[~kept])
    assert mass - float(probs[kept].min()) < p + 1e-9  # one token fewer would not reach p
