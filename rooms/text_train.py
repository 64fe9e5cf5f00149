"""Text room, part 1: pick a text, a tokenizer and a model, train it and watch it learn."""

import streamlit as st
import torch

from genlab.errors import UserError
from genlab.text import corpora, data, training
from genlab.text import figures_train as figures
from genlab.text.checkpoint import dumps, load_lm
from genlab.text.models import MODELS, LMConfig
from genlab.text.tokenizers import BPE_MIN_VOCAB, KINDS, show
from genlab.text.training import GPT_PRESETS, TrainConfig
from ui import cache, live, runs
from ui.i18n import plain, t
from ui.widgets import Versioned

SLOT = "text"
TASK = "genlab.text.training:run"
CORPUS_CHOICES = (*corpora.BUILTIN, "own")
WORD_CAPS = (500, 1000, 2000, 4000, 8000, 0)
BATCH_SHAPE = (4, 8)
PREVIEW_CHARS = 1500
HEATMAP_TOP = 40
GPT_FIELDS = ("n_layer", "n_head", "n_embd", "block_size", "dropout")
TRAIN_FIELDS = ("batch_size", "lr", "steps")
MODELS_KEY, CORPORA_KEY, SAVED_KEY = "text_models", "text_corpora", "text_saved_widgets"
SETTINGS = Versioned("text", GPT_FIELDS + TRAIN_FIELDS)


@cache.resource(max_entries=12)
def prepared(text: str, kind: str, vocab_size: int | None) -> data.Prepared:
    return data.prepare(text, kind, vocab_size)


def own_text() -> tuple[str, str] | None:
    """(corpus name, text) of the participant's upload or pasted text, or None."""
    upload = st.file_uploader(t("text.upload_text"), type=["txt", "md"], key="text_upload")
    pasted = st.text_area(t("text.paste_text"), key="text_pasted", height=120)
    try:
        if upload is not None:
            text = cache.in_session(
                "upload",
                upload.file_id,
                lambda: corpora.decode_upload(upload.getvalue(), upload.name),
                max_entries=4,
            )
            st.session_state["text_last_good"] = (f"upload:{upload.name}", text)
            return st.session_state["text_last_good"]
        if pasted.strip():
            return "upload:pasted", pasted
    except UserError as err:
        live.show_error(err)
        previous = st.session_state.get("text_last_good")
        if previous:
            st.info(t("text.keeping_previous", name=previous[0].removeprefix("upload:")))
        return previous
    st.info(t("text.own_hint"))
    return None


def corpus_section() -> tuple[str, str] | None:
    st.subheader(t("text.step_corpus"))
    choice = st.radio(
        t("text.corpus"),
        CORPUS_CHOICES,
        format_func=lambda c: t(f"text.corpus_{c}"),
        horizontal=True,
        key="text_corpus",
    )
    if choice != "own":
        st.caption(t(f"text.corpus_about_{choice}"))
    chosen = own_text() if choice == "own" else (choice, corpora.load_corpus(choice))
    if chosen is None:
        return None
    stats = corpora.corpus_stats(chosen[1])
    cols = st.columns(5)
    for col, name in zip(cols, ("bytes", "chars", "words", "distinct_chars", "lines"), strict=True):
        col.metric(t(f"text.stat_{name}"), f"{stats[name]:,}")
    with st.expander(t("text.preview")):
        st.text(chosen[1][:PREVIEW_CHARS])
    return chosen


