"""The worker task through the real job system: live values, commands, divergence, saving."""

import time

import pytest

from genlab import jobs
from genlab.gan.config import GanConfig
from genlab.gan.training import Trainer

TASK = "genlab.gan.jobs:run"


def wait_until(predicate, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def paused_job():
    """One paused worker shared by the tests below (a worker takes seconds to start)."""
    job = jobs.start(TASK, {"config": GanConfig().to_dict(), "paused": True})
    job.pause()
    assert wait_until(lambda: job.snapshot is not None)
    yield job
    job.stop(wait=True)


def after(job, name: str, **args) -> dict:
    """Send a command to a paused job and return the snapshot it publishes in answer."""
    count = job.snapshots
    job.command(name, **args)
    assert wait_until(lambda: job.snapshots > count)
    return job.snapshot


def test_a_job_trains_publishes_the_view_and_finishes_with_a_checkpoint():
    job = jobs.start(TASK, {"config": GanConfig().to_dict(), "epochs": 300})
    assert job.wait(120)
    assert job.status == "finished", job.error
    snap = job.snapshot
    assert snap["epoch"] == 300
    assert {"real", "fake", "heat", "manifold", "arrows", "js", "kl", "rate"} <= set(snap)
    assert snap["fake"].shape == (300, 2)
    assert [r["epoch"] for r in job.log] == sorted(r["epoch"] for r in job.log)
    assert job.log[-1]["epoch"] == 300 and 0 <= job.log[-1]["js"] <= 1
    assert Trainer.load(job.result["checkpoint"]).epoch == 300


def test_paused_job_steps_d_g_and_whole_epochs(paused_job):
    start = paused_job.snapshot
    d, g, epoch = start["d_updates"], start["g_updates"], start["epoch"]
    snap = after(paused_job, "step", what="d")
    assert (snap["d_updates"], snap["g_updates"], snap["epoch"]) == (d + 1, g, epoch)
    snap = after(paused_job, "step", what="g")
    assert (snap["d_updates"], snap["g_updates"], snap["epoch"]) == (d + 1, g + 1, epoch)
    snap = after(paused_job, "step", what="epoch")
    assert (snap["d_updates"], snap["g_updates"], snap["epoch"]) == (d + 2, g + 2, epoch + 1)


def test_slow_motion_walks_sub_steps_then_starts_the_next_epoch(paused_job):
    epoch = paused_job.snapshot["epoch"]
    seen = [after(paused_job, "substep") for _ in range(11)]
    stages = [tuple(snap["stage"]) for snap in seen]
    assert stages[:5] == [("d", s) for s in ("sample", "classify", "loss", "gradients", "update")]
    assert stages[5:10] == [("g", s) for s in ("sample", "classify", "loss", "gradients", "update")]
    assert stages[10] == ("d", "sample")  # the epoch completed and the next one began
    assert [snap["epoch"] for snap in seen] == [epoch] * 10 + [epoch + 1]
    assert seen[2]["stage_values"]["loss"] > 0
    assert "d_real" in seen[1]["stage_values"]
    assert after(paused_job, "step", what="epoch")["stage"] is None  # stepping leaves slow motion


def test_live_updates_reach_the_trainer(paused_job):
    paused_job.update(d_lr=0.05, loss="hinge", d_steps=2)
    assert wait_until(lambda: paused_job.snapshot["config"]["loss"] == "hinge")
    assert paused_job.snapshot["config"]["d_lr"] == 0.05
    d = paused_job.snapshot["d_updates"]
    assert after(paused_job, "step", what="epoch")["d_updates"] == d + 2


def test_save_command_publishes_a_loadable_checkpoint(paused_job):
    epoch = after(paused_job, "step", what="epoch")["epoch"]
    snap = after(paused_job, "save", request=7)
    assert snap["checkpoint_id"] == 7
    assert Trainer.load(snap["checkpoint"]).epoch == epoch


def test_divergence_pauses_and_lowering_the_rate_recovers():
    cfg = GanConfig(dataset="gaussians8", d_lr=10.0, g_lr=10.0)
    job = jobs.start(TASK, {"config": cfg.to_dict()})
    try:
        assert wait_until(lambda: job.snapshot is not None and job.snapshot["diverged"])
        stuck = job.snapshot["epoch"]
        time.sleep(0.5)
        assert job.snapshot["epoch"] == stuck  # paused on its own
        job.pause()
        job.update(d_lr=0.001, g_lr=0.001)
        job.resume()
        assert wait_until(lambda: job.snapshot["epoch"] > stuck + 50)
        assert not job.snapshot["diverged"]
    finally:
        job.stop(wait=True)


def test_a_run_starts_from_a_checkpoint_keeping_new_live_settings():
    from genlab.gan import datasets
    from genlab.gan.jobs import checkpoint_bytes, preview, trainer_from

    saved = Trainer(GanConfig(), datasets.builtin("ring"))
    saved.train(5)
    data = checkpoint_bytes(saved)
    cfg = GanConfig(d_lr=0.5, loss="hinge")
    trainer = trainer_from({"checkpoint": data, "config": cfg.to_dict()})
    assert trainer.epoch == 5 and trainer.opt_d.lr == 0.5 and trainer.cfg.loss == "hinge"
    snap = preview({"checkpoint": data, "config": cfg.to_dict()})
    assert snap["epoch"] == 5 and snap["fake"].shape == (300, 2)
