"""AppTest of ui.live: a job started from a page survives other widgets and stops when asked."""

import os
import signal
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from genlab import jobs
from tests.support.app import session_job
from ui import live

SCRIPT = Path(__file__).resolve().parent / "scripts" / "live_page.py"


def count(at: AppTest) -> int:
    return int(at.metric[0].value) if at.metric else -1


def tick_until(at: AppTest, predicate, timeout: float = 30) -> AppTest:
    deadline = time.time() + timeout
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if predicate(at):
            return at
        time.sleep(0.1)
    raise AssertionError("the page never showed what was expected: " + str(at.markdown))


def test_a_job_keeps_running_while_widgets_change_then_stops_when_asked():
    at = AppTest.from_file(str(SCRIPT), default_timeout=30)
    at.run()
    assert at.button[0].label == "Play"
    at.button[0].click().run()
    job_id = at.session_state["jobs"]["count"]
    assert at.query_params["job_count"] == job_id
    tick_until(at, lambda a: count(a) > 20)

    before = count(at)
    at.slider(key="unrelated").set_value(9).run()
    tick_until(at, lambda a: count(a) > before + 20)
    assert jobs.get(job_id, at.session_state["owner"]).alive

    at.number_input(key="rate").set_value(0.25).run()
    tick_until(at, lambda a: a.metric[1].value == "0.25")

    assert at.button[0].label == "Pause"
    at.button[0].click().run()
    tick_until(at, lambda a: "status=paused" in [m.value for m in a.markdown])
    assert at.button[0].label == "Resume"

    at.button[1].click().run()
    assert jobs.get(job_id, at.session_state["owner"]).wait(timeout=10)
    tick_until(at, lambda a: "status=stopped" in [m.value for m in a.markdown])
    assert at.button[0].label == "Play"


def test_reset_forgets_the_job_and_frees_the_slot():
    at = AppTest.from_file(str(SCRIPT), default_timeout=30)
    at.run()
    at.button[0].click().run()
    job = session_job(at, "count")
    at.button[2].click().run()
    assert job.wait(timeout=10)
    assert "count" not in at.session_state["jobs"]
    assert "no job" in [m.value for m in at.markdown]


def test_a_participant_is_told_when_their_run_resumed_after_its_worker_died():
    at = AppTest.from_file(str(SCRIPT), default_timeout=30)
    at.run()
    at.button[0].click().run()
    job = session_job(at, "count")
    tick_until(at, lambda a: count(a) > 5)
    dead = job.pid
    os.kill(dead, signal.SIGKILL)
    resumed = "The training computer restarted"
    tick_until(at, lambda a: any(resumed in i.value for i in a.info) and count(a) > 5)
    assert job.restarts == 1 and job.pid != dead and job.status == "running"
    at.button[1].click().run()
    assert job.wait(timeout=10)


class Job:
    def __init__(self, period: float):
        self.period = period

    def snapshot_period(self) -> float:
        return self.period


def test_live_pages_redraw_fast_alone_and_slower_but_above_1_2_per_s_with_the_class_watching(
    monkeypatch,
):
    monkeypatch.setattr(live, "_watching", {})
    assert live.pace(0.1, Job(0.0)) == 0.1  # alone: as fast as the room asks
    assert live.pace(0.1, Job(0.35)) == 0.4  # no faster than new snapshots come
    now = time.monotonic()
    live._watching.update({f"s{i}": now for i in range(6)})
    assert live.pace(0.1, Job(0.0)) == 0.2  # 6 pages share the server's 30 runs/s
    live._watching.update({f"s{i}": now for i in range(32)})
    assert live.pace(0.1, Job(0.0)) == 0.8  # the whole class: never below 1.25 redraws/s
    assert live.pace(0.1, Job(3.0)) == 0.8
    live._watching.update({f"old{i}": now - 10 for i in range(50)})  # closed tabs
    assert live.watching() == 32
