"""The instructor's dashboard, drawn from the class's files (cheap: a re-run reads small JSON files,
no training, no model): the roster, the answers, the results, and the presenter view."""

import functools
import io
import sys
import time
from urllib.parse import urlencode

import segno
import streamlit as st

from genlab.classroom import figures, lessons, store
from genlab.gan.datasets import BUILTIN, Dataset
from genlab.i18n import translate
from ui.charts import plot
from ui.i18n import current_lang, plain, t

EVERY_S = 1.0
THUMBS_PER_ROW = 5  # 160 px each on a 1400 px screen; in a column beside the roster, four were cut
THUMB_NAME = 16  # characters of a nickname over a gallery thumbnail


def join_url(code: str) -> str:
    """The join page's address for this class, in the instructor's language (no private key)."""
    base = (st.context.url or "").split("?")[0].rstrip("/")
    base = base.rsplit("/", 1)[0] if base.endswith("/class") else base
    return f"{base}/join?{urlencode({'code': code, 'lang': current_lang()})}"


@functools.cache
def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


@functools.cache
def real_points(dataset: str) -> list:
    return Dataset(dataset).sample(200, seed=3).round(3).tolist() if dataset in BUILTIN else []


def roster(classroom: store.Classroom, members: list[store.Member]) -> None:
    st.subheader(t("class.roster"))
    if not members:
        st.info(t("class.roster_empty"), icon=":material/group_add:")
        return
    now = time.time()
    rows = {
        plain("class.col_nickname"): [m.nickname for m in members],
        plain("class.col_step"): [m.step + 1 for m in members],
        plain("class.col_status"): [
            plain("class.status_active" if m.active(now) else "class.status_idle") for m in members
        ],
        plain("class.col_passed"): [len(m.passed) for m in members],
    }
    st.dataframe(rows, hide_index=True, key="class_roster")


def questions(lesson: lessons.Lesson) -> list[tuple[int, lessons.Step]]:
    return [(i, s) for i, s in enumerate(lesson.steps) if s.question is not None]


def answers_figure(lesson, index: int, step, members: list[store.Member], big=False) -> dict:
    lang = current_lang()
    values = [m.answers[step.id] for m in members if step.id in m.answers]
    title = plain("class.answers_count", step=index + 1, count=len(values))
    title += ": " + lessons.pick(step.question.prompt, lang)
    return figures.answers(title, store.aggregate(step.question, values, lang), big=big)


def answers(lesson: lessons.Lesson, members: list[store.Member]) -> None:
    st.subheader(t("class.answers_title"))
    asked = questions(lesson)
    if not asked:
        st.caption(t("class.no_questions"))
    for index, step in asked:
        if any(step.id in m.answers for m in members):
            plot(answers_figure(lesson, index, step, members), key=f"class_answers_{step.id}")
        else:  # no empty chart: one line until the first answer comes
            prompt = lessons.pick(step.question.prompt, current_lang())
            st.caption(plain("class.answers_count", step=index + 1, count=0) + ": " + prompt)


def gan_figure(member: store.Member, height: int = 180) -> dict | None:
    gan = member.progress.get("gan", {})
    if not member.gan_points:
        return None
    js = gan.get("js")
    nickname = member.nickname
    if height < 300 and len(nickname) > THUMB_NAME:
        nickname = nickname[: THUMB_NAME - 1] + "…"
    title = plain("class.gallery_gan", nickname=nickname, js=js) if js is not None else nickname
    return figures.gan_thumbnail(
        member.gan_points, real_points(gan.get("dataset", "ring")), title, height
    )


def gallery(members: list[store.Member]) -> None:
    st.subheader(t("class.gallery"))
    texts = [m for m in members if m.progress.get("next", {}).get("last_text")]
    gans = [(m, gan_figure(m)) for m in members]
    gans = [(m, f) for m, f in gans if f is not None]
    if not texts and not gans:
        st.caption(t("class.gallery_empty"))
    for m in texts:
        nxt = m.progress["next"]
        st.caption(
            t(
                "class.gallery_text",
                nickname=m.nickname,
                temperature=float(nxt.get("temperature") or 0),
            )
        )
        st.text(nxt["last_text"])
    for row in range(0, len(gans), THUMBS_PER_ROW):
        cols = st.columns(THUMBS_PER_ROW)
        for col, (m, fig) in zip(cols, gans[row : row + THUMBS_PER_ROW], strict=False):
            with col:
                plot(fig, key=f"class_gan_{m.id}", config={"staticPlot": True})


def live(code: str) -> None:
    """The live part of the dashboard (re-runs every second)."""
    classroom = store.load(code)
    if classroom is None:
        st.warning(t("class.err_gone"), icon=":material/warning:")
        return
    members = classroom.members()
    left, right = st.columns([2, 3])
    with left:
        roster(classroom, members)
    with right:
        answers(classroom.lesson, members)
    gallery(members)  # the page's width: Streamlit draws a chart 150 px wide at least


def presenter_choices(lesson: lessons.Lesson, members: list[store.Member]) -> dict[str, str]:
    """What the presenter view can show: each question's answers, each participant's result."""
    choices = {
        f"q:{s.id}": plain("class.presenter_answers", step=i + 1) for i, s in questions(lesson)
    }
    for m in members:
        choices[f"p:{m.id}"] = plain("class.presenter_person", nickname=m.nickname)
    return choices


def presenter(code: str, shown: str) -> None:
    """One thing, large, for the projector."""
    classroom = store.load(code)
    if classroom is None:
        st.warning(t("class.err_gone"), icon=":material/warning:")
        return
    members, lesson = classroom.members(), classroom.lesson
    kind, _, ident = shown.partition(":")
    if kind == "q":
        for index, step in questions(lesson):
            if step.id == ident:
                plot(answers_figure(lesson, index, step, members, big=True), key="class_presented")
                return
    person = next((m for m in members if m.id == ident), None)
    if person is None:
        st.info(t("class.presenter_nothing"))
        return
    person_result(person)


def person_result(person: store.Member) -> None:
    st.header(t("class.presenter_person", nickname=person.nickname), anchor=False)
    nxt = person.progress.get("next", {})
    if nxt.get("last_text"):
        st.caption(
            t(
                "class.gallery_text",
                nickname=person.nickname,
                temperature=float(nxt.get("temperature") or 0),
            )
        )
        st.code(nxt["last_text"], language=None, wrap_lines=True)
    fig = gan_figure(person, height=520)
    if fig is not None:
        plot(fig, key="class_presented_gan", config={"staticPlot": True})
    if not nxt.get("last_text") and fig is None:
        st.info(t("class.presenter_nothing"))


@st.cache_resource(show_spinner=False)
def announce_instructor_code() -> None:
    """Print the instructor code in the server's log, once per server process."""
    print(
        translate("en", "class.log_code", code=store.instructor_code()), file=sys.stderr, flush=True
    )
