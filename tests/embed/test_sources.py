"""Vector sources: a language model's table (and its checkpoint), Word2Vec, the optional extra."""

import io

import numpy as np
import pytest

from genlab.embed import sources
from genlab.errors import UserError
from genlab.text.checkpoint import load_lm, save_lm
from tests.support.embed import SYNONYMS, TEXT, synthetic_corpus


def test_a_model_source_has_one_vector_per_token_with_kinds_counts_and_timeline(tiny_lm):
    src = sources.from_language_model("tiny", tiny_lm, TEXT)
    v, d = tiny_lm.config.vocab_size, tiny_lm.config.n_embd
    assert src.size == (v, d)
    np.testing.assert_array_equal(src.vectors, tiny_lm.model.token_embeddings().detach().numpy())
    assert src.counts.sum() == len(tiny_lm.tokenizer.encode(TEXT))
    assert src.counts[src.tokens.index("king")] == TEXT.count("king")
    assert src.kinds[src.tokens.index("king")] == "word"
    assert src.kinds[src.tokens.index(",")] == "punctuation"
    assert src.labels[src.tokens.index("\n")] == "⏎"
    assert [s for s, _ in src.timeline] == [0, 50, 100]
    assert src.origin_params["steps"] == 100


def test_a_model_saved_and_loaded_gives_the_same_vectors_and_fingerprint(tiny_lm):
    buffer = io.BytesIO()
    save_lm(tiny_lm, buffer)
    again = sources.from_language_model("tiny", load_lm(buffer.getvalue()))
    original = sources.from_language_model("tiny", tiny_lm)
    assert again.fingerprint == original.fingerprint
    assert again.counts is None
    assert len(again.timeline) == 3


def test_the_fingerprint_changes_with_the_vectors():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    a = sources.Source("a", list("abcd"), x, "embed.origin_model", {}, ["letter"] * 4)
    b = sources.Source("a", list("abcd"), x + 1e-3, "embed.origin_model", {}, ["letter"] * 4)
    assert a.fingerprint != b.fingerprint


@pytest.mark.parametrize(
    ("vectors", "key"),
    [(np.ones((3, 2)), "embed.err_shape"), (np.full((4, 2), np.nan), "embed.err_not_finite")],
)
def test_malformed_vectors_are_refused(vectors, key):
    with pytest.raises(UserError) as err:
        sources.Source("bad", list("abcd"), vectors, "embed.origin_model", {}, ["letter"] * 4)
    assert err.value.key == key


def test_word2vec_puts_words_used_alike_close_and_keeps_a_timeline():
    cfg = sources.Word2VecConfig(corpus="synthetic", dims=16, window=3, min_count=2, epochs=40)
    epochs = []
    src = sources.word2vec(synthetic_corpus(), cfg, on_epoch=lambda e: epochs.append(e) or True)
    unit = src.vectors / np.linalg.norm(src.vectors, axis=1, keepdims=True)
    cos = unit @ unit.T
    i = {w: src.tokens.index(w) for w in SYNONYMS}
    assert cos[i["cat"], i["dog"]] > cos[i["cat"], i["car"]]
    assert cos[i["car"], i["truck"]] > cos[i["truck"], i["dog"]]
    assert epochs == list(range(1, 41))
    assert [s for s, _ in src.timeline] == list(range(41))
    assert src.counts[src.tokens.index("the")] >= 600


def test_word2vec_is_reproducible_and_can_stop_early():
    cfg = sources.Word2VecConfig(corpus="synthetic", dims=8, min_count=2, epochs=5)
    text = synthetic_corpus(200)
    first, second = sources.word2vec(text, cfg), sources.word2vec(text, cfg)
    assert first.fingerprint == second.fingerprint
    stopped = sources.word2vec(text, cfg, on_epoch=lambda e: e < 2)
    assert [s for s, _ in stopped.timeline] == [0, 1, 2]


def test_word2vec_refuses_a_text_without_repeated_words_and_bad_settings():
    with pytest.raises(UserError) as err:
        sources.word2vec("one two three four five six seven", sources.Word2VecConfig())
    assert err.value.key == "embed.err_w2v_too_short"
    with pytest.raises(UserError) as err:
        sources.Word2VecConfig(window=0).validate()
    assert err.value.key == "embed.err_w2v_range" and err.value.params["name"] == "window"


def test_sentences_split_on_punctuation_and_drop_it():
    assert sources.sentences("The King; the QUEEN. Go!") == [
        ["the", "king"],
        ["the", "queen"],
        ["go"],
    ]


def test_the_sentence_encoder_says_how_to_install_it_when_missing(monkeypatch):
    monkeypatch.setattr(sources, "sentence_encoder_available", lambda: False)
    with pytest.raises(UserError) as err:
        sources.sentence_encoder("a\nb\nc\nd\ne")
    assert err.value.key == "embed.err_extra_missing"


def test_typed_lines_are_kept_once_in_order():
    assert sources.sentence_lines(" rei \n\nrainha\nrei\n homem") == ["rei", "rainha", "homem"]
