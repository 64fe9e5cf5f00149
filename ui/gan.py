"""The GAN room's session: its job, its settings' widgets and what the buttons do.

The page (rooms/gan.py) lays out widgets and charts; everything they call lives here.
"""

import dataclasses
import time
from pathlib import Path

import streamlit as st

from genlab import feed
from genlab.errors import UserError
from genlab.gan import datasets, figures, metrics
from genlab.gan import jobs as gan_jobs
from genlab.gan.config import LIVE_FIELDS, USER_DATASETS, GanConfig, preset, suited_to_loss
from genlab.gan.training import Trainer
from ui import cache, live, progress, state
from ui.i18n import number, plain
from ui.widgets import Versioned

SLOT = "gan"
TASK = "genlab.gan.jobs:run"
TRAINED = Path(__file__).resolve().parent.parent / "assets" / "gan"
SPEEDS = {"slow": 20, "medium": 150, "fast": 0}  # epochs per second (0: as fast as possible)
FIELDS = [f.name for f in dataclasses.fields(GanConfig)]
SETTINGS = Versioned("gan", FIELDS)
REPLAY_S = 1.0  # s: a click sent again with a live tick arrives within this
ANSWER_S = 1.0  # s: a step by hand waits this long at most for the worker's answer
ss = st.session_state


def set_widgets(cfg: GanConfig) -> None:
    SETTINGS.set({name: getattr(cfg, name) for name in FIELDS})


def widget_config() -> GanConfig:
    return GanConfig(**SETTINGS.values()).validate()


def init_settings() -> None:
    """The settings of the page's link: on a first visit, and whenever the link's settings are
    not the ones the page wrote there itself (a lesson's deep link to /gan?gan_d_lr=... later in the
    session). A link without settings (coming back from another room) keeps the widgets."""
    query = {k: st.query_params[k] for k in GanConfig.query_keys(st.query_params)}
    if "gan_ready" not in ss or (query and query != ss.get("gan_url")):
        ss["gan_ready"] = True
        try:
            set_widgets(GanConfig.from_query(query))
        except UserError as err:
            set_widgets(GanConfig())
            ss["gan_notice"] = ("error", err.key, err.params)
    # kept while the participant visits other rooms (Streamlit drops the widgets' values)
    state.restore_widgets("gan", {SETTINGS.key(f): v for f, v in GanConfig().to_dict().items()})


def show_settings_in_url(cfg: GanConfig) -> None:
    state.save_widgets("gan", [SETTINGS.key(f) for f in FIELDS])
    for name in GanConfig.query_keys(st.query_params):
        st.query_params.pop(name, None)
    ss["gan_url"] = cfg.to_query()
    st.query_params.update(ss["gan_url"])


def job_params(cfg: GanConfig, paused: bool = False) -> dict:
    return {
        "config": cfg.to_dict(),
        "points": ss.get("gan_points", {}).get(cfg.dataset),
        "checkpoint": ss.get("gan_start"),
        "max_rate": SPEEDS[ss.get("gan_speed") or "fast"],
        "paused": paused,
    }


def can_train(cfg: GanConfig) -> bool:
    return cfg.dataset not in USER_DATASETS or ss.get("gan_points", {}).get(cfg.dataset) is not None


def start(paused: bool = False):
    cfg = widget_config()
    if not can_train(cfg):
        ss["gan_notice"] = ("warning", "gan.need_user_data")
        return None
    title = f"{plain(f'gan.ds_{cfg.dataset}')} · {plain(f'gan.loss_{cfg.loss}')}"
    job = live.start(SLOT, TASK, job_params(cfg, paused), run=("gan", title))
    ss["gan_job_cfg"] = cfg.to_dict()
    return job


def resume(run) -> None:
    """Continue a saved run from its last checkpoint, with its settings."""
    params = run.params()
    cfg = GanConfig.from_dict(params["config"])
    set_widgets(cfg)
    ss["gan_job_cfg"] = cfg.to_dict()
    params.update(checkpoint=(run.dir / gan_jobs.RUN_FILE).read_bytes(), paused=False)
    live.start(SLOT, TASK, params, run=run)


def play() -> None:
    """Start training; after Stop (or from a loaded model), carry on from where it ended."""
    ss["gan_slow"] = False
    ended = live.current(SLOT)
    saved = ended.result.get("checkpoint") if ended is not None and ended.result else None
    running = ss.get("gan_job_cfg")
    if saved and running and not GanConfig.from_dict(running).needs_reset(widget_config()):
        ss["gan_start"] = saved
    start()


def paused_job():
    job = live.current(SLOT)
    if job is None or not job.alive:
        return start(paused=True)
    if job.status == "running":
        job.pause()
    return job