def tokenizer_section(corpus: tuple[str, str]) -> tuple[data.Prepared, int | None] | None:
    name, text = corpus
    st.subheader(t("text.step_tokens"))
    kind = st.radio(
        t("text.tokenizer"),
        KINDS,
        format_func=lambda k: t(f"text.tokenizer_{k}"),
        horizontal=True,
        key="text_tokenizer",
    )
    vocab_size = None
    if kind == "bpe":
        vocab_size = st.slider(
            t("text.bpe_vocab"), BPE_MIN_VOCAB, 4096, step=4, key="text_bpe_vocab"
        )
    elif kind == "word":
        cap = st.select_slider(
            t("text.word_cap"),
            WORD_CAPS,
            format_func=lambda n: f"{n:,}" if n else t("text.word_cap_all"),
            key="text_word_cap",
        )
        vocab_size = cap or None
    try:
        with st.spinner(t("text.tokenizing")):
            prep = prepared(text, kind, vocab_size, shared=name in corpora.BUILTIN)
    except UserError as err:
        live.show_error(err)
        return None
    cols = st.columns(3)
    cols[0].metric(t("text.vocab_size"), f"{prep.tokenizer.vocab_size:,}")
    cols[1].metric(t("text.token_count"), f"{len(prep.ids):,}")
    cols[2].metric(
        t("text.unknown_share"),
        f"{prep.unknown_share:.2%}"
        if prep.unknown_share >= 1e-4 or not prep.unknown_share
        else "< 0.01%",
        help=t("text.unknown_help"),
    )
    if prep.unknown_examples:
        st.caption(t("text.unknown_examples", examples=", ".join(prep.unknown_examples)))
    vocab_tab, freq_tab, ids_tab, batch_tab = st.tabs(
        [t("text.tab_vocab"), t("text.tab_frequent"), t("text.tab_ids"), t("text.tab_batch")]
    )
    with vocab_tab:
        st.caption(t("text.vocab_caption"))
        with st.container(height=220):
            st.code(repr(prep.tokenizer.tokens[:2000]), language="python", wrap_lines=True)
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
    return prep, vocab_size


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
    left.caption(t("text.inputs", b=b, t=block))
    left.code(f"torch.Size([{b}, {block}])\n{x}", language=None)
    left.dataframe([[show(tok) for tok in row] for row in view["inputs_text"]], width="stretch")
    right.caption(t("text.targets", b=b, t=block))
    right.code(f"torch.Size([{b}, {block}])\n{y}", language=None)
    right.dataframe([[show(tok) for tok in row] for row in view["targets_text"]], width="stretch")
    st.caption(t("text.pairs_caption"))
    lines = [
        plain("text.pair", context=" ".join(show(c) for c in ctx), target=show(target))
        for ctx, target in view["pairs"]
    ]
    st.code("\n".join(lines), language=None)


def preset_settings(name: str) -> dict:
    """The GPT and training settings a preset fills in."""
    shape, train = GPT_PRESETS[name]
    return {k: v for k, v in {**shape, **train}.items() if k in SETTINGS.fields}


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
    """Give widgets their values back after a run that did not draw them (a visit to another page,
    a bad upload): Streamlit drops them. Assigned, not setdefault, which does not mark the value as
    the widget's (streamlit#9082: the widget then showed its default)."""
    ss, saved = st.session_state, st.session_state.get(SAVED_KEY, {})
    for key, value in widget_defaults().items():
        ss[key] = ss.get(key, saved.get(key, value))


def save_widgets() -> None:
    ss = st.session_state
    ss[SAVED_KEY] = {k: ss[k] for k in widget_defaults() if k in ss}


def apply_preset() -> None:
    SETTINGS.set(preset_settings(st.session_state["text_preset"]))


def model_section(prep: data.Prepared) -> tuple[LMConfig, TrainConfig] | None:
    st.subheader(t("text.step_model"))
    kind = st.radio(
        t("text.model"),
        MODELS,
        format_func=lambda m: t(f"text.model_{m}"),
        horizontal=True,
        key="text_model",
    )
    st.caption(t(f"text.model_{kind}_help"))
    vocab = prep.tokenizer.vocab_size
    model_cfg, train_cfg = training.preset(kind, vocab)
    try:
        if kind == "gpt":
            model_cfg, train_cfg = gpt_settings(model_cfg, train_cfg)
        elif kind == "bigram":
            train_cfg = bigram_settings(train_cfg)
        training.check_data(prep.ids, model_cfg.block_size)
        model_cfg = LMConfig.from_dict({**model_cfg.to_dict(), "vocab_size": vocab})
        train_cfg.validate().check_fits(model_cfg)
    except UserError as err:
        live.show_error(err)
        return None
    st.caption(t("text.param_count", n=model_cfg.param_count()))
    if kind == "count-bigram":
        bigram_heatmap(prep)
    return model_cfg, train_cfg


