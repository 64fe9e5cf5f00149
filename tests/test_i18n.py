"""The catalogue: every key in both languages, with the same placeholders."""

import pytest

from genlab.i18n import LANGUAGES, catalogue, negotiate, placeholders, translate


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
    assert translate("pt-BR", "common.elapsed", seconds=3.14159) == "Tempo decorrido: 3.1 s"


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