def command(name: str, **args) -> None:
    """A step by hand on the paused job ("step" or a slow-motion "substep").

    A "substep" within REPLAY_S of the previous one is the same click sent again with a live tick
    (18 clicks showed sub-steps 1,2,4,5,6,8,...; a new key per click left two buttons on the page
    while it reran): dropped, so that the explanation walks every sub-step in order."""
    if name == "substep":
        now = time.monotonic()
        if now - ss.get("gan_substep_at", -REPLAY_S) < REPLAY_S:
            return
        ss["gan_substep_at"] = now
    job = paused_job()
    if job is None:
        return
    before = max(job.snapshots, 1)  # a new job publishes its start first, then the step
    job.command(name, **args)
    job.wait_snapshot(before, ANSWER_S)  # the run after this click shows the step taken
    if name == "step":
        ss["gan_stepped"] = ss.get("gan_stepped", 0) + 1


def forget_start() -> None:
    ss.pop("gan_start", None)
    ss.pop("gan_loaded", None)


def use_preset() -> None:
    forget_start()
    set_widgets(GanConfig.from_dict(preset(SETTINGS.value("dataset"))))
    ss["gan_notice"] = ("success", "gan.preset_used")


def loss_changed() -> None:
    """A loss that blows up with the current optimizer gets settings that work for it."""
    cfg = widget_config()
    suited = suited_to_loss(cfg)
    if suited != cfg:
        set_widgets(suited)
        ss["gan_notice"] = (
            "info",
            "gan.loss_settings",
            {
                "loss": plain(f"gan.loss_{cfg.loss}"),
                "optimizer": plain(f"gan.opt_{suited.optimizer}"),
                "d_lr": suited.d_lr,
                "g_lr": suited.g_lr,
                "d_steps": suited.d_steps,
            },
        )


def load_model(data: bytes) -> None:
    """Start from a saved model: its settings go into the widgets, its weights into the next job."""
    trainer = Trainer.load(data)
    live.forget(SLOT)
    if trainer.data.points is not None:
        ss.setdefault("gan_points", {})[trainer.cfg.dataset] = trainer.data.points
    set_widgets(trainer.cfg)
    ss["gan_start"] = data
    ss["gan_loaded"] = trainer.epoch
    ss["gan_notice"] = ("success", "gan.model_loaded", {"epoch": trainer.epoch})


def start_trained() -> None:
    path = TRAINED / f"{SETTINGS.value('dataset')}.safetensors"
    if not path.exists():
        ss["gan_notice"] = ("info", "gan.no_trained")
        return
    load_model(path.read_bytes())
    ss["gan_notice"] = ("success", "gan.trained_loaded")


def uploaded_model() -> None:
    upload = ss.get("gan_model_upload")
    if upload is None:
        return
    try:
        load_model(upload.getvalue())
    except UserError as err:
        ss["gan_notice"] = ("error", err.key, err.params)


def lower_lr() -> None:
    """Divide both learning rates by 10 and carry on, once per divergence: a click that reaches
    the server twice (it did, with live ticks in flight) must not divide them by 100."""
    job = live.current(SLOT)
    divergence = (job.id, job.snapshot.get("epoch")) if job and job.snapshot else None
    if divergence is not None and ss.get("gan_lowered_at") == divergence:
        return
    ss["gan_lowered_at"] = divergence
    cfg = widget_config()
    lrs = {"d_lr": max(cfg.d_lr / 10, 1e-6), "g_lr": max(cfg.g_lr / 10, 1e-6)}
    set_widgets(cfg.replace(**lrs))
    if job is not None:
        job.update(**lrs)
        ss["gan_job_cfg"] = cfg.replace(**lrs).to_dict()
        job.resume()


def set_speed() -> None:
    job = live.current(SLOT)
    if job is not None:
        job.update(max_rate=SPEEDS[ss.get("gan_speed") or "fast"])


def restart() -> None:
    forget_start()
    live.forget(SLOT)


def use_points(name: str, points) -> None:
    """A drawing or a CSV becomes the real data of its dataset (a new run starts from it)."""
    ss.setdefault("gan_points", {})[name] = points
    restart()


def follow_settings(cfg: GanConfig) -> None:
    """Send live changes to the running job; restart it when the networks or data change."""
    job = live.current(SLOT)
    if job is None or not job.alive or "gan_job_cfg" not in ss:
        return
    running = GanConfig.from_dict(ss["gan_job_cfg"])
    if running.needs_reset(cfg):
        forget_start()
        was_paused = job.status == "paused"
        live.forget(SLOT)
        del ss["gan_job_cfg"]
        if can_train(cfg) and start(paused=was_paused) is not None:
            ss["gan_notice"] = ("info", "gan.restarted")
    elif running != cfg:
        job.update(
            **{f: getattr(cfg, f) for f in LIVE_FIELDS if getattr(cfg, f) != getattr(running, f)}
        )
        ss["gan_job_cfg"] = cfg.to_dict()


# ---------------------------------------------------------------------------- what is shown


def fmt(value, spec: str = ".2f") -> str:
    return "–" if value is None else number(value, spec)


