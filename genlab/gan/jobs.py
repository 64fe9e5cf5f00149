"""The GAN room's worker task: ``genlab.gan.jobs:run`` (see CONTRIBUTING.md, "Long work").

params: ``config`` (GanConfig dict), optional ``points`` (a drawing or CSV, list of rows),
optional ``checkpoint`` (bytes of a saved model to start from), optional ``epochs`` (stop after),
optional ``max_rate`` (epochs per second; 0 = as fast as possible), optional ``paused`` (start
paused, e.g. to take single steps).

Live updates: any GanConfig field in LIVE_FIELDS, and ``max_rate``.
Commands: ``step`` with ``what`` in "epoch", "d", "g"; ``substep`` (slow motion: the next
sub-step of an epoch); ``save`` (the checkpoint bytes, kept in every later snapshot).
After a divergence the job pauses itself; resuming goes back to the last finite weights.
With a ``run_dir`` (see genlab.runs), the checkpoint is also written there every ``SAVE_EVERY_S``
seconds of training and at the end, so the run can be resumed after a reload or a restart.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

from genlab import runs
from genlab.gan import cohort, datasets, fields
from genlab.gan.config import LIVE_FIELDS, GanConfig
from genlab.gan.metrics import Evaluator
from genlab.gan.training import Trainer

SAVE_EVERY_S = 15.0
RUN_FILE = "gan.safetensors"
CHUNK_S = 0.02  # train this long between looks at the page's requests
METRIC_SAMPLES = 10_000
VIEW_SAMPLES = 300
METRICS_SHARE = 3  # on a shared worker, metrics are measured every third snapshot
# runs trained together at most (genlab.gan.cohort); GENLAB_GAN_COHORT=1 trains each alone
MAX_COHORT = int(os.environ.get("GENLAB_GAN_COHORT", "32"))
SLICE = 8  # runs per stacked model: 8 default runs' activations fit a core's 2 MB of cache
_runs: list = []  # the runs of this worker process, one thread each (genlab.worker)


def trainer_from(params: dict) -> Trainer:
    """The trainer a job starts from: fresh networks, or a checkpoint (whose live settings, such
    as learning rates, may be overridden by ``config``)."""
    cfg = GanConfig.from_dict(params["config"]) if params.get("config") else None
    if params.get("checkpoint"):
        trainer = Trainer.load(params["checkpoint"])
        if cfg is not None and not trainer.cfg.needs_reset(cfg):
            trainer.set_live(**{name: getattr(cfg, name) for name in LIVE_FIELDS})
        return trainer
    return Trainer(cfg, datasets.make(cfg.dataset, params.get("points")))


def preview(params: dict) -> dict:
    """What the page shows before training starts (same params as a job)."""
    trainer = trainer_from(params)
    return fields.snapshot(trainer, trainer.data.sample(VIEW_SAMPLES, seed=1))


def checkpoint_bytes(trainer: Trainer) -> bytes:
    buffer = io.BytesIO()
    trainer.save(buffer)
    return buffer.getvalue()


class _Run:
    """The state of one job between the page's requests."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.trainer = trainer_from(ctx.params)
        self.evaluator = Evaluator(self.trainer.data, samples=METRIC_SAMPLES)
        self.real = self.trainer.data.sample(VIEW_SAMPLES, seed=1)
        self.max_rate = float(ctx.params.get("max_rate", 0) or 0)
        self.limit = ctx.params.get("epochs")
        self.started = time.perf_counter()
        self.trained_s = 0.0  # time spent in training chunks, for the epochs/s read-out
        self.trained_epochs = 0
        self.slow = None
        self.stage = None
        self.diverged = False
        self.good = self.trainer.weights()
        self.saved: dict = {}
        self.metrics: dict = {}
        self.measured = 0.0
        self.together = 4  # epochs of a chunk trained with other runs (adapted to CHUNK_S)
        ctx.set_paused(bool(ctx.params.get("paused")))
        _runs.append(self)

    def close(self) -> None:
        _runs.remove(self)

    def can_join(self) -> bool:
        """Whether another run may train this one with it (a plain, unlimited, running run)."""
        busy = self.ctx.paused or self.ctx.stopping or self.diverged or self.slow is not None
        return not busy and self.max_rate <= 0 and self.limit is None

    def cohort(self) -> list[_Run]:
        """The runs of this worker to train with this one's chunk (itself first)."""
        mine = cohort.key(self.trainer)
        if mine is None or MAX_COHORT < 2 or not self.can_join():
            return [self]
        others = [r for r in list(_runs) if r is not self and r.can_join()]
        return [self, *[r for r in others if cohort.key(r.trainer) == mine][: MAX_COHORT - 1]]

    def restore(self) -> None:
        self.trainer.set_weights(self.good)
        self.diverged = False

    def handle(self, name: str, args: dict) -> None:
        t = self.trainer
        if name == "step":
            self.slow = self.stage = None
            {"d": t.step_d, "g": t.step_g}.get(args.get("what"), t.train_epoch)()
            self._check()
        elif name == "substep":
            step = next(self.slow, None) if self.slow else None
            if step is None:  # start an epoch (or the next one once the last sub-step is done)
                self.slow = t.slow_epoch()
                step = next(self.slow)
            self.stage = step
            self._check()
        elif name == "save":  # kept in every later snapshot, so the page cannot miss it
            self.saved = {"checkpoint": checkpoint_bytes(t), "checkpoint_id": args.get("request")}
        self.publish(force=True)

    def apply_updates(self, changed: dict) -> None:
        live = {k: v for k, v in changed.items() if k in LIVE_FIELDS}
        if live:
            self.trainer.set_live(**live)
        if "max_rate" in changed:
            self.max_rate = float(changed["max_rate"] or 0)
        if live or "max_rate" in changed:
            self.publish(force=True)

    def train_chunk(self) -> None:
        members = self.cohort()
        if len(members) > 1:
            self.train_together(members)
            return
        self.slow = self.stage = None
        t = self.trainer
        start = time.perf_counter()
        budget = CHUNK_S
        if self.max_rate > 0:
            # as many epochs as the rate allows in one chunk, then sleep out the chunk
            budget = max(1, round(self.max_rate * CHUNK_S))
        done = 0
        while True:
            t.train(1 if self.max_rate > 0 else 10)
            done += 1 if self.max_rate > 0 else 10
            if self.limit is not None and t.epoch >= self.limit:
                break
            if self.max_rate > 0 and done >= budget:
                break
            if self.max_rate <= 0 and time.perf_counter() - start >= budget:
                break
        self.trained_s += time.perf_counter() - start
        self.trained_epochs += done
        self._check()
        if self.max_rate > 0:
            time.sleep(max(0.0, CHUNK_S - (time.perf_counter() - start)))

    def train_together(self, members: list[_Run]) -> None:
        """One chunk for this run and the others of its cohort, as stacked models of at most
        SLICE runs (their tensors stay in the core's cache): each member's turn trains them all,
        so they all progress at the stacked speed."""
        start = time.perf_counter()
        for first in range(0, len(members), SLICE):
            part = members[first : first + SLICE]
            kept = cohort.train([m.trainer for m in part], self.together)
            for member, weights in zip(part, kept, strict=True):
                member.keep(weights)
        took = time.perf_counter() - start
        for member in members:
            member.trained_s += took
            member.trained_epochs += self.together
            if member is not self:  # its snapshots keep their pace whoever's turn trains it (its
                member.publish()  # own thread waits for the baton meanwhile, away from its run)
        per_epoch = took / self.together
        self.together = max(1, min(200, round(CHUNK_S / max(per_epoch, 1e-6))))

    def keep(self, weights: list | None) -> None:
        """After a chunk: the weights to go back to, or None when the training has blown up."""
        if weights is None:
            self.diverged = True
            self.ctx.set_paused(True)
            self.publish(force=True)
        else:
            self.good = weights

    def _check(self) -> None:
        self.keep(None if self.trainer.diverged() else self.trainer.weights())

    def publish(self, force: bool = False) -> None:
        if not (force or self.ctx.due()):
            return
        t = self.trainer
        rate = self.trained_epochs / self.trained_s if self.trained_s > 0 else 0.0
        fresh: dict = {}
        if self.diverged:
            snapshot = {"real": self.real, **t.stats()}
        else:
            snapshot = fields.snapshot(t, self.real)
            fresh = self.measure(force)
            snapshot.update(self.metrics)
        snapshot.update(
            diverged=self.diverged,
            stage=self.stage[:2] if self.stage else None,
            stage_values=self.stage[2] if self.stage else {},
            rate=rate,
            elapsed_s=time.perf_counter() - self.started,
            config=t.cfg.to_dict(),
            **self.saved,
        )
        logged = {k: snapshot[k] for k in _LOGGED if k in snapshot}
        self.ctx.log(**{k: v for k, v in logged.items() if k not in self.metrics or fresh})
        self.ctx.publish(snapshot, force=True)

    def measure(self, force: bool) -> dict:
        """The metrics (KL, JS on METRIC_SAMPLES fakes: the cost of several epochs), measured
        again for this snapshot, or every METRICS_SHARE snapshots when the worker is shared."""
        every = self.ctx.publish_every()
        if every > self.ctx.interval:  # shared: snapshots come slower, metrics slower still
            every *= METRICS_SHARE
        if force or not self.metrics or time.monotonic() - self.measured >= every * 0.9:
            self.metrics = self.evaluator(self.trainer.generate(METRIC_SAMPLES))
            self.measured = time.monotonic()
            return self.metrics
        return {}