def gpt_settings(model_cfg: LMConfig, train_cfg: TrainConfig) -> tuple[LMConfig, TrainConfig]:
    st.selectbox(
        t("text.preset"),
        tuple(GPT_PRESETS),
        format_func=lambda p: t(f"text.preset_{p.replace('-', '_')}"),
        key="text_preset",
        on_change=apply_preset,
    )
    cols = st.columns(4)
    shape = {
        "n_layer": cols[0].number_input(t("text.n_layer"), 1, 12, key=SETTINGS.key("n_layer")),
        "n_head": cols[1].number_input(t("text.n_head"), 1, 16, key=SETTINGS.key("n_head")),
        "n_embd": cols[2].number_input(
            t("text.n_embd"), 8, 768, step=8, key=SETTINGS.key("n_embd")
        ),
        "block_size": cols[3].number_input(
            t("text.block_size"), 2, 512, key=SETTINGS.key("block_size")
        ),
    }
    cols = st.columns(4)
    shape["dropout"] = cols[0].slider(
        t("text.dropout"), 0.0, 0.5, step=0.05, key=SETTINGS.key("dropout")
    )
    train = train_settings(cols[1:])
    return (
        LMConfig(**{**model_cfg.to_dict(), **shape}),
        TrainConfig(**{**train_cfg.to_dict(), **train}),
    )


def train_settings(cols) -> dict:
    return {
        "batch_size": cols[0].number_input(
            t("text.batch_size"), 1, 512, key=SETTINGS.key("batch_size")
        ),
        "lr": cols[1].number_input(
            t("text.lr"), 1e-5, 1.0, format="%.4f", step=1e-4, key=SETTINGS.key("lr")
        ),
        "steps": cols[2].number_input(
            t("text.steps"), 1, 20000, step=100, key=SETTINGS.key("steps")
        ),
    }


def bigram_settings(train_cfg: TrainConfig) -> TrainConfig:
    cols = st.columns(3)
    train = {
        "batch_size": cols[0].number_input(t("text.batch_size"), 1, 512, key="text_bigram_batch"),
        "lr": cols[1].number_input(t("text.lr"), 1e-4, 1.0, format="%.3f", key="text_bigram_lr"),
        "steps": cols[2].number_input(t("text.steps"), 1, 20000, step=100, key="text_bigram_steps"),
    }
    return TrainConfig(**{**train_cfg.to_dict(), **train})


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


def start(corpus: tuple[str, str], prep_kind: str, vocab_size, cfgs) -> None:
    name, text = corpus
    model_cfg, train_cfg = cfgs
    params = {
        "corpus": name,
        "text": None if name in corpora.BUILTIN else text,
        "tokenizer": prep_kind,
        "vocab_size": vocab_size,
        "model": model_cfg.to_dict(),
        "train": train_cfg.to_dict(),
        "title": f"{t(f'text.corpus_short_{name}') if name in corpora.BUILTIN else name}"
        f" · {prep_kind} · {model_cfg.model}",
    }
    remember_corpus(name, text)
    live.start(SLOT, TASK, params, run=("text", params["title"]))


def remember_corpus(name: str, text: str | None) -> None:
    """Keep an uploaded text in the session (other rooms show where a model's words come from)."""
    if name not in corpora.BUILTIN and text is not None:
        st.session_state.setdefault(CORPORA_KEY, {})[name] = text


def resume(run) -> None:
    """Continue a saved run that stopped before its end (stopped, or interrupted by a restart)."""
    params = run.params()
    remember_corpus(params["corpus"], params.get("text"))
    live.start(SLOT, TASK, {**params, "resume": str(run.dir)}, run=run)