def diagram_texts(cfg: GanConfig, snap: dict) -> dict:
    """The model overview's boxes (a chart: plain text)."""
    noise = plain(f"gan.noise_{cfg.noise}")
    real, fake = fmt(snap.get("d_real")), fmt(snap.get("d_fake"))
    d_loss, g_loss = fmt(snap.get("d_loss"), ".3f"), fmt(snap.get("g_loss"), ".3f")
    return {
        "noise": plain("gan.box_noise", dim=cfg.noise_dim, dist=noise),
        "generator": plain(
            "gan.box_generator", layers=cfg.g_layers, neurons=cfg.g_neurons, lr=cfg.g_lr
        ),
        "fake": plain("gan.box_fake"),
        "real": plain("gan.box_real"),
        "discriminator": plain(
            "gan.box_discriminator", layers=cfg.d_layers, neurons=cfg.d_neurons, lr=cfg.d_lr
        ),
        "predictions": plain("gan.box_predictions", real=real, fake=fake),
        "loss": plain("gan.box_loss", d=d_loss, g=g_loss),
    }


def _preview(params: dict) -> dict:
    """The view before training; a model that has trained also gets its KL and JS."""
    snap = gan_jobs.preview(params)
    if params.get("checkpoint") is not None:
        trainer = gan_jobs.trainer_from(params)
        evaluator = metrics.Evaluator(trainer.data, samples=gan_jobs.METRIC_SAMPLES)
        snap.update(evaluator(trainer.generate(gan_jobs.METRIC_SAMPLES)))
    return snap


@st.cache_data(max_entries=32, show_spinner=False)
def _shared_preview(params: dict) -> dict:
    return _preview(params)


def preview(params: dict) -> dict:
    """The view before training; a participant's own points or model are cached in their session."""
    if params.get("points") is None and params.get("checkpoint") is None:
        return _shared_preview(params)
    key = repr(sorted(params.items()))
    return cache.in_session("gan_preview", key, lambda: _preview(params), max_entries=4)


def shown_snapshot(job, cfg: GanConfig) -> dict:
    """The job's latest snapshot, or the preview before training (raises UserError)."""
    if job is not None and job.snapshot is not None:
        return job.snapshot
    return preview(job_params(cfg)) if can_train(cfg) else {}


def plane_feed(job, snap: dict) -> tuple[bytes | None, str | None]:
    """What the layered view is drawn from (``genlab.feed``): while the job runs, the feed its
    chart fetches frames from itself (one token per job and page; no frame from the page, which
    would only redraw it once more); otherwise the frame of the job's newest snapshot (a paused
    job stepped by hand) or of ``snap`` (the preview, a loaded model: frame number 0), and the
    feed too while the job is alive."""
    token = None
    if job is not None and job.alive:
        tokens = ss.get("gan_feed", {})
        if job.id not in tokens:
            tokens = ss["gan_feed"] = {job.id: feed.grant(job, figures.frame_arrays)}
        token = tokens[job.id]
        if job.status == "running":
            return None, token
    frame = feed.frame(job, figures.frame_arrays) if job is not None else None
    if frame is None:
        frame = feed.encode(0, int(snap.get("epoch", 0)), figures.frame_arrays(snap))
    return frame, token


@st.cache_data(max_entries=16, show_spinner=False)
def _shared_js_floor(dataset: str) -> float:
    return metrics.js_floor(datasets.make(dataset, None), gan_jobs.METRIC_SAMPLES)


def js_floor(cfg: GanConfig) -> float | None:
    """The JS of two draws of the real data itself (what "the same" reads as on this page)."""
    if cfg.dataset not in USER_DATASETS:
        return _shared_js_floor(cfg.dataset)
    points = ss.get("gan_points", {}).get(cfg.dataset)
    if points is None:
        return None
    data = datasets.make(cfg.dataset, points)
    key = f"{cfg.dataset}:{hash(points.tobytes())}"
    compute = lambda: metrics.js_floor(data, gan_jobs.METRIC_SAMPLES)  # noqa: E731
    return cache.in_session("gan_js_floor", key, compute, max_entries=2)


def shown_rate(job, snap: dict) -> float:
    """Epochs per second now: 0 while paused, stopped or not started."""
    return snap.get("rate", 0.0) if job is not None and job.status == "running" else 0.0


def status_key(job, snap: dict) -> str | None:
    """The status to show when there is no job: a loaded model at its epoch, or not started."""
    if job is not None:
        return None
    return "gan.loaded_state" if ss.get("gan_loaded") is not None else "gan.not_started"


def history(job, snap: dict) -> list[dict]:
    """The records the curves draw: the job's log, or a loaded model's own point."""
    if job is not None:
        return job.log
    return [snap] if ss.get("gan_loaded") is not None and "js" in snap else []


def report(job, cfg: GanConfig, snap: dict) -> None:
    """What the participant has done here, for the guided lessons' checks."""
    diverged = bool(snap.get("diverged"))
    if diverged:
        ss["gan_diverged_seen"] = True
    progress.report(
        "gan",
        dataset=cfg.dataset,
        epoch=int(snap.get("epoch", 0)),
        js=snap.get("js"),
        running=job is not None and job.status == "running",
        d_lr=cfg.d_lr,
        g_lr=cfg.g_lr,
        loss=cfg.loss,
        diverged=bool(ss.get("gan_diverged_seen")),
        stepped=int(ss.get("gan_stepped", 0)),
    )
