"""The worker-process job system: snapshots, pause, resume, stop, live settings, crashes, cap."""

import os
import signal
import subprocess
import sys
import time

import pytest

from genlab import jobs


def wait_until(predicate, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


@pytest.fixture
def counter():
    job = jobs.start("tests.jobs_tasks:count", {"rate": 0.5}, interval=0.05)
    yield job
    job.stop(wait=True)


def test_job_streams_snapshots_and_finishes_with_its_result():
    job = jobs.start("tests.jobs_tasks:count", {"rate": 1, "steps": 50}, interval=0.01)
    assert job.wait(timeout=30)
    assert job.status == "finished"
    assert job.result == {"i": 50}
    assert [r["i"] for r in job.log] == list(range(1, 51))
    assert job.snapshots >= 1
    assert jobs.get(job.id) is job


def test_pause_holds_the_work_and_resume_continues_it(counter):
    assert wait_until(lambda: counter.snapshot and counter.snapshot["i"] > 5)
    counter.pause()
    assert wait_until(lambda: counter.status == "paused")
    time.sleep(0.3)
    held = counter.snapshot["i"]
    time.sleep(0.4)
    assert counter.snapshot["i"] == held
    counter.resume()
    assert wait_until(lambda: counter.snapshot["i"] > held + 5)
    assert counter.status == "running"


def test_stop_ends_the_worker_quickly(counter):
    assert wait_until(lambda: counter.snapshot is not None)
    started = time.time()
    counter.stop()
    assert counter.wait(timeout=10)
    assert counter.status == "stopped"
    assert time.time() - started < 5
    assert wait_until(lambda: not process_exists(counter.pid), timeout=5)


def test_a_task_that_ignores_stop_is_killed_and_counts_as_stopped():
    job = jobs.start("tests.jobs_tasks:stubborn", {})
    assert wait_until(lambda: job.snapshot is not None)
    job.stop(timeout=0.5)
    assert job.wait(timeout=10)
    assert job.status == "stopped"
    assert job.error is None
    assert wait_until(lambda: not process_exists(job.pid), timeout=5)


def test_a_setting_changes_while_the_job_runs(counter):
    assert wait_until(lambda: counter.snapshot is not None)
    counter.update(rate=0.01)
    assert wait_until(lambda: counter.snapshot["rate"] == 0.01)
    assert counter.alive
    assert counter.params["rate"] == 0.01


def test_a_task_that_pauses_itself_shows_as_paused_and_can_be_resumed():
    job = jobs.start("tests.jobs_tasks:pause_itself", {})
    assert wait_until(lambda: job.status == "paused")
    job.resume()
    assert wait_until(lambda: job.snapshot == {"step": 2, "paused": False})
    assert job.status == "running"
    job.stop(wait=True)


def test_a_paused_job_still_takes_commands(counter):
    assert wait_until(lambda: counter.snapshot is not None)
    counter.pause()
    assert wait_until(lambda: counter.status == "paused")
    time.sleep(0.2)
    before = counter.snapshot["i"]
    counter.command("jump", by=1000)
    assert wait_until(lambda: counter.snapshot["i"] == before + 1000)
    assert counter.status == "paused"


def test_an_exception_in_the_task_becomes_a_message():
    job = jobs.start("tests.jobs_tasks:crash", {})
    assert job.wait(timeout=30)
    assert job.status == "failed"
    assert "boom in the task" in job.error
    assert job.snapshot == {"about_to": "fail"}


def test_a_worker_that_dies_is_reported_with_its_exit_code():
    job = jobs.start("tests.jobs_tasks:die", {})
    assert job.wait(timeout=30)
    assert job.status == "failed"
    assert "exit code 3" in job.error


def count(owner: str = "", **params) -> jobs.Job:
    return jobs.start("tests.jobs_tasks:count", {"rate": 1, **params}, owner=owner)


def test_at_the_cap_a_new_job_waits_in_the_queue_and_starts_when_a_place_frees(
    monkeypatch, counter
):
    monkeypatch.setenv("GENLAB_MAX_JOBS", str(jobs.running()))
    first, second = count(), count()
    assert (first.status, second.status) == ("queued", "queued")
    assert (first.position(), second.position()) == (1, 2)
    assert first.pid is None
    first.update(rate=7)  # asked while queued: applied once it runs
    counter.stop()  # a job on its way out frees its place at once
    assert wait_until(lambda: first.snapshot is not None)
    assert first.status == "running" and first.snapshot["rate"] == 7
    assert second.position() == 1
    second.stop()
    assert second.status == "stopped" and second.position() == 0 and second.pid is None
    first.stop(wait=True)


def test_the_queue_serves_the_participant_with_fewest_running_jobs_first(monkeypatch):
    busy = count(owner="ana")
    monkeypatch.setenv("GENLAB_MAX_JOBS", str(jobs.running()))
    ana_again, bruno = count(owner="ana"), count(owner="bruno")
    assert ana_again.position() == 1
    busy.stop()
    assert wait_until(lambda: bruno.status == "running")
    assert ana_again.status == "queued"
    for job in (ana_again, bruno):
        job.stop(wait=True)


def test_a_job_nobody_watches_is_stopped_and_then_forgotten(monkeypatch, counter):
    monkeypatch.setenv("GENLAB_IDLE_S", "0.5")
    watched = count()
    time.sleep(0.6)
    jobs.get(watched.id)
    jobs.reap()
    assert watched.alive
    assert counter.wait(timeout=10) and counter.status == "stopped"
    assert jobs.get(counter.id) is not None  # looked at again: an ended job stays while watched
    time.sleep(0.6)
    jobs.reap()
    assert jobs.get(counter.id) is None
    watched.stop(wait=True)


def test_a_participant_only_finds_their_own_jobs():
    mine = count(owner="ana")
    try:
        assert jobs.get(mine.id, "ana") is mine
        assert jobs.get(mine.id, "bruno") is None
        assert jobs.get(mine.id) is None
        assert mine in jobs.owned("ana") and mine not in jobs.owned("bruno")
    finally:
        mine.stop(wait=True)


def test_status_changes_are_reported_to_the_starter():
    seen = []
    job = jobs.start(
        "tests.jobs_tasks:count", {"rate": 1, "steps": 5}, on_status=lambda j: seen.append(j.status)
    )
    assert job.wait(timeout=30)
    assert seen == ["queued", "running", "finished"]


def test_the_worker_never_outlives_the_server(tmp_path):
    pid_file = tmp_path / "pid"
    code = f"import tests.jobs_tasks as t; t.start_and_hang({str(pid_file)!r})"
    server = subprocess.Popen([sys.executable, "-c", code], cwd=jobs.ROOT)
    try:
        assert wait_until(lambda: pid_file.exists() and pid_file.read_text(), timeout=30)
        worker = int(pid_file.read_text())
        assert process_exists(worker)
        server.send_signal(signal.SIGKILL)
        server.wait()
        assert wait_until(lambda: not process_exists(worker), timeout=15)
    finally:
        server.kill()
