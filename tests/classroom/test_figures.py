"""The dashboard's pictures of a participant's GAN: its title as the instructor reads it."""

import pytest
from streamlit.testing.v1 import AppTest

from genlab.classroom import figures


def test_a_title_keeps_its_lines_and_shows_a_nickname_as_typed():
    fig = figures.gan_thumbnail([[0, 0]], [[1, 1]], "<b>Bruno</b>\nJS 0.120")
    assert fig["layout"]["title"]["text"] == "&lt;b&gt;Bruno&lt;/b&gt;<br>JS 0.120"


def _gallery_title(nickname: str, lang: str, height: int) -> str:
    """The title ``ui.dashboard.gan_figure`` gives a member's GAN, on a page in ``lang``."""

    def page(nickname: str, height: int) -> None:
        import streamlit as st

        from genlab.classroom import store
        from ui import dashboard

        member = store.Member(id="m", code="C", nickname=nickname, gan_points=[[0.0, 0.0]])
        member.progress = {"gan": {"js": 0.1994, "dataset": "ring"}}
        st.text(dashboard.gan_figure(member, height=height)["layout"]["title"]["text"])

    at = AppTest.from_function(page, args=(nickname, height))
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at.text[0].value


@pytest.mark.parametrize(("lang", "js"), [("en", "JS 0.199"), ("pt-BR", "JS 0,199")])
def test_a_gallery_thumbnail_shortens_a_long_nickname_and_keeps_its_js_on_a_line(lang, js):
    # "Bruno <b>: JS 0,199" on one line lost its figure in a thumbnail
    assert _gallery_title("Ana", lang, 180) == f"Ana<br>{js}"
    assert _gallery_title("Maria Eduarda Santos", lang, 180) == f"Maria Eduarda S…<br>{js}"
    assert _gallery_title("Maria Eduarda Santos", lang, 520) == f"Maria Eduarda Santos<br>{js}"
