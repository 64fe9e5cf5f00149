"""GAN room: pick real data, press Play, watch a generator learn to fake it while a discriminator
tries to tell real from fake."""

import dataclasses
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from genlab.errors import UserError
from genlab.gan import datasets, figures
from genlab.gan import jobs as gan_jobs
from genlab.gan.config import DATASETS, LIVE_FIELDS, USER_DATASETS, GanConfig, preset
from genlab.gan.losses import LOSSES
from genlab.gan.training import Trainer
from ui import cache, charts, live, runs, state
from ui.i18n import current_lang, plain, t
from ui.widgets import Versioned

SLOT = "gan"
TASK = "genlab.gan.jobs:run"
TRAINED = Path(__file__).resolve().parent.parent / "assets" / "gan"
SPEEDS = {"slow": 20, "medium": 150, "fast": 0}  # epochs per second (0: as fast as possible)
FIELDS = [f.name for f in dataclasses.fields(GanConfig)]
SETTINGS = Versioned("gan", FIELDS)
ss = st.session_state


def set_widgets(cfg: GanConfig) -> None:
    SETTINGS.set({name: getattr(cfg, name) for name in FIELDS})


def widget_config() -> GanConfig:
    return GanConfig(**SETTINGS.values()).validate()


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
    """Start training; after Stop, carry on from where the stopped run ended."""
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
    job = paused_job()
    if job is not None:
        job.command(name, **args)


def forget_start() -> None:
    ss.pop("gan_start", None)


def use_preset() -> None:
    forget_start()
    set_widgets(GanConfig.from_dict(preset(SETTINGS.value("dataset"))))
    ss["gan_notice"] = ("success", "gan.preset_used")


def load_model(data: bytes) -> None:
    """Start from a saved model: its settings go into the widgets, its weights into the next job."""
    trainer = Trainer.load(data)
    live.forget(SLOT)
    if trainer.data.points is not None:
        ss.setdefault("gan_points", {})[trainer.cfg.dataset] = trainer.data.points
    set_widgets(trainer.cfg)
    ss["gan_start"] = data
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


def show_notice() -> None:
    notice = ss.pop("gan_notice", None)
    if notice:
        kind, text_key, *params = notice
        getattr(st, kind)(t(text_key, **(params[0] if params else {})))


def fmt(value, spec: str = ".2f") -> str:
    return "–" if value is None else format(value, spec)


def diagram_texts(cfg: GanConfig, snap: dict) -> dict:
    """The model overview's boxes (a chart: plain text)."""
    return {
        "noise": plain("gan.box_noise", dim=cfg.noise_dim, dist=plain(f"gan.noise_{cfg.noise}")),
        "generator": plain(
            "gan.box_generator", layers=cfg.g_layers, neurons=cfg.g_neurons, lr=cfg.g_lr
        ),
        "fake": plain("gan.box_fake"),
        "real": plain("gan.box_real"),
        "discriminator": plain(
            "gan.box_discriminator", layers=cfg.d_layers, neurons=cfg.d_neurons, lr=cfg.d_lr
        ),
        "predictions": plain(
            "gan.box_predictions", real=fmt(snap.get("d_real")), fake=fmt(snap.get("d_fake"))
        ),
        "loss": plain(
            "gan.box_loss", d=fmt(snap.get("d_loss"), ".3f"), g=fmt(snap.get("g_loss"), ".3f")
        ),
    }


@st.cache_data(max_entries=32, show_spinner=False)
def shared_preview(params: dict) -> dict:
    return gan_jobs.preview(params)


def preview(params: dict) -> dict:
    """The view before training; a participant's own points or model are cached in their session."""
    if params.get("points") is None and params.get("checkpoint") is None:
        return shared_preview(params)
    key = repr(sorted(params.items()))
    return cache.in_session("gan_preview", key, lambda: gan_jobs.preview(params), max_entries=4)


LABELS = ("real", "fake", "heat", "manifold", "arrows")
METRIC_LABELS = ("d_loss", "g_loss", "js", "kl", "d_real", "d_fake", "losses", "divergence")
LIVE_EVERY = 0.1  # s: counters and the layered view, the participant's eye is there
SLOW_EVERY = 0.5  # s: the curves and the model overview change little between two ticks


def shown_snapshot(job, cfg: GanConfig) -> dict:
    """The job's latest snapshot, or the preview before training (raises UserError)."""
    if job is not None and job.snapshot is not None:
        return job.snapshot
    return preview(job_params(cfg)) if can_train(cfg) else {}


