"""The Embeddings page's sources of vectors: shipped models, the participant's own models from the
text room, Word2Vec trained in a worker, the optional sentence encoder; and how a source is named
and described on the page."""

import streamlit as st

from genlab.embed import sources
from genlab.errors import UserError
from genlab.text.checkpoint import load_shipped, shipped
from genlab.text.corpora import BUILTIN, load_corpus
from ui import live, state
from ui.i18n import corpus_name, t

DEFAULT_SOURCE = "shipped:shakespeare-word-gpt"
W2V_TASK = "genlab.embed.jobs:word2vec_task"
INSTALL_EXTRA = ".venv/bin/pip install -r requirements-embed.txt"


@st.cache_resource(show_spinner=False)
def shipped_source(name: str) -> sources.Source:
    lm = load_shipped(name)
    corpus = lm.meta.get("corpus")
    return sources.from_language_model(name, lm, load_corpus(corpus) if corpus in BUILTIN else None)


def session_sources() -> dict[str, sources.Source]:
    """Models trained or uploaded on the text page, as sources (kept per user)."""
    built = st.session_state.setdefault("embed_sources", {})
    corpora = state.text_corpora()
    for name, lm in state.text_models().items():
        key = f"session:{name}"
        if key not in built or built[key][0] is not lm:
            corpus = lm.meta.get("corpus", "")
            text = load_corpus(corpus) if corpus in BUILTIN else corpora.get(corpus)
            built[key] = (lm, sources.from_language_model(name, lm, text))
    return {key: src for key, (_, src) in built.items()}


def source_label(key: str) -> str:
    kind, _, name = key.partition(":")
    special = {"word2vec": t("embed.source_w2v"), "sentences": t("embed.source_sentences")}
    return special.get(kind, name)


def origin(source: sources.Source) -> str:
    """Where the vectors come from, every part in the participant's language."""
    params = dict(source.origin_params)
    if "corpus" in params:
        params["corpus"] = corpus_name(str(params["corpus"]))
    if source.origin == "embed.origin_model":
        params["model"] = t(f"embed.model_{params['model']}")
        params["tokenizer"] = t(f"embed.tokenizer_{params['tokenizer']}")
    return t(source.origin, **params)


def choose() -> tuple[str, sources.Source | None]:
    """The source selector and the chosen source (None while it is not ready)."""
    ours = session_sources()
    choices = [f"shipped:{name}" for name in shipped()] + list(ours) + ["word2vec", "sentences"]
    if st.session_state["embed_source"] not in choices:
        st.session_state["embed_source"] = (
            DEFAULT_SOURCE if DEFAULT_SOURCE in choices else choices[0]
        )
    key = st.selectbox(t("embed.source"), choices, format_func=source_label, key="embed_source")
    if key.startswith("shipped:"):
        return key, shipped_source(key.removeprefix("shipped:"))
    if key.startswith("session:"):
        return key, ours[key]
    return key, word2vec_source() if key == "word2vec" else sentence_source()


def word2vec_source() -> sources.Source | None:
    """Word2Vec settings, a play button that trains in a worker, its progress; the latest result."""
    corpora = list(BUILTIN) + list(state.text_corpora())
    cols = st.columns(5)
    cfg = sources.Word2VecConfig(
        corpus=cols[0].selectbox(
            t("embed.w2v_corpus"), corpora, format_func=corpus_name, key="embed_w2v_corpus"
        ),
        dims=cols[1].select_slider(t("embed.w2v_dims"), [16, 32, 64, 128, 256], 64),
        window=cols[2].slider(t("embed.w2v_window"), 1, 10, 5),
        epochs=cols[3].slider(t("embed.w2v_epochs"), 1, 30, 10),
        sg=cols[4].toggle(t("embed.w2v_sg"), help=t("embed.w2v_sg_help")),
    )

    def train() -> None:
        text = None if cfg.corpus in BUILTIN else state.text_corpora()[cfg.corpus]
        live.start("embed", W2V_TASK, {"config": cfg.to_dict(), "text": text})

    live.controls("embed", on_play=train)
    live.fragment("embed", _w2v_progress)
    return _w2v_result()


def _w2v_progress(job) -> None:
    if job is not None and job.alive:
        done = (job.snapshot or {}).get("epoch", 0)
        total = job.params["config"]["epochs"]
        st.progress(done / total, text=t("embed.w2v_training", done=done, total=total))
    if job is not None:
        live.show_crash(job)


def _w2v_result() -> sources.Source | None:
    trained = st.session_state.setdefault("embed_w2v", {})
    job = live.current("embed")
    if job is not None and job.result is not None and job.id not in trained:
        if "error" in job.result:
            live.show_error(UserError(job.result["error"], **job.result["params"]))
        else:
            trained[job.id] = job.result["source"]
    if not trained:
        st.info(t("embed.w2v_press_play"))
        return None
    return list(trained.values())[-1]


def sentence_source() -> sources.Source | None:
    if not sources.sentence_encoder_available():
        st.info(t("embed.extra_missing"))
        st.code(INSTALL_EXTRA, language="bash")
        return None
    typed = st.text_area(t("embed.sentences_input"), t("embed.sentences_example"), height=180)
    try:
        with st.spinner(t("embed.encoding")):
            return sources.sentence_encoder(typed)
    except UserError as err:
        live.show_error(err)
        return None
