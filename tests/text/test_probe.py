"""Looking inside a model: prompts, next-token distributions, generation, attention, copying."""

import itertools
from pathlib import Path

import pytest
import torch

from genlab.errors import UserError
from genlab.text import probe, sampling
from genlab.text.sampling import SamplingConfig
from genlab.text.tokenizers import build_tokenizer
from tests.support.text import FOODS, lecture_text, train

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def char_bigram():
    return train(lecture_text(100), "char", "bigram", 200)


def test_a_trained_gpt_puts_the_lecture_foods_first(word_gpt):
    prompt = probe.read_prompt(word_gpt, "Glauco gosta de comer")
    probs = torch.softmax(probe.next_logits(word_gpt, prompt.ids), dim=-1)
    ranked = [word_gpt.tokenizer.tokens[i] for i in torch.argsort(probs, descending=True)[:2]]
    assert ranked[0] == "peras"
    assert ranked[1] == "melancia"
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-5)


def test_unknown_words_are_reported_and_skipped(word_gpt):
    prompt = probe.read_prompt(word_gpt, "Glauco gosta muito de comer")
    assert prompt.unknown == ["muito"]
    assert not prompt.as_unk
    assert prompt.ids == word_gpt.tokenizer.encode("Glauco gosta de comer")


def test_unknown_characters_are_reported_and_skipped(char_bigram):
    prompt = probe.read_prompt(char_bigram, "Glauco 🍐 gosta!")
    assert set(prompt.unknown) == {"🍐", "!"}
    assert char_bigram.tokenizer.decode(prompt.ids) == "Glauco  gosta"


def test_a_vocabulary_with_unk_reads_unknown_words_as_unk():
    tok = build_tokenizer("word", lecture_text(50), vocab_size=8)
    prompt = probe.encode_known(tok, "Glauco gosta de xyz")
    assert prompt.as_unk
    assert "xyz" in prompt.unknown
    assert tok.tokens[prompt.ids[-1]] == "<unk>"


@pytest.mark.parametrize(
    ("text", "key"), [("", "next.err_prompt_empty"), ("🍐🍐???", "next.err_prompt_unknown")]
)
def test_a_prompt_with_nothing_known_is_explained(char_bigram, text, key):
    with pytest.raises(UserError) as err:
        probe.read_prompt(char_bigram, text)
    assert err.value.key == key


def test_long_contexts_are_cropped_to_what_the_model_sees(word_gpt):
    ids = word_gpt.tokenizer.encode("Ana lê livros . " * 10 + "Glauco gosta de comer")
    assert len(ids) > word_gpt.config.block_size
    torch.testing.assert_close(
        probe.next_logits(word_gpt, ids),
        probe.next_logits(word_gpt, ids[-word_gpt.config.block_size :]),
    )


def test_generation_records_each_token_with_its_probability_and_alternatives(word_gpt):
    context = word_gpt.tokenizer.encode("Glauco gosta de comer")
    steps = list(
        probe.generate(
            word_gpt, context, SamplingConfig(top_k=3), 12, torch.Generator().manual_seed(0)
        )
    )
    assert len(steps) == 12
    for step in steps:
        assert 0 < step.prob <= 1
        assert len(step.alternatives) == probe.ALTERNATIVES
        assert [p for _, p in step.alternatives] == sorted(
            (p for _, p in step.alternatives), reverse=True
        )
    text = word_gpt.tokenizer.decode(context + [s.id for s in steps])
    assert text == "Glauco gosta de comer" + "".join(s.text for s in steps)


def test_greedy_generation_follows_the_argmax(word_gpt):
    context = word_gpt.tokenizer.encode("Glauco gosta de comer")
    first = next(probe.generate(word_gpt, context, SamplingConfig(temperature=0), 1))
    assert first.text == " peras"
    assert first.prob == 1.0
    assert first.raw_prob == pytest.approx(first.alternatives[0][1])


def test_a_forced_token_keeps_its_real_probability(word_gpt):
    context = word_gpt.tokenizer.encode("Glauco gosta de comer")
    pipe = sampling.run(probe.next_logits(word_gpt, context), SamplingConfig(top_k=1))
    cimento = word_gpt.tokenizer.tokens.index("cimento")
    step = probe.choose(word_gpt, context, pipe, forced=cimento)
    assert step.forced and step.text == " cimento"
    assert step.prob == 0.0  # filtered out by top-k 1, yet the participant may still force it
    assert step.raw_prob == pytest.approx(float(pipe.raw[cimento]))
    with pytest.raises(UserError):
        probe.choose(word_gpt, context, pipe, forced=10_000)


def test_generate_refuses_silly_counts(word_gpt):
    with pytest.raises(UserError):
        list(probe.generate(word_gpt, [0], SamplingConfig(), 0))


