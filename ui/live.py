"""Jobs on the page: start or re-attach a worker, its controls, and a live fragment that draws it.

Each room has a slot (``"gan"``, ``"text"``...). The slot's job id is kept in the session and in the
URL (``?job_<slot>=ID``), so a run survives moving widgets, visiting another page and reloading.
Jobs and runs belong to the participant's key (``owner()``), also kept in the URL (``?me=KEY``):
another participant, who has another key, cannot find them.
"""

from collections.abc import Callable

import streamlit as st

from genlab import jobs, runs
from genlab.errors import UserError
from ui.i18n import t

SESSION_KEY = "jobs"
OWNER_KEY, OWNER_PARAM = "owner", "me"
HEARTBEAT_S = 30  # an open page marks its participant's jobs as watched this often (at most)
PROGRESS_KEYS = ("step", "steps", "epoch")


def _slots() -> dict:
    return st.session_state.setdefault(SESSION_KEY, {})


def show_error(err: UserError) -> None:
    """A participant's error, in their language."""
    st.error(t(err.key, **err.params), icon=":material/warning:")


def owner() -> str:
    """This participant's key: kept in the session and in the page's address, so that a reload or
    a new connection finds the same jobs and runs."""
    token = st.session_state.get(OWNER_KEY)
    if not runs.valid(token):
        given = st.query_params.get(OWNER_PARAM)
        token = given if runs.valid(given) else runs.new_owner()
        st.session_state[OWNER_KEY] = token
    if st.query_params.get(OWNER_PARAM) != token:
        st.query_params[OWNER_PARAM] = token
    return token


def current(slot: str) -> jobs.Job | None:
    """The job of this slot for this participant (or from the URL after a reload), if any."""
    job = jobs.get(_slots().get(slot) or st.query_params.get(f"job_{slot}"), owner())
    if job is not None:
        attach(slot, job)
    return job


def attach(slot: str, job: jobs.Job) -> None:
    """Show ``job`` in the slot (after a reload, or from the list of recent runs)."""
    _slots()[slot] = job.id
    if st.query_params.get(f"job_{slot}") != job.id:
        st.query_params[f"job_{slot}"] = job.id


def watch_all() -> None:
    """Mark this participant's jobs as watched: a participant anywhere in the lab keeps them."""
    for job in jobs.owned(owner()):
        job.touch()


def keep_alive() -> None:
    """While any page of the lab is open, its participant's jobs count as watched (a closed tab
    stops sending this, and the server stops its jobs after ``GENLAB_IDLE_S``)."""
    st.fragment(watch_all, run_every=min(HEARTBEAT_S, jobs.idle_seconds() / 3))()


def _recorder(run: runs.Run) -> Callable[[jobs.Job], None]:
    """Keep a run's ``run.json`` in step with its job's status."""

    def record(job: jobs.Job) -> None:
        snap = job.snapshot or {}
        progress = {k: snap[k] for k in PROGRESS_KEYS if k in snap}
        run.save(status=job.status, error=job.error, progress=progress or run.progress)

    return record


def job_of(run: runs.Run) -> jobs.Job | None:
    """The job on this server that trains ``run``, if any."""
    for job in jobs.owned(run.owner):
        if job.params.get("run_dir") == str(run.dir):
            return job
    return None


def start(
    slot: str,
    task: str,
    params: dict,
    interval: float = 0.1,
    run: tuple[str, str] | runs.Run | None = None,
) -> jobs.Job:
    """Start a job in the slot, stopping its previous one (the job waits its turn when the server
    is at its cap). With ``run`` (``(kind, title)`` for a new run, or a saved run to continue),
    the job is recorded on disk among the participant's runs."""
    forget(slot)
    on_status = None
    if isinstance(run, tuple):
        try:
            run = runs.create(owner(), *run, params)
        except OSError:  # a full or read-only disk: train anyway, without saving
            st.toast(t("common.runs_unsaved"), icon=":material/warning:")
            run = None
    if run is not None:
        params = {**params, "run_dir": str(run.dir)}
        on_status = _recorder(run)
    job = jobs.start(task, params, interval=interval, owner=owner(), on_status=on_status)
    attach(slot, job)
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
    elif job.queued:
        cols[0].button(t("common.pause"), key=f"{slot}_pause", disabled=True)
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
        if now is not None and now.queued:
            st.info(
                t("common.queue_position", running=jobs.running(), position=now.position()),
                icon=":material/hourglass_top:",
            )
        draw(now)
        if ticking and (now is None or now.status != drawn):
            st.rerun()

    st.fragment(tick, run_every=run_every if ticking else None, key=f"live_{slot}")()
