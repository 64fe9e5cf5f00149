"""Tokenizers: what a participant sees in the vocabulary and what the model receives."""

import pytest

from genlab.errors import UserError
from genlab.text.corpora import load_corpus
from genlab.text.tokenizers import (
    Tokenizer,
    build_tokenizer,
    join_words,
    show,
    unknown_share,
    words,
)

TEXT = "Glauco gosta de comer peras.\nMaria gosta de comer melancia, não pregos!\n"


@pytest.mark.parametrize("kind", ["char", "bpe"])
def test_char_and_bpe_round_trip_exactly(kind):
    tok = build_tokenizer(kind, TEXT * 20, 270 if kind == "bpe" else None)
    assert tok.decode(tok.encode(TEXT)) == TEXT


def test_char_vocabulary_is_the_sorted_set_of_characters():
    tok = build_tokenizer("char", TEXT)
    assert tok.tokens == sorted(set(TEXT))
    assert tok.vocab_size == len(set(TEXT))


def test_word_tokenizer_keeps_punctuation_and_line_breaks_as_tokens():
    assert words("Ele as come, todos os dias.\nFim") == [
        "Ele",
        "as",
        "come",
        ",",
        "todos",
        "os",
        "dias",
        ".",
        "\n",
        "Fim",
    ]
    assert words("reliev'd 'tis") == ["reliev'd", "'", "tis"]


def test_word_decode_puts_spaces_between_words_but_not_before_punctuation():
    tok = build_tokenizer("word", TEXT)
    assert tok.decode(tok.encode(TEXT)) == TEXT.rstrip("\n") + "\n"
    assert join_words(["bem", "-", "vindo", "(", "sim", ")", "!"]) == "bem-vindo (sim)!"


@pytest.mark.parametrize(
    "text",
    [
        'He said "yes", and left.',
        '"Good night" and "good morrow".',
        "Ele disse: “Morto! morto!” e saiu (sem «adeus»).",
        'A stray "quote\n"does not" turn the next line\'s quotes inside out.',
    ],
)
def test_word_decode_puts_no_space_inside_quotes(text):
    assert join_words(words(text)) == text


def test_word_vocabulary_cap_maps_rare_words_to_unk():
    tok = build_tokenizer("word", TEXT * 3 + "raro", vocab_size=5)
    assert tok.vocab_size == 5 and tok.tokens[0] == "<unk>"
    ids = tok.encode("raro gosta")
    assert ids[0] == 0 and tok.tokens[ids[1]] == "gosta"
    assert tok.unknown("raro gosta") == ["raro"]


def test_unknown_pieces_are_refused_with_a_translated_error():
    tok = build_tokenizer("char", "abc")
    assert tok.unknown("abxd") == ["x", "d"]
    with pytest.raises(UserError) as err:
        tok.encode("abxd")
    assert err.value.key == "text.err_unknown_pieces" and err.value.params["count"] == 2


def test_bpe_learns_the_requested_vocabulary_size_and_merges_frequent_pieces():
    text = load_corpus("portuguese")[:20_000]
    tok = build_tokenizer("bpe", text, 300)
    assert tok.vocab_size == 300
    assert " gosta" in tok.tokens
    assert len(tok.encode(text)) < 0.75 * len(text)
    assert tok.unknown("日本語 😀") == []


def test_bpe_vocabulary_size_out_of_range_is_a_user_error():
    with pytest.raises(UserError) as err:
        build_tokenizer("bpe", TEXT, 10)
    assert err.value.key == "text.err_bpe_vocab"


@pytest.mark.parametrize("kind", ["char", "word", "bpe"])
def test_to_dict_round_trip_gives_the_same_ids(kind):
    tok = build_tokenizer(kind, TEXT * 20, 270 if kind == "bpe" else None)
    again = Tokenizer.from_dict(tok.to_dict())
    assert again.kind == kind and again.tokens == tok.tokens
    assert again.encode(TEXT) == tok.encode(TEXT)


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {"kind": "char", "tokens": []},
        {"kind": "bpe", "hf": "{"},
        {"kind": "x", "tokens": ["a"]},
    ],
)
def test_malformed_tokenizer_dict_is_a_user_error(bad):
    with pytest.raises(UserError) as err:
        Tokenizer.from_dict(bad)
    assert err.value.key == "text.err_checkpoint_tokenizer"


def test_unknown_share_counts_validation_pieces_missing_from_training():
    share, examples = unknown_share("word", "a b a b", "a c c d")
    assert share == pytest.approx(3 / 4)
    assert examples == ["c", "d"]
    assert unknown_share("bpe", "abc", "xyz") == (0.0, [])


def test_empty_text_and_unknown_kind_are_user_errors():
    with pytest.raises(UserError):
        build_tokenizer("char", "")
    with pytest.raises(UserError) as err:
        build_tokenizer("morse", "abc")
    assert err.value.key == "text.err_tokenizer_kind"


def test_show_makes_blank_tokens_visible():
    assert show("\n") == "⏎" and show(" ") == "␣" and show(" the") == " the"