def keep_model(lm) -> None:
    """Add a model to the session's models, for this page and the others, and select it."""
    models = st.session_state.setdefault(MODELS_KEY, {})
    name = f"{lm.meta.get('title') or lm.config.model} #{len(models) + 1}"
    models[name] = lm
    st.session_state["text_selected"] = name


def use(run) -> None:
    """Load a saved run's model into the session."""
    try:
        keep_model(load_lm(run.dir / training.MODEL_FILE))
    except (UserError, OSError):
        st.session_state["text_run_gone"] = True


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


def draw(job) -> None:
    if job is None:
        st.info(t("text.press_play", play=t("common.play")))
        return
    live.show_crash(job)
    if job.result and "user_error" in job.result:
        key, params = job.result["user_error"]
        live.show_error(UserError(key, **params))
    snap = job.snapshot
    if not snap and job.result:
        return
    st.caption(live.status_text(job))
    if not snap:
        st.info(t("text.starting"))
        return
    remaining = snap["remaining_s"]
    st.progress(
        snap["progress"],
        text=t(
            "text.progress",
            elapsed=snap["elapsed_s"],
            remaining="?" if remaining is None else f"{remaining:.0f}",
            step=snap["step"],
            steps=snap["steps"],
        ),
    )
    last = snap["history"][-1] if snap["history"] else {}
    cols = st.columns(4)
    cols[0].metric(t("text.metric_step"), f"{snap['step']:,}")
    cols[1].metric(t("text.metric_train"), f"{last.get('train_loss', float('nan')):.3f}")
    cols[2].metric(t("text.metric_val"), f"{last.get('val_loss', float('nan')):.3f}")
    cols[3].metric(t("text.metric_speed"), f"{snap['tokens_per_s']:,.0f}")
    st.plotly_chart(
        figures.loss_curves(
            snap["history"], snap["refs"], loss_labels(), job.id, snap["batch_losses"]
        ),
        key="text_loss",
        width="stretch",
    )
    samples = snap["samples"]
    if samples:
        step, text = samples[-1]
        st.markdown(t("text.sample_at", step=step))
        st.code(text, language=None, wrap_lines=True)
    with st.expander(t("text.timeline", n=len(samples))):
        for step, text in reversed(samples):
            st.caption(t("text.sample_at", step=step))
            st.text(text)
    if not job.alive:
        adopt(job)


def checkpoint_section() -> None:
    st.subheader(t("text.step_checkpoint"))
    models = st.session_state.setdefault(MODELS_KEY, {})
    upload = st.file_uploader(t("text.upload_model"), type=["safetensors"], key="text_upload_lm")
    if upload is not None and st.session_state.get("text_uploaded") != upload.file_id:
        try:
            lm = load_lm(upload.getvalue())
        except UserError as err:
            live.show_error(err)
        else:
            st.session_state["text_uploaded"] = upload.file_id
            models[upload.name] = lm
            st.session_state["text_selected"] = upload.name
            st.success(t("text.model_loaded", name=upload.name))
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


def reset() -> None:
    for key in ("text_adopted", "text_generated"):
        st.session_state.pop(key, None)


restore_widgets()
st.title(t("text.title"))
st.caption(t("text.intro"))
corpus = corpus_section()
tokens = tokenizer_section(corpus) if corpus else None
cfgs = model_section(tokens[0]) if tokens else None
st.subheader(t("text.step_train"))
if cfgs is not None:
    prep, vocab_size = tokens
    live.controls(
        SLOT, on_play=lambda: start(corpus, prep.tokenizer.kind, vocab_size, cfgs), on_reset=reset
    )
live.fragment(SLOT, draw, run_every=0.25)
runs.recent("text", SLOT, training.MODEL_FILE, resume=resume, use=use)
if st.session_state.pop("text_run_gone", False):
    st.warning(t("common.run_gone"))
checkpoint_section()
save_widgets()
