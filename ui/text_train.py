"""The Train page's views (rooms/text_train.py lays them out): the tokens' tabs, the live training,
the session's models, and the page's widget values kept across rooms."""

import streamlit as st
import torch

from genlab.errors import UserError
from genlab.text import corpora, data, probe, training
from genlab.text import figures_train as figures
from genlab.text.checkpoint import dumps, load_lm
from genlab.text.tokenizers import show
from genlab.text.training import GPT_PRESETS, TrainConfig
from ui import live, progress, state
from ui.i18n import number, plain, t
from ui.widgets import Versioned

BATCH_SHAPE = (4, 8)
HEATMAP_TOP = 40
GPT_FIELDS = ("n_layer", "n_head", "n_embd", "block_size", "dropout")
TRAIN_FIELDS = ("batch_size", "lr", "steps", "optimizer")
SETTINGS = Versioned("text", GPT_FIELDS + TRAIN_FIELDS)


# --- widget values ---------------------------------------------------------------------------


def preset_settings(name: str) -> dict:
    """The GPT and training settings a preset fills in (a preset that names no optimizer uses
    TrainConfig's default)."""
    shape, train = GPT_PRESETS[name]
    chosen = {**shape, "optimizer": TrainConfig.optimizer, **train}
    return {k: v for k, v in chosen.items() if k in SETTINGS.fields}


def widget_defaults() -> dict:
    """First values of the page's widgets (the GPT fields come from the default preset)."""
    gpt = {SETTINGS.key(k): v for k, v in preset_settings(training.DEFAULT_PRESET).items()}
    bigram = training.BIGRAM_TRAIN
    return {
        "text_corpus": "shakespeare",
        "text_pasted": "",
        "text_tokenizer": "char",
        "text_bpe_vocab": 512,
        "text_word_cap": 0,
        "text_model": "gpt",
        "text_preset": training.DEFAULT_PRESET,
        **gpt,
        "text_bigram_batch": bigram["batch_size"],
        "text_bigram_lr": bigram["lr"],
        "text_bigram_steps": bigram["steps"],
        "text_seed": 1337,
        "text_len": 200,
    }


def restore_widgets() -> None:
    """The widgets' values back after a run that did not draw them (another room, a bad upload)."""
    state.restore_widgets("text", widget_defaults())


def save_widgets() -> None:
    state.save_widgets("text", widget_defaults())


def apply_preset() -> None:
    SETTINGS.set(preset_settings(st.session_state["text_preset"]))


