"""The GAN room's session logic (ui.gan) with a stand-in job: what reaches the worker."""

import pytest

from genlab.gan.config import GanConfig, suited_to_loss
from ui import gan as room


class FakeJob:
    def __init__(self):
        self.id, self.alive, self.status = "job1", True, "paused"
        self.snapshot = {"epoch": 0, "d_updates": 0, "g_updates": 0, "stage": None}
        self.sent = []
        self.snapshots = 1

    def command(self, name, **args):
        self.sent.append(name)
        self.snapshots += 1  # the worker's answer

    def wait_snapshot(self, after, timeout):
        return self.snapshots > after


@pytest.fixture
def job(monkeypatch):
    fake = FakeJob()
    monkeypatch.setattr(room, "ss", {})
    monkeypatch.setattr(room.live, "current", lambda slot: fake)
    return fake


def test_a_substep_click_sent_again_with_a_live_tick_is_dropped(job, monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(room.time, "monotonic", lambda: clock[0])
    room.command("substep")
    clock[0] += 0.3
    room.command("substep")  # the same click, replayed with a live tick
    assert job.sent == ["substep"]
    clock[0] += room.REPLAY_S
    room.command("substep")  # the next click of someone reading each explanation
    assert job.sent == ["substep", "substep"]


def test_steps_by_hand_are_each_sent_and_counted(job):
    room.command("step", what="epoch")
    room.command("step", what="epoch")
    assert job.sent == ["step", "step"]
    assert room.ss["gan_stepped"] == 2


def test_epochs_per_second_read_zero_unless_running(job):
    assert room.shown_rate(job, {"rate": 850.0}) == 0.0
    job.status = "running"
    assert room.shown_rate(job, {"rate": 850.0}) == 850.0
    assert room.shown_rate(None, {"rate": 850.0}) == 0.0


def test_a_loss_that_blows_up_with_sgd_gets_adam_and_small_rates():
    wgan = suited_to_loss(GanConfig(loss="wgan_gp"))
    assert wgan.optimizer == "adam" and max(wgan.d_lr, wgan.g_lr) <= 0.001
    assert suited_to_loss(wgan) == wgan  # already suited: left alone
    assert suited_to_loss(GanConfig(loss="hinge")) == GanConfig(loss="hinge")
