"""Jobs on the page: start or re-attach a worker, its controls, and a live fragment that draws it.

Each room has a slot (``"gan"``, ``"text"``...). The slot's job id is kept in the session and in the
URL (``?job_<slot>=ID``), so a run survives moving widgets, visiting another page and reloading.
"""

from collections.abc import Callable

import streamlit as st

from genlab import jobs
from genlab.errors import UserError
from ui.i18n import t

SESSION_KEY = "jobs"


def _slots() -> dict:
    return st.session_state.setdefault(SESSION_KEY, {})


def show_error(err: UserError) -> None:
    """A participant's error, in their language."""
    st.error(t(err.key, **err.params), icon=":material/warning:")


def current(slot: str) -> jobs.Job | None:
    """The job of this slot for this session (or from the URL after a reload), if any."""
    job = jobs.get(_slots().get(slot) or st.query_params.get(f"job_{slot}"))
    if job is not None:
        _slots()[slot] = job.id
    return job


def watch_all() -> None:
    """Mark this session's jobs as watched: a participant anywhere in the lab keeps them."""
    for job_id in _slots().values():
        jobs.get(job_id)


def start(slot: str, task: str, params: dict, interval: float = 0.1) -> jobs.Job | None:
    """Start a job in the slot (stopping its previous one); None, with a message, if refused."""
    forget(slot)
    try:
        job = jobs.start(task, params, interval=interval)
    except UserError as err:
        show_error(err)
        return None
    _slots()[slot] = job.id
    st.query_params[f"job_{slot}"] = job.id
    return job


def forget(slot: str) -> None:
    """Stop the slot's job (if any) and detach it from the session and the URL."""
    job = current(slot)
    if job is not None and job.alive:
        job.stop()
    _slots().pop(slot, None)
    st.query_params.pop(f"job_{slot}", None)


def status_text(job: jobs.Job) -> str:
    return t(f"common.status_{job.status}")


def show_crash(job: jobs.Job) -> None:
    """A crashed worker as a message, not a dead page."""
    if job.status == "failed":
        st.error(t("common.job_crashed"), icon=":material/error:")
        st.code(job.error or "", language="text")


def controls(slot: str, on_play: Callable[[], None], on_reset: Callable[[], None] | None = None):
    """Play/pause/resume, stop and reset buttons for the slot's job, translated.

    ``on_play`` starts a new job (called when there is none running); ``on_reset`` clears the
    room's own state after the job is forgotten.
    """
    job = current(slot)
    cols = st.columns(3)
    if job is None or not job.alive:
        cols[0].button(t("common.play"), key=f"{slot}_play", on_click=on_play, type="primary")
    elif job.status == "paused":
        cols[0].button(
            t("common.resume"), key=f"{slot}_resume", on_click=job.resume, type="primary"
        )
    else:
        cols[0].button(t("common.pause"), key=f"{slot}_pause", on_click=job.pause)
    cols[1].button(
        t("common.stop"),
        key=f"{slot}_stop",
        on_click=job.stop if job else None,
        disabled=not (job and job.alive),
    )

    def reset() -> None:
        forget(slot)
        if on_reset is not None:
            on_reset()

    cols[2].button(t("common.reset"), key=f"{slot}_reset", on_click=reset)


def fragment(slot: str, draw: Callable[[jobs.Job | None], None], run_every: float = 0.1) -> None:
    """Draw the slot's job with ``draw(job)`` in a fragment that re-runs every ``run_every`` s.

    It ticks only while the job is alive. When the job's status changes on its own (it ends, or
    the task pauses itself), the whole page re-runs once, so that its controls match the job.
    """
    job = current(slot)
    ticking = job is not None and job.alive
    drawn = job.status if job is not None else None

    def tick() -> None:
        now = current(slot)
        draw(now)
        if ticking and (now is None or now.status != drawn):
            st.rerun()

    st.fragment(tick, run_every=run_every if ticking else None, key=f"live_{slot}")()
