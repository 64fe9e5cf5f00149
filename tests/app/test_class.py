"""AppTest: the class dashboard behind the instructor code, joining, and the lesson panel in the
sidebar of a room (its check's tick, Next/Back, "bring everyone to step N", a deleted class)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genlab import runs
from genlab.classroom import store
from genlab.i18n import translate

ROOT = Path(__file__).resolve().parents[2]
CODE = "teach-me"


@pytest.fixture(autouse=True)
def _instructor(monkeypatch, tmp_path):
    monkeypatch.setenv("GENLAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GENLAB_INSTRUCTOR_CODE", CODE)
    for limiter in (store.JOIN_PER_KEY, store.JOIN_PER_CLASS):
        monkeypatch.setattr(limiter, "_events", {})


def app(page: str | None = None, lang: str = "en", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    parts = [
        e.value
        for kind in ("markdown", "caption", "text", "success", "error", "info", "title")
        for e in getattr(at, kind)
    ]
    return "\n".join(str(p) for p in parts) + "\n".join(str(e.value) for e in at.sidebar.markdown)


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_dashboard_needs_the_instructor_code(lang):
    at = app("rooms/class.py", lang)
    sign_in = "FormSubmitter:class_sign_in-" + translate(lang, "class.instructor_enter")
    assert [b.key for b in at.button] == [sign_in] and not at.dataframe
    at.text_input(key="class_instructor_code").input("guess")
    at.button(key=sign_in).click().run()
    assert translate(lang, "class.instructor_wrong") in [e.value for e in at.error]
    assert [b.key for b in at.button] == [sign_in]
    at.text_input(key="class_instructor_code").input(CODE)
    at.button(key=sign_in).click().run()
    assert not at.exception, at.exception
    at.button(key="class_create").click().run()
    (classroom,) = store.listing()
    assert translate(lang, "class.join_code_is", code=classroom.code) in [
        m.value for m in at.markdown
    ]
    assert f"/join?code={classroom.code}" in at.code[0].value
    assert at.get("image")  # the QR code


def signed_in(lesson: str = "1_next_word") -> tuple[AppTest, store.Classroom]:
    at = app("rooms/class.py")
    at.text_input(key="class_instructor_code").input(CODE)
    at.button(key="FormSubmitter:class_sign_in-Open the dashboard").click().run()
    at.selectbox(key="class_lesson").set_value(lesson).run()
    at.button(key="class_create").click().run()
    return at, store.listing()[0]


def test_a_wrong_join_code_gets_a_translated_message():
    store.create("1_next_word")
    at = app("rooms/join.py", "pt-BR", code="QQQQQ")
    assert at.text_input(key="join_code").value == "QQQQQ"
    at.text_input(key="join_nickname").input("Ana")
    at.button(key="FormSubmitter:join_form-Entrar").click().run()
    assert [e.value for e in at.error] == [translate("pt-BR", "class.err_code")]


def test_joining_by_the_qr_url_shows_the_lesson_in_the_sidebar_with_its_tick():
    classroom = store.create("1_next_word")
    at = app("rooms/join.py", code=classroom.code)
    at.text_input(key="join_nickname").input("<b>Ana</b>")
    at.button(key="FormSubmitter:join_form-Join").click().run()
    assert not at.exception, at.exception
    (member,) = classroom.members()
    assert member.nickname == "<b>Ana</b>"
    sidebar = [m.value for m in at.sidebar.markdown]
    assert "#### A table of counts" in sidebar
    assert not at.sidebar.success  # nothing done yet
    at.session_state["genlab_progress"] = {"next": {"generated": 3, "last_text": "To be or"}}
    at.run()
    assert [s.value for s in at.sidebar.success] == [translate("en", "class.check_passed")]
    (member,) = classroom.members()
    assert member.passed == ["counts"] and member.progress["next"]["last_text"] == "To be or"
    radio = f"lesson_answer_{classroom.code}_counts_en"
    at.sidebar.radio(key=radio).set_value("Random numbers").run()
    at.sidebar.button(key=f"{radio}_send").click().run()
    assert classroom.members()[0].answers == {"counts": 2}
    assert "Random numbers" in [x.value for x in at.sidebar.text]
    at.sidebar.button(key="lesson_next").click().run()
    assert "#### Softmax: scores become chances" in [m.value for m in at.sidebar.markdown]
    assert classroom.members()[0].step == 1


def test_bring_everyone_moves_the_panel_once_and_a_deleted_class_says_so():
    classroom = store.create("2_gan_ring")
    me = runs.new_owner()
    store.join(classroom.code, me, "Bia")
    at = app(None, me=me)
    assert "#### Real and fake" in [m.value for m in at.sidebar.markdown]
    store.load(classroom.code).bring_to(3)
    at.run()
    assert "#### A learning rate that blows up" in [m.value for m in at.sidebar.markdown]
    at.sidebar.button(key="lesson_back").click().run()  # the participant may still move
    assert "#### Learned" in [m.value for m in at.sidebar.markdown]
    store.load(classroom.code).delete()
    at.run()
    assert [i.value for i in at.sidebar.info] == [translate("en", "class.class_ended")]


def test_answers_reach_the_dashboard():
    at, classroom = signed_in()
    for i in range(3):
        me = runs.new_owner()
        member = store.join(classroom.code, me, f"p{i}")
        store.answer(member, me, "counts", classroom.lesson.steps[0].question, i % 2)
    me = runs.new_owner()
    store.join(classroom.code, me, "**Bo** <b>")
    store.membership(me)[1].save(progress={"next": {"last_text": "*hi*", "temperature": 1.5}})
    at.run()
    assert not at.exception, at.exception
    roster = at.dataframe[0].value
    assert list(roster["Nickname"]) == ["p0", "p1", "p2", "**Bo** <b>"]
    assert r"\*\*Bo\*\* \<b\> (temperature 1.50)" in [c.value for c in at.caption]
    assert "*hi*" in [x.value for x in at.text]  # as typed, never as Markdown
    charts = at.get("plotly_chart")
    assert charts
    at.toggle(key="class_presenter").set_value(True).run()
    assert not at.exception, at.exception
