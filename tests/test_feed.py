"""genlab.feed: what a live chart fetches (frames of its job's newest snapshot), who may fetch it,
and at what pace."""

import numpy as np
import pytest

from genlab import feed, jobs


class FakeJob:
    """What the feed reads of a job: its id, owner, newest snapshot and status."""

    def __init__(self, owner: str = "ana"):
        self.id, self.owner, self.alive, self.status = f"job-{owner}", owner, True, "running"
        self.snapshot, self.snapshots, self.period = None, 0, 0.0

    def publish(self, epoch: int) -> None:
        self.snapshot = {"epoch": epoch, "fake": np.full((3, 2), epoch, np.float32)}
        self.snapshots += 1

    def snapshot_period(self) -> float:
        return self.period

    def touch(self) -> None:
        pass


def points(snapshot: dict) -> feed.Arrays:
    points.calls += 1
    return {"fake": ("xy", snapshot["fake"])}


@pytest.fixture
def job(monkeypatch):
    job = FakeJob()
    monkeypatch.setitem(jobs._registry, job.id, job)
    monkeypatch.setattr(feed, "_feeds", {})
    monkeypatch.setattr(feed, "_frames", {})
    points.calls = 0
    return job


def test_a_frame_carries_its_arrays_as_they_were_with_line_breaks():
    line = np.array([[0.5, -1.25], [np.nan, np.nan], [2.0, 3.0]])
    grid = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    header, arrays = feed.decode(feed.encode(7, 1234, {"line": ("xy", line), "heat": ("z", grid)}))
    assert header == {"n": 7, "epoch": 1234, "arrays": [["line", "xy", 3, 2], ["heat", "z", 2, 3]]}
    np.testing.assert_array_equal(arrays["line"], line.astype(np.float32))
    np.testing.assert_allclose(arrays["heat"], grid, rtol=1e-6)


def test_a_chart_gets_the_newest_snapshot_once_then_nothing_new(job):
    token = feed.grant(job, points)
    assert feed.fetch(token, -1)[0] == 204  # started, no snapshot yet
    job.publish(epoch=40)
    job.publish(epoch=80)
    status, body, _ = feed.fetch(token, -1)
    header, arrays = feed.decode(body)
    assert (status, header["n"], header["epoch"]) == (200, 2, 80)
    assert arrays["fake"][0].tolist() == [80, 80]
    assert feed.fetch(token, 2)[:2] == (204, b"")
    job.publish(epoch=120)
    assert feed.decode(feed.fetch(token, 2)[1])[0]["epoch"] == 120


def test_a_snapshot_is_encoded_once_for_every_chart_that_fetches_it(job):
    job.publish(epoch=10)
    tokens = [feed.grant(job, points) for _ in range(3)]
    bodies = {feed.fetch(token, -1)[1] for token in tokens}
    assert len(bodies) == 1 and points.calls == 1
    assert feed.frame(job, points) in bodies and points.calls == 1


def test_only_a_granted_token_reads_a_job_and_never_after_the_job_is_gone(job):
    token = feed.grant(job, points)
    job.publish(epoch=10)
    assert token != job.owner and len(token) >= 24
    assert feed.grant(job, points) != token
    assert feed.fetch("guessed", -1)[0] == 404
    assert feed.fetch(token, -1)[0] == 200
    del jobs._registry[job.id]
    assert feed.fetch(token, -1)[0] == 404
    other = FakeJob("bia")
    jobs._registry[other.id] = other
    try:
        feed.grant(other, points)  # a new grant forgets the tokens of jobs that are gone
        assert token not in feed._feeds
    finally:
        del jobs._registry[other.id]


def test_the_pace_is_fast_alone_shared_by_a_class_and_never_below_the_floor(job, monkeypatch):
    job.publish(epoch=10)
    token = feed.grant(job, points)
    assert feed.fetch(token, -1)[2] == feed.FASTEST_S
    monkeypatch.setenv("GENLAB_FEEDS", "20")
    for _ in range(9):  # ten charts watching, 20 fetches a second between them
        feed.fetch(feed.grant(job, points), -1)
    assert feed.fetch(token, 1)[2] == pytest.approx(0.5)
    for _ in range(90):
        feed.fetch(feed.grant(job, points), -1)
    assert feed.fetch(token, 1)[2] == feed.SLOWEST_S
    monkeypatch.setattr(feed, "_feeds", {token: feed._feeds[token]})  # alone again
    assert feed.fetch(token, 1)[2] == feed.FASTEST_S
    job.status = "paused"  # nothing moves but by the participant's hand (the page then runs)
    assert feed.fetch(token, 1)[2] == feed.SLOWEST_S
    job.alive = False
    assert feed.fetch(token, 1)[2] == 0  # the job ended: fetch no more


def test_a_starting_job_is_asked_again_soon_for_its_first_epochs(job, monkeypatch):
    monkeypatch.setenv("GENLAB_FEEDS", "1")  # a class of charts: each waits long
    tokens = [feed.grant(job, points) for _ in range(30)]
    assert feed.fetch(tokens[0], -1)[:3:2] == (204, feed.FASTEST_S)
    job.publish(epoch=10)
    assert feed.fetch(tokens[0], -1)[2] == feed.SLOWEST_S


def test_no_faster_than_the_snapshots_come(job):
    job.publish(epoch=10)
    job.period = 0.3
    assert feed.fetch(feed.grant(job, points), -1)[2] == pytest.approx(0.27)
