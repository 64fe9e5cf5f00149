"""Text room, part 1: pick a text, a tokenizer and a model, train it and watch it learn."""

import streamlit as st

from genlab.errors import UserError
from genlab.text import corpora, data, preset_time, training
from genlab.text.checkpoint import load_lm
from genlab.text.models import MODELS, LMConfig
from genlab.text.tokenizers import BPE_MIN_VOCAB, KINDS
from genlab.text.training import GPT_PRESETS, TrainConfig
from ui import cache, live, runs, state
from ui import text_train as views
from ui.i18n import corpus_name, number, plain, t
from ui.text_train import SETTINGS
from ui.widgets import decimal_input, decimal_slider

SLOT = "text"
TASK = "genlab.text.training:run"
CORPUS_CHOICES = (*corpora.BUILTIN, "own")
WORD_CAPS = (500, 1000, 2000, 4000, 8000, 0)
PREVIEW_CHARS = 1500


@cache.resource(max_entries=12)
def prepared(text: str, kind: str, vocab_size: int | None) -> data.Prepared:
    return data.prepare(text, kind, vocab_size)


def own_text() -> tuple[str, str] | None:
    """(corpus name, text) of the participant's upload or pasted text, or None."""
    upload = st.file_uploader(
        t("text.upload_text"),
        type=["txt", "md"],
        key="text_upload",
        max_upload_size=corpora.MAX_UPLOAD_BYTES // 2**20,
    )
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
        col.metric(t(f"text.stat_{name}"), number(stats[name], ","))
    with st.expander(t("text.preview")):
        st.text(chosen[1][:PREVIEW_CHARS])
    return chosen


def vocabulary_setting(kind: str) -> int | None:
    """The vocabulary size asked for: BPE's size, the word cap (None: every word, or characters)."""
    if kind == "bpe":
        return st.slider(t("text.bpe_vocab"), BPE_MIN_VOCAB, 4096, step=4, key="text_bpe_vocab")
    if kind == "word":
        cap = st.select_slider(
            t("text.word_cap"),
            WORD_CAPS,
            format_func=lambda n: number(n, ",") if n else t("text.word_cap_all"),
            key="text_word_cap",
        )
        return cap or None
    return None


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
    vocab_size = vocabulary_setting(kind)
    try:
        with st.spinner(t("text.tokenizing")):
            prep = prepared(text, kind, vocab_size, shared=name in corpora.BUILTIN)
    except UserError as err:
        live.show_error(err)
        return None
    views.token_metrics(prep)
    views.token_tabs(prep)
    return prep, vocab_size


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
    # the chosen preset's warmup, min_lr and weight decay (its other settings are widgets)
    chosen = st.session_state.get("text_preset", training.DEFAULT_PRESET)
    model_cfg, train_cfg = training.preset(kind, vocab, chosen)
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
        views.bigram_heatmap(prep)
    return model_cfg, train_cfg


def gpt_settings(model_cfg: LMConfig, train_cfg: TrainConfig) -> tuple[LMConfig, TrainConfig]:
    st.selectbox(
        t("text.preset"),
        tuple(GPT_PRESETS),
        format_func=lambda p: t(f"text.preset_{p.replace('-', '_')}"),
        key="text_preset",
        on_change=views.apply_preset,
    )
    measured = preset_time.expected_seconds()
    if measured is not None:
        st.caption(views.preset_times(measured))
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
    shape["dropout"] = decimal_slider(
        t("text.dropout"), 0.0, 0.5, 0.05, key=SETTINGS.key("dropout"), where=cols[0]
    )
    train = {
        "batch_size": cols[1].number_input(
            t("text.batch_size"), 1, 512, key=SETTINGS.key("batch_size")
        ),
        "lr": decimal_input(t("text.lr"), 1e-5, 1.0, key=SETTINGS.key("lr"), where=cols[2]),
        "steps": cols[3].number_input(
            t("text.steps"), 1, 20000, step=100, key=SETTINGS.key("steps")
        ),
        "optimizer": st.radio(
            t("text.optimizer"),
            training.OPTIMIZERS,
            format_func=lambda o: t(f"text.optimizer_{o}"),
            horizontal=True,
            key=SETTINGS.key("optimizer"),
            help=t("text.optimizer_help"),
        ),
    }
    return (
        LMConfig(**{**model_cfg.to_dict(), **shape}),
        TrainConfig(**{**train_cfg.to_dict(), **train}),
    )


def bigram_settings(train_cfg: TrainConfig) -> TrainConfig:
    cols = st.columns(3)
    train = {
        "batch_size": cols[0].number_input(t("text.batch_size"), 1, 512, key="text_bigram_batch"),
        "lr": decimal_input(
            t("text.lr"), 1e-4, 1.0, key="text_bigram_lr", spec=".3f", where=cols[1]
        ),
        "steps": cols[2].number_input(t("text.steps"), 1, 20000, step=100, key="text_bigram_steps"),
    }
    return TrainConfig(**{**train_cfg.to_dict(), **train})


def run_title(corpus: str, kind: str, model: str) -> str:
    """A run's name in the participant's words: 'Machado de Assis · words · GPT'."""
    parts = (
        corpus_name(corpus),
        plain(f"text.tokenizer_{kind}"),
        plain(f"text.model_{model}"),
    )
    return " · ".join(parts)


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
        "title": run_title(name, prep_kind, model_cfg.model),
    }
    remember_corpus(name, text)
    live.start(SLOT, TASK, params, run=("text", params["title"]))


def remember_corpus(name: str, text: str | None) -> None:
    """Keep an uploaded text in the session (other rooms show where a model's words come from)."""
    if name not in corpora.BUILTIN and text is not None:
        state.text_corpora()[name] = text


def resume(run) -> None:
    """Continue a saved run that stopped before its end (stopped, or interrupted by a restart)."""
    params = run.params()
    remember_corpus(params["corpus"], params.get("text"))
    live.start(SLOT, TASK, {**params, "resume": str(run.dir)}, run=run)


def use(run) -> None:
    """Load a saved run's model into the session."""
    try:
        views.keep_model(load_lm(run.dir / training.MODEL_FILE))
    except (UserError, OSError):
        st.session_state["text_run_gone"] = True


def reset() -> None:
    for key in ("text_adopted", "text_generated"):
        st.session_state.pop(key, None)


def main() -> None:
    views.restore_widgets()
    st.title(t("text.title"))
    st.caption(t("text.intro"))
    corpus = corpus_section()
    tokens = tokenizer_section(corpus) if corpus else None
    cfgs = model_section(tokens[0]) if tokens else None
    st.subheader(t("text.step_train"))
    if cfgs is not None:
        prep, vocab_size = tokens
        kind = prep.tokenizer.kind
        live.controls(SLOT, on_play=lambda: start(corpus, kind, vocab_size, cfgs), on_reset=reset)
    live.fragment(SLOT, views.draw, run_every=0.25)
    runs.recent("text", SLOT, training.MODEL_FILE, resume=resume, use=use)
    if st.session_state.pop("text_run_gone", False):
        st.warning(t("common.run_gone"))
    views.checkpoint_section()
    views.save_widgets()


main()
