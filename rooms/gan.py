"""GAN room: pick real data, press Play, watch a generator learn to fake it while a discriminator
tries to tell real from fake.

Layout: the layered view (the room's main chart) beside its few key controls, so that both are in
one view on a projector (1280 x 720); on a phone the chart comes first. The curves and the model
overview come next, then the settings, the runs and the share link.
"""

import streamlit as st

from genlab.errors import UserError
from genlab.gan import figures
from genlab.gan import jobs as gan_jobs
from genlab.gan.config import DATASETS, USER_DATASETS, GanConfig
from genlab.gan.losses import LOSSES
from ui import charts, live, runs
from ui import gan as room
from ui import gan_widgets as widgets
from ui.i18n import number, t
from ui.links import share_url

SLOT, SETTINGS = room.SLOT, room.SETTINGS
LABELS = ("real", "fake", "heat", "manifold", "arrows")
METRIC_LABELS = ("d_loss", "g_loss", "js", "kl", "d_real", "d_fake", "losses", "divergence")
LIVE_EVERY = 0.25  # s: the counters (the layered view fetches its snapshots itself, faster)
COUNTERS_SLOWEST = 1.6  # s: the counters' pace with the whole class watching
SLOW_EVERY = 0.5  # s: the curves and the model overview change little between two ticks
PLANE_HEIGHT = 400
STEPS = {"epoch": "gan.step_epoch", "d": "gan.step_d", "g": "gan.step_g"}
ss = st.session_state


def show_notice() -> None:
    notice = ss.pop("gan_notice", None)
    if notice:
        kind, text_key, *params = notice
        getattr(st, kind)(t(text_key, **(params[0] if params else {})))


def snapshot_or_error(job, cfg: GanConfig, show: bool = True) -> dict | None:
    try:
        return room.shown_snapshot(job, cfg)
    except UserError as err:
        if show:
            live.show_error(err)
        return None


# ---------------------------------------------------------------------------- live parts


def draw(job) -> None:
    """The live view: the layered plane, its counters, then any message (below the chart, so that
    a message never moves it)."""
    cfg = room.widget_config()
    snap = snapshot_or_error(job, cfg)
    if snap is None:
        return
    labels = {name: t(f"gan.layer_{name}") for name in LABELS}
    layers = ss.get("gan_layers", LABELS)
    frame, feed = room.plane_feed(job, snap)  # the points come in frames, not in the figure
    figure = figures.plane(figures.outline(snap), layers, labels, PLANE_HEIGHT)
    charts.live(figure, key="gan_plane", frame=frame, feed=feed)
    floor = room.js_floor(cfg)
    counters = st.columns(3)
    counters[0].metric(t("gan.epoch_counter"), number(snap.get("epoch", 0), ","))
    counters[1].metric(t("gan.epochs_per_s"), number(room.shown_rate(job, snap), ",.0f"))
    js_help = t("gan.js_floor_help", floor=floor) if floor is not None else None
    counters[2].metric(t("gan.js"), room.fmt(snap.get("js"), ".3f"), help=js_help)
    if job is not None:
        live.show_crash(job)
    if snap.get("diverged"):
        diverged_actions()
    room.report(job, cfg, snap)


def diverged_actions() -> None:
    """The divergence, and the two ways on (full-width buttons: their labels are long)."""
    st.error(t("gan.diverged"), icon=":material/error:")
    lower = st.button(
        t("gan.lower_lr"),
        key="gan_lower_lr",
        on_click=room.lower_lr,
        type="primary",
        width="stretch",
    )
    again = st.button(
        t("gan.diverged_reset"), key="gan_diverged_reset", on_click=room.restart, width="stretch"
    )
    if lower or again:  # the settings live outside this fragment: redraw the whole page
        st.rerun(scope="app")


def draw_curves(job) -> None:
    """The job's status, then losses, divergences and D's mean predictions against epochs."""
    cfg = room.widget_config()
    snap = snapshot_or_error(job, cfg, show=False) or {}
    no_job = room.status_key(job, snap)
    status = live.status_text(job) if no_job is None else t(no_job, epoch=snap.get("epoch", 0))
    st.metric(t("gan.status"), status)
    labels = {name: t(f"gan.{name}") for name in METRIC_LABELS}
    labels.update(predictions=t("gan.predictions"), epoch=t("gan.axis_epoch"))
    floor = room.js_floor(cfg)
    labels["floor"] = t("gan.js_floor", floor=floor) if floor is not None else None
    equilibrium = LOSSES[cfg.loss].equilibrium
    figure = figures.metrics(room.history(job, snap), labels, equilibrium, js_floor=floor)
    charts.live(figure, key="gan_metrics")


def draw_stage(job) -> None:
    """The slow-motion sub-step shown in the model overview, explained under its button."""
    snap = snapshot_or_error(job, room.widget_config(), show=False) or {}
    stage = tuple(snap["stage"]) if snap.get("stage") else None
    if stage is None:
        st.info(t("gan.slow_motion_start"))
        return
    number = ("d", "g").index(stage[0]) * 5 + figures.STAGES.index(stage[1]) + 1
    st.info(
        f"{t('gan.stage_of', n=number, total=10)} · "
        + t(f"gan.stage_{stage[0]}_{stage[1]}", **snap.get("stage_values", {}))
    )


