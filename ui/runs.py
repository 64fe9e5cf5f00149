"""'Your recent runs': a participant's saved runs of a room, to show, resume, download or delete."""

import time
from collections.abc import Callable

import streamlit as st

from genlab import runs
from ui import live
from ui.i18n import t

SHOWN = 8


def status_of(run: runs.Run) -> str:
    """The run's status: its job's on this server, else the saved one ('interrupted' when the saved
    run was still going: the lab restarted meanwhile)."""
    job = live.job_of(run)
    if job is not None:
        return job.status
    return "interrupted" if run.status in runs.ACTIVE else run.status


def progress_text(run: runs.Run) -> str:
    job = live.job_of(run)
    progress = (job.snapshot if job is not None and job.snapshot else None) or run.progress
    if "steps" in progress:
        return t("common.run_steps", step=progress["step"], steps=progress["steps"])
    if "epoch" in progress:
        return t("common.run_epochs", epoch=progress["epoch"])
    return ""


def recent(
    kind: str,
    slot: str,
    model_file: str,
    resume: Callable[[runs.Run], None],
    use: Callable[[runs.Run], None] | None = None,
) -> None:
    """The participant's runs of ``kind``, newest first, each with what can be done with it:
    show its live job in ``slot``, ``resume`` it when it stopped before the end, ``use`` its model
    (e.g. load it into the session), download its ``model_file``, delete it."""
    mine = runs.listing(live.owner(), kind)
    with st.expander(t("common.runs_title", count=len(mine)), icon=":material/history:"):
        st.caption(t("common.runs_help"))
        if not mine:
            st.caption(t("common.runs_none"))
        for run in mine[:SHOWN]:
            row(run, slot, model_file, resume, use)


def row(run, slot, model_file, resume, use) -> None:
    status = status_of(run)
    job = live.job_of(run)
    parts = {
        "title": run.title,
        "status": t(f"common.status_{status}"),
        "when": time.strftime("%H:%M", time.localtime(run.created)),
    }
    progress = progress_text(run)
    text, *buttons = st.columns([5, 1, 1, 1, 1], vertical_alignment="center")
    text.markdown(" · ".join([t("common.run_line", **parts), *([progress] if progress else [])]))
    key = f"run_{run.id}"
    shown = job is not None and job is live.current(slot)
    if shown:
        buttons[0].caption(t("common.run_shown"))
    elif job is not None:
        buttons[0].button(
            t("common.run_open"), key=f"{key}_open", on_click=live.attach, args=(slot, job)
        )
    elif use is not None and run.file(model_file):
        buttons[0].button(t("common.run_open"), key=f"{key}_use", on_click=use, args=(run,))
    ended = job is None or not job.alive
    if ended and status not in ("finished", "failed") and run.file(model_file):
        buttons[1].button(t("common.run_resume"), key=f"{key}_resume", on_click=resume, args=(run,))
    path = run.file(model_file)
    if path is not None:
        buttons[2].download_button(
            t("common.run_download"),
            data=path.read_bytes,
            file_name=f"{run.kind}-{time.strftime('%Y%m%d-%H%M', time.localtime(run.created))}"
            f"{path.suffix}",
            mime="application/octet-stream",
            key=f"{key}_download",
        )
    if ended:
        buttons[3].button(
            t("common.run_delete"),
            key=f"{key}_delete",
            on_click=runs.delete,
            args=(run.owner, run.id),
        )
