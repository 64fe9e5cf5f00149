"""Home's pictures of the text rooms show the interface in the page's language."""

from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "assets" / "screenshots"


@pytest.mark.parametrize(
    ("name", "lang"),
    [("text_next", "en"), ("text_train", "en"), ("text_next.pt-BR", "pt-BR")],
)
def test_each_text_room_picture_was_taken_in_its_language(name, lang):
    # assets/screenshots/make_text_screenshots.py records the interface's language in the file
    assert Image.open(SCREENSHOTS / f"{name}.png").text.get("Language") == lang


def picture_urls(lang: str) -> list[str]:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)  # opens on Home
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return [img.url for element in at.get("image") for img in element.proto.imgs]


def test_home_shows_the_next_word_picture_of_its_language():
    english, portuguese = picture_urls("en"), picture_urls("pt-BR")
    assert len(english) == len(portuguese) == 4
    # rooms in order: Train, Next word, GAN, Embeddings; only Next word has a pt-BR picture
    assert english[1] != portuguese[1]
    assert [english[i] for i in (0, 2, 3)] == [portuguese[i] for i in (0, 2, 3)]
