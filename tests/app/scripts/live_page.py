"""A minimal page using ui.live with a tiny counting job, for the AppTest of the live helpers."""

import streamlit as st

from ui import live

st.slider("unrelated", 0, 10, 5, key="unrelated")
st.number_input("rate", value=1.0, key="rate")


def play() -> None:
    live.start("count", "tests.jobs_tasks:count", {"rate": st.session_state["rate"]})


live.controls("count", on_play=play)
job = live.current("count")
if job is not None and job.alive and job.params["rate"] != st.session_state["rate"]:
    job.update(rate=st.session_state["rate"])


def draw(job) -> None:
    if job is None:
        st.write("no job")
        return
    st.write(f"status={job.status}")
    if job.snapshot:
        st.metric("count", job.snapshot["i"])
        st.metric("rate", job.snapshot["rate"])
    live.show_crash(job)


live.fragment("count", draw)