def draw_overview(job) -> None:
    """The model overview with its live values and the download."""
    cfg = room.widget_config()
    snap = snapshot_or_error(job, cfg, show=False)
    if snap is None:  # draw() shows the error
        return
    stage = tuple(snap["stage"]) if snap.get("stage") else None
    st.markdown(f"**{t('gan.overview')}**")
    figure = figures.diagram(room.diagram_texts(cfg, snap), stage)
    charts.live(figure, key="gan_diagram", config={"displayModeBar": False})
    saved = (job.result or {}).get("checkpoint") if job is not None else None
    if saved or snap.get("checkpoint"):
        st.download_button(
            t("gan.download_model"),
            saved or snap["checkpoint"],
            file_name=f"gan-{cfg.dataset}-epoch{snap.get('epoch', 0)}.safetensors",
            mime="application/octet-stream",
            key="gan_download",
        )


def draw_details(job) -> None:
    """The curves beside the model overview: one fragment, so one script run redraws both (the
    script run itself is most of a small fragment's cost to the server)."""
    curves_col, overview_col = st.columns([3, 2])
    with curves_col:
        st.caption(t("gan.metrics_help"))
        draw_curves(job)
    with overview_col:
        draw_overview(job)


def slow_fragment(name: str, draw_part) -> None:
    """``draw_part(job)`` in its own fragment, redrawn every SLOW_EVERY s while the job runs,
    and half as often as the live view when the class watches (``live.pace``)."""
    job = live.current(SLOT)
    alive = job is not None and job.alive
    every = max(SLOW_EVERY, 2 * live.pace(LIVE_EVERY, job, COUNTERS_SLOWEST)) if alive else None
    st.fragment(lambda: draw_part(live.current(SLOT)), run_every=every, key=f"gan_{name}")()


# ---------------------------------------------------------------------------- sections


def data_source() -> None:
    """The real data: a dataset, a preset or a trained model, a drawing or a CSV."""
    st.selectbox(
        t("gan.dataset"),
        DATASETS + USER_DATASETS,
        format_func=lambda name: t(f"gan.ds_{name}"),
        key=SETTINGS.key("dataset"),
        on_change=room.forget_start,
    )
    st.button(t("gan.use_preset"), key="gan_preset", on_click=room.use_preset, width="stretch")
    st.button(
        t("gan.start_trained"), key="gan_trained", on_click=room.start_trained, width="stretch"
    )
    dataset = SETTINGS.value("dataset")
    if dataset == "drawn":
        widgets.drawing()
    elif dataset == "csv":
        widgets.csv_upload()


def controls() -> None:
    """Play and its companions: speed, steps by hand, slow motion, the layers shown."""
    live.controls(SLOT, on_play=room.play, on_reset=room.forget_start)
    st.segmented_control(
        t("gan.speed"),
        tuple(room.SPEEDS),
        format_func=lambda s: t(f"gan.speed_{s}"),
        key="gan_speed",
        default="fast",
        on_change=room.set_speed,
        wrap=True,  # in a column Streamlit scrolls the options sideways: some were out of sight
    )
    st.caption(t("gan.step_by_hand"))
    for col, (what, label) in zip(st.columns(3), STEPS.items(), strict=True):
        col.button(
            t(label),
            key=f"gan_step_{what}",
            on_click=room.command,
            args=("step",),
            kwargs={"what": what},
            help=t("gan.step_help"),
            width="stretch",
        )
    if st.toggle(t("gan.slow_motion"), key="gan_slow"):
        st.button(
            t("gan.next_substep"),
            key="gan_substep",
            on_click=room.command,
            args=("substep",),
            type="primary",
            width="stretch",
        )
        slow_fragment("stage", draw_stage)
    st.pills(
        t("gan.layers"),
        LABELS,
        selection_mode="multi",
        default=list(LABELS),
        format_func=lambda name: t(f"gan.layer_{name}"),
        key="gan_layers",
        help=t("gan.plane_help"),
        wrap=True,
    )


def save_and_share(cfg: GanConfig) -> None:
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
            t("gan.load_model"),
            type=["safetensors"],
            key="gan_model_upload",
            on_change=room.uploaded_model,
        )
        st.markdown(f"**{t('gan.share_link')}**")
        st.code(share_url(cfg.to_query()), language="text")
        st.caption(t("gan.share_help"))


# ---------------------------------------------------------------------------- the page


def main() -> None:
    room.init_settings()
    st.title(t("gan.title"))
    view_col, controls_col = st.columns([3, 2])
    with controls_col:
        st.caption(t("gan.intro"))
        data_source()
        controls()
    config = room.widget_config()
    room.follow_settings(config)
    room.show_settings_in_url(config)
    with controls_col:  # beside the chart, not above it: a message never moves the chart
        show_notice()
    with view_col:
        live.fragment(SLOT, draw, run_every=LIVE_EVERY, slowest=COUNTERS_SLOWEST)
    slow_fragment("details", draw_details)
    widgets.hyperparameters()
    runs.recent("gan", SLOT, gan_jobs.RUN_FILE, resume=room.resume)
    save_and_share(config)


main()
