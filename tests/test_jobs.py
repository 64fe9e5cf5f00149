"""The job engine: snapshots, pause, resume, stop, live settings, crashes, the per-participant cap,
and many runs sharing one long-lived worker process (fairness, isolation, restart, memory)."""

import os
import signal
import subprocess
import sys
import time

import pytest

from genlab import jobs


def wait_until(predicate, timeout=60.0):
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


@pytest.fixture(scope="module", autouse=True)
def one_worker():
    """One warm worker for the whole module, as on a server (a page warms the pool before Play):
    every run of every test shares it, so the tests see many runs on one process. Its tasks
    (tests/jobs_tasks.py) need none of the rooms' modules: it preloads none (ready in about 6 s
    instead of 11 on a busy machine; once, where a pool per test cost the module about 100 s)."""
    jobs.shutdown()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GENLAB_WORKERS", "1")
        patch.setenv("GENLAB_PRELOAD", "")
        assert jobs.warm(wait=120)
        yield
        jobs.shutdown()


@pytest.fixture(autouse=True)
def _stop_what_a_test_left():
    """Each test starts with the worker to itself: runs a test left going are stopped."""
    yield
    for job in list(jobs._registry.values()):
        if job.alive:
            job.stop(wait=True)


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


def test_stop_ends_the_run_quickly_and_its_worker_serves_the_next_one(counter):
    assert wait_until(lambda: counter.snapshot is not None)
    started = time.time()
    counter.stop()
    assert counter.wait(timeout=10)
    assert counter.status == "stopped"
    assert time.time() - started < 5
    assert process_exists(counter.pid)  # long-lived: no process per run
    assert counter.pid in jobs.pids()


def test_a_task_that_ignores_stop_counts_as_stopped_and_its_neighbours_carry_on():
    neighbour = count()
    assert wait_until(lambda: neighbour.snapshot is not None)
    job = jobs.start("tests.jobs_tasks:stubborn", {})
    assert wait_until(lambda: job.snapshot is not None)
    stuck = job.pid
    assert neighbour.pid == stuck  # and starved: a task must call ctx.checkpoint() often
    job.stop(timeout=0.5)
    assert job.wait(timeout=10)
    assert job.status == "stopped"
    assert job.error is None
    assert wait_until(lambda: not process_exists(stuck), timeout=5)
    seen = neighbour.snapshots
    assert wait_until(lambda: neighbour.snapshots > seen + 5)
    assert neighbour.alive and neighbour.restarts == 1 and neighbour.pid != stuck
    neighbour.stop(wait=True)


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


def test_a_task_that_keeps_killing_its_worker_fails_with_the_exit_code(monkeypatch):
    monkeypatch.setattr(jobs, "MAX_RESTARTS", 1)
    job = jobs.start("tests.jobs_tasks:die", {})
    assert job.wait(timeout=60)
    assert job.status == "failed"
    assert "exit code 3" in job.error
    assert job.restarts == 1


def count(owner: str = "", **params) -> jobs.Job:
    return jobs.start("tests.jobs_tasks:count", {"rate": 1, **params}, owner=owner)


def test_at_their_cap_a_participants_new_job_waits_and_starts_when_one_of_theirs_ends(
    monkeypatch,
):
    monkeypatch.setenv("GENLAB_MAX_JOBS", "1")
    busy, other = count(owner="ana"), count(owner="bruno")
    first, second = count(owner="ana"), count(owner="ana")
    assert (busy.status, other.status) == ("running", "running")  # other participants: no wait
    assert (first.status, second.status) == ("queued", "queued")
    assert (first.position(), second.position()) == (1, 2)
    assert first.pid is None
    first.update(rate=7)  # asked while queued: applied once it runs
    busy.stop()  # a job on its way out frees its place at once
    assert wait_until(lambda: first.snapshot is not None)
    assert first.status == "running" and first.snapshot["rate"] == 7
    assert second.position() == 1
    second.stop()
    assert second.status == "stopped" and second.position() == 0 and second.pid is None
    for job in (first, other):
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


def test_two_runs_on_one_worker_progress_at_similar_rates():
    first, second = count(), count()
    assert wait_until(lambda: first.snapshot and second.snapshot)
    assert first.pid == second.pid
    a, b = first.snapshot["i"], second.snapshot["i"]
    time.sleep(2)
    gained = first.snapshot["i"] - a, second.snapshot["i"] - b
    assert min(gained) > 100
    assert max(gained) < 2 * min(gained)
    for job in (first, second):
        job.stop(wait=True)


def test_a_run_that_raises_fails_alone():
    neighbour = count()
    assert wait_until(lambda: neighbour.snapshot is not None)
    pid = neighbour.pid
    bad = jobs.start("tests.jobs_tasks:crash", {})
    assert bad.wait(timeout=30) and bad.status == "failed"
    seen = neighbour.snapshot["i"]
    assert wait_until(lambda: neighbour.snapshot["i"] > seen + 50)
    assert neighbour.status == "running" and neighbour.pid == pid and neighbour.restarts == 0
    neighbour.stop(wait=True)


def test_a_killed_worker_is_restarted_and_its_runs_resume_from_their_last_save(tmp_path):
    first, second = count(run_dir=str(tmp_path / "a")), count(run_dir=str(tmp_path / "b"))
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    assert wait_until(lambda: all(j.snapshot and j.snapshot["i"] > 100 for j in (first, second)))
    dead = first.pid
    os.kill(dead, signal.SIGKILL)
    assert wait_until(lambda: first.restarts == second.restarts == 1)
    for job in (first, second):
        assert wait_until(lambda job=job: job.snapshot["start"] >= 100)  # from its save, not 0
        assert job.status == "running" and job.pid != dead and job.error is None
        before = job.snapshot["i"]
        assert wait_until(lambda job=job, before=before: job.snapshot["i"] > before + 20)
        job.stop(wait=True)


def test_pause_settings_and_stop_of_one_run_leave_its_neighbour_alone():
    mine, theirs = count(), count()
    assert wait_until(lambda: mine.snapshot and theirs.snapshot)
    mine.pause()
    mine.update(rate=0.25)
    assert wait_until(lambda: mine.snapshot["rate"] == 0.25)
    held, seen = mine.snapshot["i"], theirs.snapshot["i"]
    assert wait_until(lambda: theirs.snapshot["i"] > seen + 100)
    assert mine.snapshot["i"] == held and theirs.snapshot["rate"] == 1
    mine.stop()
    assert mine.wait(timeout=10) and mine.status == "stopped"
    seen = theirs.snapshot["i"]
    assert wait_until(lambda: theirs.snapshot["i"] > seen + 50)
    theirs.stop(wait=True)


def resident_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        line = next(line for line in f if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_the_memory_of_a_finished_run_goes_back_to_the_system():
    job = jobs.start("tests.jobs_tasks:hog", {"mb": 300})
    assert wait_until(lambda: job.snapshot is not None, timeout=60)
    holding = resident_mib(job.pid)
    job.stop()
    assert job.wait(timeout=10) and job.status == "stopped"
    assert job.result == {"held": 300 * 2**20}
    assert wait_until(lambda: resident_mib(job.pid) < holding - 250)
    assert process_exists(job.pid)


def test_a_solo_task_gets_a_worker_of_its_own_that_ends_with_it():
    job = jobs.start("tests.jobs_tasks:solo", {})
    assert job.wait(timeout=60) and job.result == {"alone": True}
    assert job.pid not in jobs.pids()
    assert wait_until(lambda: not process_exists(job.pid), timeout=15)
