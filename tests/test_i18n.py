"""The catalogue: every key in both languages, with the same placeholders."""

import pytest

from genlab.i18n import (
    LANGUAGES,
    catalogue,
    negotiate,
    number,
    parse_number,
    placeholders,
    translate,
)


def test_every_key_exists_in_every_language_and_is_not_empty():
    missing = [
        f"{key} [{lang}]"
        for key, texts in catalogue().items()
        for lang in LANGUAGES
        if not str(texts.get(lang, "")).strip()
    ]
    assert not missing, "keys without a translation: " + ", ".join(missing)


def test_no_entry_has_a_language_we_do_not_serve():
    extra = [key for key, texts in catalogue().items() if set(texts) - set(LANGUAGES)]
    assert not extra


def test_both_languages_use_the_same_placeholders():
    differ = [
        key
        for key, texts in catalogue().items()
        if len({frozenset(placeholders(texts[lang])) for lang in LANGUAGES}) > 1
    ]
    assert not differ, "placeholders differ: " + ", ".join(differ)


def test_translation_fills_placeholders_in_each_language():
    assert translate("en", "common.elapsed", seconds=3.14159) == "Elapsed: 3.1 s"
    assert translate("pt-BR", "common.elapsed", seconds=3.14159) == "Tempo decorrido: 3,1 s"


@pytest.mark.parametrize(
    ("value", "spec", "en", "pt"),
    [
        (1234, ",", "1,234", "1.234"),
        (1234567, ",", "1,234,567", "1.234.567"),
        (1234.5, ",.1f", "1,234.5", "1.234,5"),
        (0.442, ".1%", "44.2%", "44,2 %"),
        (0.5, ".0%", "50%", "50 %"),
        (2.9, "", "2.9", "2,9"),
        (1000.0, "", "1000.0", "1000,0"),
        (2.675, ".2f", "2.67", "2,67"),  # Python's rounding of the float, not the decimal 2.675
        (3, ".3f", "3.000", "3,000"),
        (1234, "", "1234", "1234"),
        (0.00012, "g", "0.00012", "0,00012"),
        (1234.5, "8.1f", "  1234.5", "  1234,5"),
        (float("nan"), ".1f", "nan", "nan"),
    ],
)
def test_numbers_are_written_the_way_each_language_writes_them(value, spec, en, pt):
    assert number("en", value, spec) == en
    assert number("pt-BR", value, spec) == pt


def test_catalogue_placeholders_get_the_language_s_numbers():
    assert translate(
        "pt-BR", "text.progress", step=1234, steps=20000, elapsed=2.4, remaining=3
    ) == ("Passo 1.234 de 20.000 · 2 s decorridos · faltam cerca de 3 s")
    assert translate("en", "text.progress", step=1234, steps=20000, elapsed=2.4, remaining=3) == (
        "Step 1,234 of 20,000 · 2 s elapsed · about 3 s left"
    )


def test_numpy_numbers_are_numbers_too():
    import numpy as np

    assert number("pt-BR", np.float32(0.25), ".1%") == "25,0 %"
    assert number("pt-BR", np.int64(12345), ",") == "12.345"


def test_an_unknown_key_shows_itself_instead_of_failing():
    assert translate("pt-BR", "nowhere.nothing") == "nowhere.nothing"


@pytest.mark.parametrize(
    ("requested", "locale", "expected"),
    [
        ("pt-BR", "en-US", "pt-BR"),
        ("en", "pt-BR", "en"),
        (None, "pt-BR", "pt-BR"),
        (None, "pt_PT", "pt-BR"),
        (None, "en-GB", "en"),
        (None, "de-DE", "en"),
        ("xx", None, "en"),
        (None, None, "en"),
    ],
)
def test_the_url_wins_then_the_browser_locale_then_english(requested, locale, expected):
    assert negotiate(requested, locale) == expected


@pytest.mark.parametrize(
    ("lang", "text", "value"),
    [
        ("pt-BR", "0,002", 0.002),
        ("pt-BR", "1.234,5", 1234.5),
        ("en", "1,234.5", 1234.5),
        ("en", " 0.5 ", 0.5),
        ("en", "abc", None),
        ("en", "inf", None),
        ("en", "", None),
    ],
)
def test_a_typed_decimal_is_read_for_the_language(lang, text, value):
    assert parse_number(lang, text) == value