_LOGGED = ("epoch", "elapsed_s", "d_loss", "g_loss", "d_real", "d_fake", "kl", "js", "rate")


def resumed(params: dict) -> dict | None:
    """The params that continue a run from its last save (after its worker died), with the
    live settings the page changed since it started."""
    saved = Path(params["run_dir"]) / RUN_FILE if params.get("run_dir") else None
    if saved is None or not saved.is_file():
        return None
    config = {**(params.get("config") or {}), **{k: params[k] for k in LIVE_FIELDS if k in params}}
    return {**params, "config": config, "checkpoint": saved.read_bytes()}


def run(ctx) -> dict:
    # The worker process runs at a lower priority (genlab.worker.NICENESS): the pages come first.
    state = _Run(ctx)
    try:
        return _train(ctx, state)
    finally:
        state.close()


def _train(ctx, state: _Run) -> dict:
    state.publish(force=True)
    saved = time.monotonic()
    while ctx.checkpoint():
        if not state.diverged and time.monotonic() - saved >= SAVE_EVERY_S:
            runs.keep(ctx.params, {RUN_FILE: checkpoint_bytes(state.trainer)})
            saved = time.monotonic()
        for name, args in ctx.commands():
            state.handle(name, args)
        state.apply_updates(ctx.updates())
        if state.diverged and not ctx.paused:
            state.restore()
        if not ctx.paused:
            first = state.trainer.epoch == 0
            state.train_chunk()
            state.publish(force=first)  # the first epochs show at once, not a share's wait later
            if state.limit is not None and state.trainer.epoch >= state.limit:
                break
    state.publish(force=True)
    if state.diverged:
        state.restore()
    final = checkpoint_bytes(state.trainer)
    runs.keep(ctx.params, {RUN_FILE: final})
    return {"epoch": state.trainer.epoch, "checkpoint": final}
