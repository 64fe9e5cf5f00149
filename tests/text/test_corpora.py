"""Corpora: the built-in texts and what happens to a participant's upload."""

import importlib.util

import pytest

from genlab.errors import UserError
from genlab.text.corpora import (
    ASSETS,
    MAX_UPLOAD_BYTES,
    corpus_stats,
    decode_upload,
    load_corpus,
    strip_gutenberg,
)
from genlab.text.data import split

PT = "Glauco gosta de comer peras. Ação, maçã, você não!\n" * 40


def test_shakespeare_is_a_deterministic_selection_of_about_1_1_million_characters():
    text = load_corpus("shakespeare")
    assert 1_050_000 <= len(text) <= 1_200_000
    assert text.startswith("THE TRAGEDY OF CORIOLANUS")
    assert "Project Gutenberg" not in text
    assert 60 <= len(set(text)) <= 90


def test_portuguese_corpus_follows_the_lecture_example():
    text = load_corpus("portuguese")
    assert len(text.split()) >= 40_000
    after = text.split("Glauco gosta de comer ")[1:]
    counts = {
        w: sum(a.startswith(w) for a in after) for w in ("peras", "melancia", "pregos", "cimento")
    }
    assert counts["peras"] > counts["melancia"] > counts["pregos"] > counts["cimento"] > 0


def test_machado_corpus_is_the_three_novels_rebuilt_into_paragraphs():
    text = load_corpus("machado")
    assert 1_100_000 <= len(text) <= 1_250_000
    assert 15_000 <= len({w.strip(".,;:!?—-()\"“”'").lower() for w in text.split()}) <= 40_000
    blocks = text.split("\n\n")
    titles = ("MEMÓRIAS PÓSTUMAS DE BRÁS CUBAS", "QUINCAS BORBA", "DOM CASMURRO")
    assert [b for b in blocks if b in titles] == list(titles)
    headings = [b for b in blocks if b.startswith("CAPÍTULO ")]
    assert len(headings) == 160 + 201 + 148 and all("\n" not in h for h in headings)
    # Headings glued to their chapter's text in the raw files come apart from it.
    assert "CAPÍTULO II — DO LIVRO" in blocks and "CAPÍTULO XL — UMA ÉGUA" in blocks
    assert any(b.startswith("Agora que expliquei o título, passo a escrever") for b in blocks)
    # Paragraphs, not printed lines: no line break inside a block, dialogue lines apart.
    assert all("\n" not in b for b in blocks[:-1]) and "— Continue, disse eu acordando." in blocks
    assert sum(len(b) for b in blocks) / len(blocks) > 200
    assert "FIM" not in blocks and "CAPÍTULO" not in " ".join(b for b in blocks if b[0] != "C")


def test_machado_corpus_is_what_its_script_builds_from_the_bundled_raw_files():
    spec = importlib.util.spec_from_file_location("make_machado", ASSETS / "make_machado.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.corpus() == load_corpus("machado")


def test_unknown_builtin_name_is_a_user_error():
    with pytest.raises(UserError):
        load_corpus("klingon")


def test_strip_gutenberg_removes_header_and_footer():
    raw = (
        "licence\n*** START OF THE PROJECT GUTENBERG EBOOK X ***\nBody text\n"
        "*** END OF THE PROJECT GUTENBERG EBOOK X ***\nmore licence"
    )
    assert strip_gutenberg(raw) == "Body text\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"])
def test_portuguese_uploads_are_decoded_in_any_usual_encoding(encoding):
    assert decode_upload(PT.encode(encoding), "texto.txt") == PT


def test_windows_line_endings_are_normalised():
    assert (
        decode_upload(b"linha um\r\nlinha dois\r\n" * 20, "a.md") == "linha um\nlinha dois\n" * 20
    )


def test_emoji_and_cjk_text_is_accepted():
    text = "日本語のテキスト 😀 emoji e português também.\n" * 20
    assert decode_upload(text.encode(), "x.txt") == text


@pytest.mark.parametrize(
    ("data", "name", "key"),
    [
        (b"", "a.txt", "text.err_empty_text"),
        (b"   \n", "a.txt", "text.err_empty_text"),
        (bytes(range(256)) * 50, "image.txt", "text.err_binary"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "photo.txt", "text.err_binary"),
        (PT.encode("utf-16-le"), "no_bom.txt", "text.err_utf16"),
        (PT.encode(), "model.pdf", "text.err_upload_type"),
        (b"a" * (MAX_UPLOAD_BYTES + 1), "big.txt", "text.err_upload_too_large"),
    ],
)
def test_bad_uploads_get_a_translated_message(data, name, key):
    with pytest.raises(UserError) as err:
        decode_upload(data, name)
    assert err.value.key == key


def test_corpus_stats_and_split_keep_the_last_tenth_for_validation():
    stats = corpus_stats("one two\nthree")
    assert stats == {"bytes": 13, "chars": 13, "words": 3, "distinct_chars": 9, "lines": 2}
    assert corpus_stats("é")["bytes"] == 2
    train, val = split(list(range(100)))
    assert train == list(range(90)) and val == list(range(90, 100))