def duration(seconds: float) -> str:
    """'about 1 min 40 s' in the participant's language."""
    s = round(seconds)
    if s < 60:
        return plain("text.duration_s", s=max(s, 1))
    if s < 3600:
        return plain("text.duration_min", m=s // 60, s=s % 60)
    return plain("text.duration_h", h=s // 3600, m=s % 3600 // 60)


def preset_times(measured: dict[str, float]) -> str:
    """Each preset's expected time on this server, or that it is being measured."""
    parts = [
        plain(
            "text.preset_time",
            preset=plain(f"text.preset_{name.replace('-', '_')}"),
            time=duration(measured[name]) if name in measured else plain("text.preset_measuring"),
        )
        for name in GPT_PRESETS
    ]
    return t("text.preset_times", times=" · ".join(parts))


# --- the tokens ------------------------------------------------------------------------------


def token_metrics(prep: data.Prepared) -> None:
    cols = st.columns(3)
    cols[0].metric(t("text.vocab_size"), number(prep.tokenizer.vocab_size, ","))
    cols[1].metric(t("text.token_count"), number(len(prep.ids), ","))
    share = prep.unknown_share
    cols[2].metric(
        t("text.unknown_share"),
        number(share, ".2%") if share >= 1e-4 or not share else "< " + number(1e-4, ".2%"),
        help=t("text.unknown_help"),
    )
    if prep.unknown_examples:
        quoted = ", ".join(f"“{show(e)}”" for e in prep.unknown_examples)
        st.caption(t("text.unknown_examples", examples=quoted))


def token_tabs(prep: data.Prepared) -> None:
    vocab_tab, freq_tab, ids_tab, batch_tab = st.tabs(
        [t("text.tab_vocab"), t("text.tab_frequent"), t("text.tab_ids"), t("text.tab_batch")]
    )
    with vocab_tab:
        st.caption(t(f"text.vocab_caption_{prep.tokenizer.kind}"))
        with st.container(height=220):
            if prep.tokenizer.kind == "char":  # as the lecture prints sorted(set(text))
                st.code(repr(prep.tokenizer.tokens), language="python", wrap_lines=True)
            else:
                shown = probe.readable_tokens(prep.tokenizer)[:2000]
                st.code("  ".join(shown), language=None, wrap_lines=True)
    with freq_tab:
        labels = {k: t(f"text.fig_{k}") for k in ("token", "count")}
        labels["title"] = t("text.fig_frequent_title")
        st.plotly_chart(
            figures.frequency_bars(prep.frequencies, labels), key="text_freq", width="stretch"
        )
    with ids_tab:
        ids_view(prep)
    with batch_tab:
        batch_view(prep)


def ids_view(prep: data.Prepared) -> None:
    head = prep.ids[:60].tolist()
    left, right = st.columns(2)
    left.caption(t("text.text_side"))
    left.code(prep.tokenizer.decode(head), language=None, wrap_lines=True)
    right.caption(t("text.ids_side"))
    right.code(str(head), language=None, wrap_lines=True)
    st.dataframe(
        {t("text.col_token"): [show(prep.tokenizer.tokens[i]) for i in head], "id": head},
        height=220,
        width="stretch",
    )


def batch_view(prep: data.Prepared) -> None:
    b, block = BATCH_SHAPE
    if len(prep.train_ids) <= block + 1:
        return
    seed = st.session_state.setdefault("text_batch_seed", 0)
    if st.button(t("text.new_batch"), key="text_new_batch"):
        seed = st.session_state["text_batch_seed"] = seed + 1
    g = torch.Generator().manual_seed(seed)
    x, y = data.get_batch(prep.train_ids, b, block, g)
    view = data.describe_batch(prep.tokenizer, x, y)
    left, right = st.columns(2)
    for side, key, tensor, rows in (
        (left, "text.inputs", x, view["inputs_text"]),
        (right, "text.targets", y, view["targets_text"]),
    ):
        side.caption(t(key, b=b, t=block))
        side.code(f"torch.Size([{b}, {block}])\n{tensor}", language=None)
        side.dataframe([[show(tok) for tok in row] for row in rows], width="stretch")
    st.caption(t("text.pairs_caption", n=len(view["pairs"])))
    lines = [
        plain("text.pair", context=" ".join(show(c) for c in ctx), target=show(target))
        for ctx, target in view["pairs"]
    ]
    st.code("\n".join(lines), language=None)


def bigram_heatmap(prep: data.Prepared) -> None:
    small = prep.tokenizer.kind == "char" and prep.tokenizer.vocab_size <= 100
    top = None if small else HEATMAP_TOP
    probs, keep = data.bigram_probabilities(prep.train_ids, prep.tokenizer.vocab_size, top)
    labels = {k: t(f"text.fig_{k}") for k in ("next", "current", "hover")}
    labels["title"] = t("text.fig_bigram_title")
    tokens = [prep.tokenizer.tokens[i] for i in keep]
    st.plotly_chart(
        figures.bigram_heatmap(probs.tolist(), tokens, labels), key="text_heat", width="stretch"
    )


# --- the training ----------------------------------------------------------------------------


def keep_model(lm) -> None:
    """Add a model to the session's models, for this page and the others, and select it."""
    models = state.text_models()
    name = f"{lm.meta.get('title') or lm.config.model} #{len(models) + 1}"
    models[name] = lm
    st.session_state["text_selected"] = name


def adopt(job) -> None:
    """Keep a finished run's model in the session (once), for this page and the others."""
    if st.session_state.get("text_adopted") == job.id or not job.result:
        return
    st.session_state["text_adopted"] = job.id
    if "user_error" not in job.result:
        keep_model(load_lm(job.result["checkpoint"]))


def loss_labels() -> dict:
    keys = ("title", "step", "loss", "batch", "train", "val", "uniform", "unigram", "bigram")
    return {k: t(f"text.curve_{k}") for k in keys}


def report(job, snap: dict | None) -> None:
    """What the participant trained, for the guided lessons' checks."""
    params, last = job.params, (snap["history"][-1] if snap and snap["history"] else {})
    progress.report(
        "text",
        corpus=params["corpus"],
        tokenizer=params["tokenizer"],
        model=params["model"]["model"],
        steps=snap["step"] if snap else 0,
        val_loss=last.get("val_loss"),
        uploaded=params["corpus"] not in corpora.BUILTIN,
        running=job.alive,
    )


def progress_view(snap: dict) -> None:
    """Where the run is: its step, time and speed; what a count bigram did (it takes no steps)."""
    last = snap["history"][-1] if snap["history"] else {}
    losses = [
        (t("text.metric_train"), number(last.get("train_loss", float("nan")), ".3f")),
        (t("text.metric_val"), number(last.get("val_loss", float("nan")), ".3f")),
    ]
    if snap.get("counted_pairs") is not None:
        st.info(t("text.counted", pairs=snap["counted_pairs"], seconds=snap["elapsed_s"]))
        shown = losses
    else:
        remaining = snap["remaining_s"]
        text = t(
            "text.progress",
            elapsed=snap["elapsed_s"],
            remaining="?" if remaining is None else number(remaining, ".0f"),
            step=snap["step"],
            steps=snap["steps"],
        )
        st.progress(snap["progress"], text=text)
        shown = [
            (t("text.metric_step"), number(snap["step"], ",")),
            *losses,
            (t("text.metric_speed"), number(snap["tokens_per_s"], ",.0f")),
        ]
    for col, (label, value) in zip(st.columns(4), shown, strict=False):
        col.metric(label, value)


def samples_view(samples: list) -> None:
    if samples:
        step, text = samples[-1]
        st.markdown(t("text.sample_at", step=step))
        st.code(text, language=None, wrap_lines=True)
    with st.expander(t("text.timeline", n=len(samples))):
        for step, text in reversed(samples):
            st.caption(t("text.sample_at", step=step))
            st.text(text)


def draw(job) -> None:
    """The live view of the session's run (called by ui.live's fragment)."""
    if job is None:
        st.info(t("text.press_play", play=t("common.play")))
        return
    live.show_crash(job)
    if job.result and "user_error" in job.result:
        key, params = job.result["user_error"]
        live.show_error(UserError(key, **params))
    snap = job.snapshot
    report(job, snap)
    if not snap and job.result:
        return
    st.caption(live.status_text(job))
    if not snap:
        st.info(t("text.starting"))
        return
    progress_view(snap)
    curves = figures.loss_curves(
        snap["history"], snap["refs"], loss_labels(), job.id, snap["batch_losses"]
    )
    st.plotly_chart(curves, key="text_loss", width="stretch")
    samples_view(snap["samples"])
    if not job.alive:
        adopt(job)


# --- the session's models --------------------------------------------------------------------


def upload_model(models: dict) -> None:
    upload = st.file_uploader(t("text.upload_model"), type=["safetensors"], key="text_upload_lm")
    if upload is None or st.session_state.get("text_uploaded") == upload.file_id:
        return
    try:
        lm = load_lm(upload.getvalue())
    except UserError as err:
        live.show_error(err)
    else:
        st.session_state["text_uploaded"] = upload.file_id
        models[upload.name] = lm
        st.session_state["text_selected"] = upload.name
        st.success(t("text.model_loaded", name=upload.name))


def checkpoint_section() -> None:
    st.subheader(t("text.step_checkpoint"))
    models = state.text_models()
    upload_model(models)
    if not models:
        st.caption(t("text.no_models"))
        return
    names = list(models)
    if st.session_state.get("text_selected") not in names:
        st.session_state["text_selected"] = names[-1]
    name = st.selectbox(t("text.session_model"), names, key="text_selected")
    lm = models[name]
    st.caption(
        t("text.model_info", steps=lm.meta.get("steps", 0), val=lm.meta.get("val_loss", 0.0))
    )
    st.download_button(
        t("text.download"),
        data=checkpoint_bytes(name, lm),
        file_name=f"{name.split(' #')[0].replace(' · ', '-').replace(' ', '_')}.safetensors",
        mime="application/octet-stream",
        key="text_download",
    )
    sample_view(lm)


def sample_view(lm) -> None:
    cols = st.columns(2)
    seed = cols[0].number_input(t("text.seed"), 0, 2**31 - 1, key="text_seed")
    length = cols[1].number_input(t("text.sample_len"), 10, 2000, key="text_len")
    if st.button(t("text.generate"), key="text_generate"):
        text = training.sample_text(lm.model, lm.tokenizer, lm.config, int(length), int(seed))
        st.session_state["text_generated"] = text
    if "text_generated" in st.session_state:
        st.code(st.session_state["text_generated"], language=None, wrap_lines=True)


def checkpoint_bytes(name: str, lm) -> bytes:
    cache = st.session_state.setdefault("text_ckpt_bytes", {})
    if name not in cache:
        cache[name] = dumps(lm)
    return cache[name]
