"""GAN runs trained together as one stacked model train as they would alone."""

import torch

from genlab.gan import cohort, datasets
from genlab.gan.config import GanConfig
from genlab.gan.training import Trainer


def trainers() -> list[Trainer]:
    """Three runs, each with its own seed and learning rates, as participants' runs are."""
    data = datasets.make("ring", None)
    configs = [GanConfig(seed=i, g_lr=0.01 * (i + 1), d_lr=0.1 * (i + 1)) for i in range(3)]
    return [Trainer(cfg, data) for cfg in configs]


def test_runs_trained_together_end_where_each_would_alone():
    alone, together = trainers(), trainers()
    for t in alone:
        t.train(15)
    cohort.train(together, 15)
    for a, b in zip(alone, together, strict=True):
        for p, q in zip(a.G.params + a.D.params, b.G.params + b.D.params, strict=True):
            assert torch.allclose(p, q, atol=1e-5)
        assert (b.epoch, b.d_updates, b.g_updates) == (15, 15, 15)
        sa, sb = a.stats(), b.stats()
        for name in ("d_loss", "g_loss", "d_real", "d_fake"):
            assert abs(sa[name] - sb[name]) < 1e-5


def test_a_run_that_blows_up_in_a_cohort_is_told_apart_from_its_neighbours():
    together, alone = trainers(), trainers()
    for group in (together, alone):
        with torch.no_grad():
            group[1].G.params[-2].mul_(1e4)  # its fakes land far outside the plane
            group[2].D.params[0].fill_(float("nan"))
    kept = cohort.train(together, 1)
    for t in alone:
        t.train(1)
    assert [k is None for k in kept] == [t.diverged() for t in alone] == [False, True, True]
    for p, q in zip(kept[0], alone[0].weights(), strict=True):
        assert torch.allclose(p, q, atol=1e-5)


def test_only_runs_of_the_same_shapes_and_the_default_recipe_go_together():
    ring = Trainer(GanConfig(), datasets.make("ring", None))
    assert cohort.key(ring) is not None
    assert cohort.key(ring) == cohort.key(Trainer(GanConfig(seed=3, g_lr=0.5), ring.data))
    assert cohort.key(ring) != cohort.key(Trainer(GanConfig(g_neurons=16), ring.data))
    assert cohort.key(Trainer(GanConfig(optimizer="adam"), ring.data)) is None
    assert cohort.key(Trainer(GanConfig(loss="wgan_gp"), ring.data)) is None


def test_two_participants_gans_on_one_worker_train_together_at_the_same_pace(monkeypatch):
    import time

    from genlab import jobs

    jobs.shutdown()
    monkeypatch.setenv("GENLAB_WORKERS", "1")
    try:
        assert jobs.warm(wait=120)
        runs = [
            jobs.start("genlab.gan.jobs:run", {"config": GanConfig(seed=i).to_dict()}, owner=o)
            for i, o in enumerate(("ana", "bruno"))
        ]
        deadline = time.time() + 60
        while time.time() < deadline and not all(
            r.snapshot and r.snapshot["epoch"] >= 200 for r in runs
        ):
            time.sleep(0.1)
        epochs = [r.snapshot["epoch"] for r in runs]
        assert min(epochs) >= 200 and max(epochs) < 2 * min(epochs)
        assert runs[0].pid == runs[1].pid
        assert all(r.status == "running" and 0 <= r.snapshot["js"] <= 1 for r in runs)
        for r in runs:
            r.stop(wait=True)
        assert all(r.status == "stopped" and r.result["epoch"] >= 200 for r in runs)
    finally:
        jobs.shutdown()


class SharedContext:
    """A job context on a worker shared by many runs: snapshots every 0.6 s instead of 0.1 s."""

    def __init__(self, every: float):
        self.params = {"config": GanConfig().to_dict()}
        self.interval, self.every = 0.1, every
        self.paused = self.stopping = False
        self.records, self.snapshots = [], []

    def set_paused(self, paused):
        self.paused = paused

    def publish_every(self):
        return self.every

    def due(self):
        return True

    def log(self, **record):
        self.records.append(record)

    def publish(self, snapshot, force=False):
        self.snapshots.append(snapshot)


def test_on_a_shared_worker_the_costly_metrics_are_measured_every_third_snapshot_only(monkeypatch):
    import time
    from types import SimpleNamespace

    from genlab.gan import jobs as gan_jobs

    # the run's clock moves by exactly one interval between snapshots, however loaded the machine
    # (with real sleeps, a loaded machine stretched three 0.6 s intervals past 1.62 s)
    clock = [0.0]
    fake = SimpleNamespace(monotonic=lambda: clock[0], perf_counter=time.perf_counter)
    monkeypatch.setattr(gan_jobs, "time", fake)
    for every, measured in ((0.1, 3), (0.6, 1)):
        ctx = SharedContext(every)
        run = gan_jobs._Run(ctx)
        try:
            for _ in range(3):  # as the worker publishes: one snapshot per interval
                run.trainer.train(5)
                run.publish()
                clock[0] += every
        finally:
            run.close()
        assert all("js" in s for s in ctx.snapshots)  # every snapshot shows the last metrics
        assert sum("js" in r for r in ctx.records) == measured  # the curve gets fresh ones only


def test_a_run_trained_in_another_run_s_turn_publishes_when_due():
    """A run's snapshots keep their pace whoever's turn trains it: with 15 runs on a worker its
    own turn may come late (its chart would redraw less often than it should)."""
    from genlab.gan import jobs as gan_jobs

    leader, member = (gan_jobs._Run(SharedContext(0.6)) for _ in range(2))
    try:
        leader.train_together([leader, member])
        assert member.ctx.snapshots and member.ctx.snapshots[-1]["epoch"] == member.trainer.epoch
        assert member.trainer.epoch > 0
        assert not leader.ctx.snapshots  # the leader publishes after its own chunk, as before
    finally:
        leader.close()
        member.close()
