"""Jobs on the page: start or re-attach a worker, its controls, and a live fragment that draws it.

Each room has a slot (``"gan"``, ``"text"``...). The slot's job id is kept in the session and in the
URL (``?job_<slot>=ID``), so a run survives moving widgets, visiting another page and reloading.
Jobs and runs belong to the participant's key (``owner()``), also kept in the URL (``?me=KEY``):
another participant, who has another key, cannot find them.
"""

import os
import threading
import time
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from genlab import jobs, runs
from genlab.errors import UserError
from ui.i18n import t

SESSION_KEY = "jobs"
OWNER_KEY, OWNER_PARAM = "owner", "me"
HEARTBEAT_S = 30  # an open page marks its participant's jobs as watched this often (at most)
PROGRESS_KEYS = ("step", "steps", "epoch")
PACES = (0.1, 0.2, 0.4, 0.8, 1.6)  # s between a live fragment's runs
SLOWEST = 0.8  # s: a fragment that draws a live view never redraws it below 1.25 times a second
WATCHING_S = 3.0  # a page whose live fragment ran this recently is watching
RESUMED_NOTICE_S = 60.0  # how long a page says that its run continued after a worker restart
_watching: dict[str, float] = {}
_watching_lock = threading.Lock()


def budget() -> float:
    """Live fragment runs per second the server affords for all its pages (``GENLAB_REDRAWS``,
    default 30: measured in docs/engine.md)."""
    return float(os.environ.get("GENLAB_REDRAWS", "30"))


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
    stops sending this, and the server stops its jobs after ``GENLAB_IDLE_S``). The first page
    of the lab anyone opens also starts the training workers, so that they are ready for Play."""
    jobs.warm()
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
    jobs.warm()  # the workers get ready while the participant reads the page
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


def watching() -> int:
    """How many pages of this server are watching a job now (their live fragment ran lately)."""
    ctx = get_script_run_ctx()
    now = time.monotonic()
    with _watching_lock:
        if ctx is not None:
            _watching[ctx.session_id] = now
        for key in [k for k, seen in _watching.items() if now - seen > WATCHING_S]:
            del _watching[key]
        return len(_watching)


def pace(run_every: float, job: jobs.Job | None, slowest: float = SLOWEST) -> float:
    """Seconds between a live fragment's runs: ``run_every`` when alone, longer when the whole
    class watches (the server's budget shared between the pages), and no faster than the job's
    snapshots arrive (a redraw of the same snapshot is wasted); never above ``slowest``."""
    wanted = max(run_every, watching() / budget(), job.snapshot_period() if job else 0.0)
    fitting = [p for p in PACES if wanted * 0.9 <= p <= slowest]
    return max(run_every, fitting[0] if fitting else slowest)


def _may_slow_down() -> bool:
    """At most one rerun to change pace per ``WATCHING_S`` * 3 seconds and session."""
    now = time.monotonic()
    if now - st.session_state.get("live_paced", 0.0) < 3 * WATCHING_S:
        return False
    st.session_state["live_paced"] = now
    return True


def notices(job: jobs.Job) -> None:
    """What the page says about the job beside its own drawing: waiting, starting, resumed."""
    if job.queued:
        st.info(
            t("common.queue_position", running=jobs.running(job.owner), position=job.position()),
            icon=":material/hourglass_top:",
        )
    elif job.starting:
        st.info(t("common.starting"), icon=":material/hourglass_top:")
    if job.alive and job.restarted and time.time() - job.restarted < RESUMED_NOTICE_S:
        st.info(t("common.job_resumed"), icon=":material/restart_alt:")


def fragment(
    slot: str,
    draw: Callable[[jobs.Job | None], None],
    run_every: float = 0.1,
    slowest: float = SLOWEST,
) -> None:
    """Draw the slot's job with ``draw(job)`` in a fragment that re-runs while the job is alive.

    It re-runs every ``run_every`` s when the server is quiet, less often when many pages watch
    or the job's snapshots come slower (``pace``; at most ``slowest`` s, more for a fragment whose
    charts fetch their own frames: ``genlab.feed``): when it must slow down, the page re-runs once
    to take the new pace (Streamlit sets a fragment's timer in the page's full run). When the
    job's status changes on its own (it ends, or the task pauses itself), the whole page re-runs
    once, so that its controls match the job.
    """
    job = current(slot)
    ticking = job is not None and job.alive
    drawn = job.status if job is not None else None
    every = pace(run_every, job, slowest) if ticking else None
    if ticking:
        jobs.warm()

    def tick() -> None:
        now = current(slot)
        if now is not None:
            notices(now)
        draw(now)
        if ticking and (now is None or now.status != drawn):
            st.rerun()
        slower = ticking and now is not None and pace(run_every, now, slowest) > every
        if slower and _may_slow_down():
            st.rerun()  # the page's next run takes the slower pace (a faster one waits for a
            # rerun the participant makes: never a loop of reruns between two paces)

    st.fragment(tick, run_every=every, key=f"live_{slot}")()