def draw(job) -> None:
    """The live view: messages, counters and the layered plane (redrawn on every tick)."""
    cfg = widget_config()
    try:
        snap = shown_snapshot(job, cfg)
    except UserError as err:
        live.show_error(err)
        return
    if job is not None:
        live.show_crash(job)
    if snap.get("diverged"):
        st.error(t("gan.diverged"), icon=":material/error:")
        cols = st.columns(2)
        lower = cols[0].button(
            t("gan.lower_lr"), key="gan_lower_lr", on_click=lower_lr, type="primary"
        )
        again = cols[1].button(t("gan.diverged_reset"), key="gan_diverged_reset", on_click=restart)
        if lower or again:  # the settings live outside this fragment: redraw the whole page
            st.rerun(scope="app")

    counters = st.columns(3)
    counters[0].metric(t("gan.epoch_counter"), f"{snap.get('epoch', 0):,}")
    counters[1].metric(t("gan.epochs_per_s"), f"{snap.get('rate', 0):,.0f}")
    counters[2].metric(t("gan.js"), fmt(snap.get("js"), ".3f"))

    labels = {name: t(f"gan.layer_{name}") for name in LABELS}
    charts.plot(figures.plane(snap, ss.get("gan_layers", LABELS), labels), key="gan_plane")


def draw_curves(job) -> None:
    """The job's status, then losses, divergences and D's mean predictions against epochs."""
    st.metric(t("gan.status"), live.status_text(job) if job else t("gan.not_started"))
    labels = {name: t(f"gan.{name}") for name in METRIC_LABELS}
    labels.update(predictions=t("gan.predictions"), epoch=t("gan.axis_epoch"))
    equilibrium = LOSSES[widget_config().loss].equilibrium
    charts.plot(figures.metrics(job.log if job else [], labels, equilibrium), key="gan_metrics")


def draw_overview(job) -> None:
    """The model overview with its live values, the slow-motion sub-step and the download."""
    cfg = widget_config()
    try:
        snap = shown_snapshot(job, cfg)
    except UserError:  # draw() shows it
        return
    stage = tuple(snap["stage"]) if snap.get("stage") else None
    st.markdown(f"**{t('gan.overview')}**")
    charts.plot(figures.diagram(diagram_texts(cfg, snap), stage), key="gan_diagram")
    if stage is None and ss.get("gan_slow"):
        st.info(t("gan.slow_motion_start"))
    if stage is not None:
        number = ("d", "g").index(stage[0]) * 5 + figures.STAGES.index(stage[1]) + 1
        st.info(
            f"{t('gan.stage_of', n=number, total=10)} · "
            + t(f"gan.stage_{stage[0]}_{stage[1]}", **snap.get("stage_values", {}))
        )
    saved = (job.result or {}).get("checkpoint") if job is not None else None
    if saved or snap.get("checkpoint"):
        st.download_button(
            t("gan.download_model"),
            saved or snap["checkpoint"],
            file_name=f"gan-{cfg.dataset}-epoch{snap.get('epoch', 0)}.safetensors",
            mime="application/octet-stream",
            key="gan_download",
        )


def slow_fragment(name: str, draw_part) -> None:
    """``draw_part(job)`` in its own fragment, redrawn every SLOW_EVERY s while the job runs."""
    job = live.current(SLOT)
    every = SLOW_EVERY if job is not None and job.alive else None
    st.fragment(lambda: draw_part(live.current(SLOT)), run_every=every, key=f"gan_{name}")()


# ---------------------------------------------------------------------------- the page

if "gan_ready" not in ss:
    ss["gan_ready"] = True
    try:
        set_widgets(GanConfig.from_query(st.query_params.to_dict()))
    except UserError as err:
        set_widgets(GanConfig())
        ss["gan_notice"] = ("error", err.key, err.params)
# kept while the participant visits other rooms (Streamlit drops the widgets' values)
state.restore_widgets("gan", {SETTINGS.key(f): v for f, v in GanConfig().to_dict().items()})

st.title(t("gan.title"))
st.markdown(t("gan.intro"))

source, actions = st.columns([3, 2])
source.selectbox(
    t("gan.dataset"),
    DATASETS + USER_DATASETS,
    format_func=lambda name: t(f"gan.ds_{name}"),
    key=SETTINGS.key("dataset"),
    on_change=forget_start,
)
actions.button(t("gan.use_preset"), key="gan_preset", on_click=use_preset, width="stretch")
actions.button(t("gan.start_trained"), key="gan_trained", on_click=start_trained, width="stretch")

dataset = SETTINGS.value("dataset")
if dataset == "drawn":
    from streamlit_drawable_canvas import st_canvas  # a component: load it only when drawing

    st.caption(t("gan.draw_help"))
    canvas = st_canvas(
        stroke_width=4, stroke_color="#1b9e77", height=320, width=320, key="gan_canvas"
    )
    if st.button(t("gan.use_drawing"), key="gan_use_drawing"):
        try:
            drawn = datasets.from_strokes(datasets.strokes_from_canvas(canvas.json_data))
            ss.setdefault("gan_points", {})["drawn"] = drawn.points
            restart()
            st.success(t("gan.drawing_used", n=len(drawn.points)))
        except UserError as err:
            live.show_error(err)
elif dataset == "csv":
    upload = st.file_uploader(
        t("gan.upload_csv"), type=["csv", "txt"], help=t("gan.csv_help"), max_upload_size=5
    )
    if upload is not None and ss.get("gan_csv_name") != upload.file_id:
        try:
            ss.setdefault("gan_points", {})["csv"] = datasets.from_csv(upload.getvalue()).points
            ss["gan_csv_name"] = upload.file_id
            restart()
        except UserError as err:
            live.show_error(err)
    if ss.get("gan_points", {}).get("csv") is not None:
        st.caption(t("gan.csv_loaded", n=len(ss["gan_points"]["csv"])))

