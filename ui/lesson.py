"""The lesson panel: in the sidebar of every room for a participant in a class.

It shows the current step (title, text, task, a link that opens the step's room with its
settings, the question, Next/Back, a tick when the step's check passes) and saves what the
participant did (``ui.progress``, a sample of their GAN's points) into their file of the class,
which the instructor's dashboard reads. It re-runs on its own every ``EVERY_S`` seconds, so that
"bring everyone to step N" and a deleted class reach every participant.
"""

import time

import numpy as np
import streamlit as st

from genlab import jobs
from genlab.classroom import lessons, store
from genlab.classroom.lessons import Lesson, Step
from genlab.errors import UserError
from ui import live, progress
from ui.i18n import current_lang, t

EVERY_S = 3.0
GAN_TASK = "genlab.gan.jobs:run"
GAN_POINTS = 150
IN_CLASS = "lesson_class"  # session: the code of the class this participant was in
PAGES = {
    "text": "rooms/text_train.py",
    "next": "rooms/text_next.py",
    "gan": "rooms/gan.py",
    "embeddings": "rooms/embeddings.py",
}


def states() -> dict[str, dict]:
    """What every room reported in this session."""
    return {room: progress.state(room) for room in lessons.ROOMS.values()}


def gan_points(key: str) -> list | None:
    """A small sample of the fake points of the participant's latest GAN job on this server."""
    found = [j for j in jobs.owned(key) if j.task == GAN_TASK and j.snapshot]
    if not found:
        return None
    fake = np.asarray(found[-1].snapshot.get("fake", []), dtype=float)[:GAN_POINTS]
    return np.round(fake, 3).tolist() if fake.ndim == 2 and fake.shape[1] == 2 else None


def record(member: store.Member, step: Step, key: str, classroom: store.Classroom) -> bool:
    """Save what the participant did (when it changed, or to say they are still here); whether
    the step's check passes."""
    now = states()
    passed = step.passed(now)
    changes = {"progress": {**member.progress, **{r: s for r, s in now.items() if s}}}
    if passed and step.id not in member.passed:
        changes["passed"] = [*member.passed, step.id]
    points = gan_points(key)
    if points is not None:
        changes["gan_points"] = points
    if classroom.pace is not None and member.pace_seen < classroom.pace_version:
        changes.update(step=classroom.pace, pace_seen=classroom.pace_version)
    stale = time.time() - member.seen > store.SEEN_EVERY_S
    if stale or any(getattr(member, k) != v for k, v in changes.items()):
        member.save(seen=time.time(), **changes)
    return passed


def move(member: store.Member, step: int) -> None:
    try:
        member.save(step=step)
    except UserError as err:
        live.show_error(err)


def question(member: store.Member, key: str, step: Step) -> None:
    q, lang = step.question, current_lang()
    st.markdown(f"**{lessons.pick(q.prompt, lang)}**")
    widget = f"lesson_answer_{member.code}_{step.id}_{lang}"
    if q.kind == "choice":
        labels = q.labels(lang)
        choice = st.radio(
            t("class.your_answer"), labels, index=None, key=widget, label_visibility="collapsed"
        )
        raw = labels.index(choice) if choice in labels else None
    else:
        raw = st.text_input(t("class.your_answer"), key=widget, max_chars=store.MAX_ANSWER)
    if st.button(t("class.answer"), key=f"{widget}_send"):
        try:
            member = store.answer(member, key, step.id, q, raw)
            st.toast(t("class.answered"), icon=":material/check:")
        except UserError as err:
            live.show_error(err)
    if step.id in member.answers:
        given = member.answers[step.id]
        st.caption(t("class.your_answer"))
        st.text(
            q.labels(lang)[given]
            if q.kind == "choice"
            else f"{given:g}"
            if q.kind == "number"
            else given
        )


def room_link(step: Step, key: str) -> None:
    params = {**step.query(), "me": key, "lang": current_lang()}
    st.page_link(
        PAGES[step.room],
        label=t("class.open_room"),
        icon=":material/open_in_new:",
        query_params=params,
    )


def draw_step(lesson: Lesson, member: store.Member, passed: bool, key: str) -> None:
    lang, index = current_lang(), min(member.step, len(lesson.steps) - 1)
    step = lesson.steps[index]
    st.caption(
        f"{lessons.pick(lesson.title, lang)} · "
        + t("class.panel_step", n=index + 1, total=len(lesson.steps))
    )
    st.markdown(f"#### {lessons.pick(step.title, lang)}")
    st.markdown(lessons.pick(step.text, lang))
    st.markdown(f"**{t('class.panel_task')}:** {lessons.pick(step.task, lang)}")
    room_link(step, key)
    if passed:
        st.success(t("class.check_passed"), icon=":material/check_circle:")
    elif step.check:
        st.caption(t("class.check_pending"))
    if step.question is not None:
        question(member, key, step)
    back, forward = st.columns(2)
    back.button(
        t("class.back"),
        key="lesson_back",
        disabled=index == 0,
        on_click=move,
        args=(member, index - 1),
        width="stretch",
    )
    forward.button(
        t("class.next"),
        key="lesson_next",
        disabled=index >= len(lesson.steps) - 1,
        on_click=move,
        args=(member, index + 1),
        type="primary",
        width="stretch",
    )


def draw() -> None:
    key = live.owner()
    found = store.membership(key)
    if found is None:
        if st.session_state.get(IN_CLASS):
            st.info(t("class.class_ended"), icon=":material/school:")
        return
    classroom, member = found
    st.session_state[IN_CLASS] = classroom.code
    lesson = classroom.lesson
    try:
        passed = record(member, lesson.step(member.step), key, classroom)
    except UserError as err:  # deleted between reading and writing
        live.show_error(err)
        return
    with st.container(border=True, key="lesson_panel"):
        draw_step(lesson, member, passed, key)


def panel() -> None:
    """The lesson panel in the sidebar (nothing for someone who is not in a class)."""
    with st.sidebar:
        st.fragment(draw, run_every=EVERY_S)()