def test_attention_maps_are_causal_distributions(word_gpt, char_bigram):
    ids = word_gpt.tokenizer.encode("Glauco gosta de comer")
    maps = probe.attention_maps(word_gpt, ids)
    assert len(maps) == word_gpt.config.n_layer
    for weights in maps:
        assert weights.shape == (word_gpt.config.n_head, len(ids), len(ids))
        torch.testing.assert_close(torch.from_numpy(weights.sum(-1)), torch.ones(2, len(ids)))
        assert (torch.from_numpy(weights).triu(1) == 0).all()
    with pytest.raises(UserError):
        probe.attention_maps(char_bigram, [0, 1])


def test_count_bigram_counts_the_training_text():
    text = lecture_text()
    tok = build_tokenizer("word", text)
    index = probe.CorpusIndex(tok, text)
    probs = index.bigram_probs(tok.tokens.index("comer"))
    words = tok.pieces(text)
    after = [b for a, b in itertools.pairwise(words) if a == "comer"]
    assert index.count_after(tok.tokens.index("comer")) == len(after)
    for food in FOODS:
        assert float(probs[tok.tokens.index(food)]) == pytest.approx(after.count(food) / len(after))
    assert float(probs.sum()) == pytest.approx(1.0)


def test_count_bigram_of_a_token_never_followed_is_uniform():
    tok = build_tokenizer("char", "abc")
    probs = probe.CorpusIndex(tok, "abc").bigram_probs(tok.tokens.index("c"))
    torch.testing.assert_close(probs, torch.full((3,), 1 / 3, dtype=torch.float64))


def test_longest_copy_finds_the_longest_verbatim_stretch():
    tok = build_tokenizer("char", "abcdefghij xyz")
    index = probe.CorpusIndex(tok, "abcdefghij xyz")
    generated = tok.encode("zzcdefxab cdefghijzz")
    start, end = index.longest_copy(generated)
    assert tok.decode(generated[start:end]) == "cdefghij"
    assert index.longest_copy(tok.encode("jjj")) == (0, 1)
    assert index.longest_copy([]) == (0, 0)


def test_only_a_stretch_of_min_copy_tokens_counts_as_copied():
    text = "the king loves the queen and the queen loves the king"
    tok = build_tokenizer("word", text)
    index = probe.CorpusIndex(tok, text)
    assert index.copied(tok.encode("the")) is None  # one word is in any text
    assert index.copied(tok.encode("queen the king queen")) is None  # 3 < 4 words
    assert index.copied(tok.encode("king the queen loves the king")) == (1, 6)


def test_partner_models_share_the_vocabulary(word_gpt, char_bigram):
    models = {"a": char_bigram, "b": word_gpt}
    assert probe.same_vocabulary(models, word_gpt, "gpt") == ("b", word_gpt)
    assert probe.same_vocabulary(models, word_gpt, "bigram") is None
    assert probe.same_vocabulary(models, char_bigram, "bigram") == ("a", char_bigram)


def test_corpus_text_finds_uploads_by_name():
    assert probe.corpus_text({"corpus": "upload:mine.txt"}, {"mine.txt": "hello"}) == "hello"
    assert probe.corpus_text({"corpus": "upload:gone.txt"}, {}) is None


def test_bpe_byte_pieces_and_leading_spaces_are_readable():
    tok = build_tokenizer("bpe", lecture_text(200) + "ação é maçã\n", 300)
    names = probe.readable_tokens(tok)
    assert "\ufffd" not in "".join(names)  # no rows of '�' for byte-level pieces
    byte_piece = tok.tokens.index("\ufffd")
    assert names[byte_piece].startswith("⟨") and names[byte_piece].endswith("⟩")
    spaced = [i for i, t in enumerate(tok.tokens) if t.startswith(" ") and t.strip()]
    assert spaced and all(names[i] == "␣" + tok.tokens[i][1:] for i in spaced)
    assert len(set(names)) == len(names)  # " a" and "a" no longer look alike


def test_continuations_at_several_temperatures_share_a_seed_per_column(word_gpt):
    context = probe.read_prompt(word_gpt, "Glauco gosta de comer").ids
    config = SamplingConfig(top_k=0)
    runs = probe.continuations(word_gpt, context, config, [0.2, 1.0, 2.0], 6, seed=3)
    again = probe.continuations(word_gpt, context, config, [2.0], 6, seed=3)
    assert [len(r) for r in runs] == [6, 6, 6]
    assert [s.id for s in runs[2]] == [s.id for s in again[0]]  # same seed, same draws
    greedy = probe.continuations(word_gpt, context, config, [0.0], 6)[0]
    assert [s.id for s in greedy] == [
        s.id for s in probe.generate(word_gpt, context, SamplingConfig(temperature=0), 6)
    ]
