"""AppTest: the entry point and the Home page load in both languages, with their main parts."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def run(script: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize(
    ("lang", "title", "switch_label"),
    [
        ("en", "GenLab: see how generative AI works", "Language"),
        ("pt-BR", "GenLab: veja como a IA generativa funciona", "Idioma"),
    ],
)
def test_the_app_opens_on_home_in_the_requested_language(lang, title, switch_label):
    at = run("app.py", lang=lang)
    assert at.title[0].value == title
    assert at.sidebar.selectbox[0].label == switch_label
    assert at.sidebar.selectbox[0].value == lang


def test_the_language_switch_changes_the_text_and_the_url():
    at = run("app.py", lang="en")
    at.sidebar.selectbox[0].select("pt-BR").run()
    assert at.title[0].value == "GenLab: veja como a IA generativa funciona"
    assert at.query_params["lang"] == "pt-BR"


def test_home_presents_the_four_rooms():
    at = run("app.py", lang="en")
    assert [h.value for h in at.subheader] == [
        "Train a language model",
        "What comes next?",
        "A GAN learns a ring",
        "The map of meanings",
    ]