with st.expander(t("gan.hyperparameters")):
    st.caption(t("gan.live_note") + " " + t("gan.reset_note"))
    g_col, d_col, train_col = st.columns(3)
    for col, net in ((g_col, "g"), (d_col, "d")):
        col.markdown(f"**{t('gan.generator' if net == 'g' else 'gan.discriminator')}**")
        col.slider(t("gan.hidden_layers"), 0, 5, key=SETTINGS.key(f"{net}_layers"))
        col.slider(t("gan.neurons"), 1, 128, key=SETTINGS.key(f"{net}_neurons"))
        col.number_input(
            t(f"gan.{net}_lr"),
            1e-6,
            100.0,
            step=0.0005,
            format="%.4f",
            key=SETTINGS.key(f"{net}_lr"),
        )
        col.slider(t(f"gan.{net}_steps"), 1, 10, key=SETTINGS.key(f"{net}_steps"))
    g_col.selectbox(
        t("gan.noise"),
        ("uniform", "gaussian"),
        format_func=lambda n: t(f"gan.noise_{n}"),
        key=SETTINGS.key("noise"),
    )
    g_col.slider(t("gan.noise_dim"), 1, 8, key=SETTINGS.key("noise_dim"))
    d_col.selectbox(
        t("gan.activation"),
        ("relu", "leaky_relu", "tanh", "sigmoid"),
        format_func=lambda n: t(f"gan.act_{n}"),
        key=SETTINGS.key("activation"),
    )
    train_col.selectbox(
        t("gan.loss"),
        tuple(LOSSES),
        format_func=lambda n: t(f"gan.loss_{n}"),
        key=SETTINGS.key("loss"),
    )
    train_col.selectbox(
        t("gan.optimizer"),
        ("adam", "sgd"),
        format_func=lambda n: t(f"gan.opt_{n}"),
        key=SETTINGS.key("optimizer"),
    )
    train_col.number_input(t("gan.batch"), 1, 2048, step=16, key=SETTINGS.key("batch"))
    train_col.number_input(t("gan.seed"), 0, 2**31 - 1, step=1, key=SETTINGS.key("seed"))

config = widget_config()
state.save_widgets("gan", [SETTINGS.key(f) for f in FIELDS])
follow_settings(config)
for name in GanConfig.query_keys(st.query_params):
    st.query_params.pop(name, None)
st.query_params.update(config.to_query())
show_notice()

play_col, speed_col = st.columns([3, 2], vertical_alignment="bottom")
with play_col:
    live.controls(SLOT, on_play=play, on_reset=forget_start)
speed_col.segmented_control(
    t("gan.speed"),
    tuple(SPEEDS),
    format_func=lambda s: t(f"gan.speed_{s}"),
    key="gan_speed",
    default="fast",
    on_change=set_speed,
)
STEPS = {"epoch": "gan.step_epoch", "d": "gan.step_d", "g": "gan.step_g"}
for col, (what, label) in zip(st.columns(3), STEPS.items(), strict=True):
    col.button(
        t(label),
        key=f"gan_step_{what}",
        on_click=command,
        args=("step",),
        kwargs={"what": what},
        help=t("gan.step_help"),
        width="stretch",
    )
slow_col, next_col = st.columns([3, 2])
slow = slow_col.toggle(t("gan.slow_motion"), key="gan_slow")
if slow:
    next_col.button(
        t("gan.next_substep"),
        key="gan_substep",
        on_click=command,
        args=("substep",),
        type="primary",
    )

st.pills(
    t("gan.layers"),
    LABELS,
    selection_mode="multi",
    default=list(LABELS),
    format_func=lambda name: t(f"gan.layer_{name}"),
    key="gan_layers",
)
view_col, curves_col = st.columns([5, 4])
with view_col:
    st.caption(t("gan.plane_help"))
    live.fragment(SLOT, draw, run_every=LIVE_EVERY)
with curves_col:
    st.caption(t("gan.metrics_help"))
    slow_fragment("curves", draw_curves)
slow_fragment("overview", draw_overview)
runs.recent("gan", SLOT, gan_jobs.RUN_FILE, resume=resume)

with st.expander(t("gan.save_share")):
    job = live.current(SLOT)
    if job is not None and job.alive:
        st.button(
            t("gan.prepare_download"),
            key="gan_prepare",
            on_click=job.command,
            args=("save",),
            kwargs={"request": job.snapshots},
        )
    elif job is None:
        st.caption(t("gan.nothing_to_save"))
    st.file_uploader(
        t("gan.load_model"), type=["safetensors"], key="gan_model_upload", on_change=uploaded_model
    )
    base = (st.context.url or "").split("?")[0]
    st.markdown(f"**{t('gan.share_link')}**")
    st.code(f"{base}?{urlencode({**config.to_query(), 'lang': current_lang()})}", language="text")
    st.caption(t("gan.share_help"))
