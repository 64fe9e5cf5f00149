"""The GAN room's groups of widgets: the settings (hyperparameters), a drawing, a CSV upload."""

import streamlit as st

from genlab.errors import UserError
from genlab.gan import datasets
from genlab.gan.losses import LOSSES
from ui import gan as room
from ui import live
from ui.i18n import t
from ui.widgets import decimal_input

SETTINGS = room.SETTINGS
ss = st.session_state


def drawing() -> None:
    from streamlit_drawable_canvas import st_canvas  # a component: load it only when drawing

    st.caption(t("gan.draw_help"))
    canvas = st_canvas(
        stroke_width=4, stroke_color="#1b9e77", height=320, width=320, key="gan_canvas"
    )
    if st.button(t("gan.use_drawing"), key="gan_use_drawing"):
        try:
            drawn = datasets.from_strokes(datasets.strokes_from_canvas(canvas.json_data))
            room.use_points("drawn", drawn.points)
            st.success(t("gan.drawing_used", n=len(drawn.points)))
        except UserError as err:
            live.show_error(err)


def csv_upload() -> None:
    upload = st.file_uploader(
        t("gan.upload_csv"), type=["csv", "txt"], help=t("gan.csv_help"), max_upload_size=5
    )
    if upload is not None and ss.get("gan_csv_name") != upload.file_id:
        try:
            room.use_points("csv", datasets.from_csv(upload.getvalue()).points)
            ss["gan_csv_name"] = upload.file_id
        except UserError as err:
            live.show_error(err)
    if ss.get("gan_points", {}).get("csv") is not None:
        st.caption(t("gan.csv_loaded", n=len(ss["gan_points"]["csv"])))


def network_settings(col, net: str) -> None:
    col.markdown(f"**{t('gan.generator' if net == 'g' else 'gan.discriminator')}**")
    col.slider(t("gan.hidden_layers"), 0, 5, key=SETTINGS.key(f"{net}_layers"))
    col.slider(t("gan.neurons"), 1, 128, key=SETTINGS.key(f"{net}_neurons"))
    decimal_input(t(f"gan.{net}_lr"), 1e-6, 100.0, key=SETTINGS.key(f"{net}_lr"), where=col)
    col.slider(t(f"gan.{net}_steps"), 1, 10, key=SETTINGS.key(f"{net}_steps"))


def choice(col, label: str, field: str, options, prefix: str, **kwargs) -> None:
    col.selectbox(
        t(label),
        tuple(options),
        format_func=lambda n: t(f"gan.{prefix}_{n}"),
        key=SETTINGS.key(field),
        **kwargs,
    )


def hyperparameters() -> None:
    with st.expander(t("gan.hyperparameters")):
        st.caption(t("gan.live_note") + " " + t("gan.reset_note"))
        g_col, d_col, train_col = st.columns(3)
        network_settings(g_col, "g")
        network_settings(d_col, "d")
        choice(g_col, "gan.noise", "noise", ("uniform", "gaussian"), "noise")
        g_col.slider(t("gan.noise_dim"), 1, 8, key=SETTINGS.key("noise_dim"))
        choice(
            d_col, "gan.activation", "activation", ("relu", "leaky_relu", "tanh", "sigmoid"), "act"
        )
        choice(train_col, "gan.loss", "loss", LOSSES, "loss", on_change=room.loss_changed)
        choice(train_col, "gan.optimizer", "optimizer", ("adam", "sgd"), "opt")
        train_col.number_input(t("gan.batch"), 1, 2048, step=16, key=SETTINGS.key("batch"))
        train_col.number_input(t("gan.seed"), 0, 2**31 - 1, step=1, key=SETTINGS.key("seed"))
