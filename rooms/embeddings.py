"""Embedding room: the space a model learned as a map; neighbours, analogies, a custom axis, the
training timeline; export and a shareable link."""

from collections import OrderedDict
from dataclasses import asdict, fields
from urllib.parse import urlencode

import streamlit as st

from genlab.embed import export, figures, projection, settings, sources, space, timeline
from genlab.embed.projection import ProjectionConfig
from genlab.errors import UserError
from genlab.text.checkpoint import load_shipped, shipped
from genlab.text.corpora import BUILTIN, load_corpus
from ui import cache, live, state
from ui.i18n import plain, t

DEFAULT_SOURCE = "shipped:shakespeare-word-gpt"
W2V_TASK = "genlab.embed.jobs:word2vec_task"
MAP_TASK = "genlab.embed.jobs:projection_task"


@st.cache_resource(show_spinner=False)
def shipped_source(name: str) -> sources.Source:
    lm = load_shipped(name)
    corpus = lm.meta.get("corpus")
    return sources.from_language_model(name, lm, load_corpus(corpus) if corpus in BUILTIN else None)


@cache.resource(max_entries=8)
def index_of(fingerprint: str, _vectors) -> space.Index:
    return space.Index(_vectors)


@cache.resource(max_entries=8)
def timeline_of(fingerprint: str, dims: int, _snapshots) -> timeline.Timeline:
    return timeline.build(_snapshots, dims)


@cache.resource(max_entries=32)
def trust_of(fingerprint: str, slug: str, metric: str, _index, _coords) -> float:
    return space.map_trust(_index, _coords, 10, sample=100, metric=metric)


@cache.resource(max_entries=4)
def projector_files(fingerprint: str, _source) -> tuple[str, str]:
    return export.projector_tsv(_source)


def maps() -> OrderedDict | None:
    """Where computed maps are kept: one cache for the shipped models, the session's own for a
    participant's vectors."""
    if st.session_state["embed_source"].startswith("shipped:"):
        return None
    return st.session_state.setdefault("embed_maps", OrderedDict())


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


def pick(event) -> None:
    """A click on a point of the map searches that token."""
    points = event["selection"]["points"]
    if points and "customdata" in points[0]:
        st.session_state["embed_word"] = st.session_state["embed_labels"][points[0]["customdata"]]


def source_label(key: str) -> str:
    kind, _, name = key.partition(":")
    special = {"word2vec": t("embed.source_w2v"), "sentences": t("embed.source_sentences")}
    return special.get(kind, name)


def word2vec_source() -> sources.Source | None:
    """Word2Vec settings, a play button that trains in a worker, its progress; the latest result."""
    corpora = list(BUILTIN) + list(state.text_corpora())
    cols = st.columns(5)
    cfg = sources.Word2VecConfig(
        corpus=cols[0].selectbox(t("embed.w2v_corpus"), corpora, key="embed_w2v_corpus"),
        dims=cols[1].select_slider(t("embed.w2v_dims"), [16, 32, 64, 128, 256], 64),
        window=cols[2].slider(t("embed.w2v_window"), 1, 10, 5),
        epochs=cols[3].slider(t("embed.w2v_epochs"), 1, 30, 10),
        sg=cols[4].toggle(t("embed.w2v_sg"), help=t("embed.w2v_sg_help")),
    )
    trained = st.session_state.setdefault("embed_w2v", {})

    def train() -> None:
        text = None if cfg.corpus in BUILTIN else state.text_corpora()[cfg.corpus]
        live.start("embed", W2V_TASK, {"config": cfg.to_dict(), "text": text})

    live.controls("embed", on_play=train)

    def draw(job) -> None:
        if job is not None and job.alive:
            done = (job.snapshot or {}).get("epoch", 0)
            total = job.params["config"]["epochs"]
            st.progress(done / total, text=t("embed.w2v_training", done=done, total=total))
        if job is not None:
            live.show_crash(job)

    live.fragment("embed", draw)
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
        st.code("pip install -r requirements-embed.txt", language="bash")
        return None
    typed = st.text_area(t("embed.sentences_input"), t("embed.sentences_example"), height=180)
    try:
        with st.spinner(t("embed.encoding")):
            return sources.sentence_encoder(typed)
    except UserError as err:
        live.show_error(err)
        return None


def map_in_worker(source: sources.Source, cfg: ProjectionConfig) -> projection.Projection | None:
    """A map that is slow to start (UMAP compiles first) drawn by a worker: a notice and its
    progress until it is ready, then the map (also kept for the next time)."""
    job = live.current("embed_map")
    wanted = {"fingerprint": source.fingerprint, "config": cfg.to_dict()}
    if job is None or {k: job.params.get(k) for k in wanted} != wanted:
        job = live.start("embed_map", MAP_TASK, {**wanted, "vectors": source.vectors}, 0.5)
        if job is None:
            return None
    if job.result is not None:
        if "error" in job.result:
            live.show_error(UserError(job.result["error"], **job.result["params"]))
            return None
        return projection.remember(source.fingerprint, job.result["projection"], maps())
    st.info(t("embed.umap_first", seconds=projection.UMAP_FIRST_SECONDS), icon=":material/timer:")

    def draw(job) -> None:
        if job is not None and job.alive:
            share = (job.snapshot or {}).get("fraction", 0.0)
            st.progress(share, text=t("embed.umap_waiting", share=share, seconds=job.elapsed))
        if job is not None:
            live.show_crash(job)

    live.fragment("embed_map", draw, run_every=0.5)
    return None


# ---------------------------------------------------------------- settings from a shared link
if "embed_view_loaded" not in st.session_state:
    view, ignored = settings.View.from_query(st.query_params)
    for name, value in asdict(view).items():
        st.session_state[f"embed_{name}"] = value
    st.session_state["embed_view_loaded"] = True
    if ignored:
        st.toast(t("embed.link_ignored", names=", ".join(ignored)))
# Streamlit drops a widget's value when another page runs (and keeps a hidden widget's only if
# it is set again): the view saved at the end of the last run gives them back.
VIEW_WIDGETS = {f"embed_{name}": value for name, value in asdict(settings.View()).items()}
state.restore_widgets("embed", VIEW_WIDGETS)

st.title(t("embed.title"))
st.caption(t("embed.intro"))

# ---------------------------------------------------------------- source
ours = session_sources()
choices = [f"shipped:{name}" for name in shipped()] + list(ours) + ["word2vec", "sentences"]
if st.session_state["embed_source"] not in choices:
    st.session_state["embed_source"] = DEFAULT_SOURCE if DEFAULT_SOURCE in choices else choices[0]
key = st.selectbox(t("embed.source"), choices, format_func=source_label, key="embed_source")
if key.startswith("shipped:"):
    source = shipped_source(key.removeprefix("shipped:"))
elif key.startswith("session:"):
    source = ours[key]
elif key == "word2vec":
    source = word2vec_source()
else:
    source = sentence_source()
if source is None:
    st.stop()

rows, width = source.size
st.caption(
    t(source.origin, **source.origin_params) + " · " + t("embed.size", rows=rows, dims=width)
)
corpus = source.origin_params.get("corpus")
example = settings.EXAMPLES.get(corpus, settings.EXAMPLES["shakespeare"])
if st.session_state.get("embed_examples", "-") != corpus:  # new corpus: its own example words
    first = "embed_examples" not in st.session_state
    for name, word in example.items():
        if not (first and st.session_state[f"embed_{name}"]):  # a shared link's words win
            st.session_state[f"embed_{name}"] = word
    st.session_state["embed_examples"] = corpus
SHARED = key.startswith("shipped:")  # a participant's own vectors are cached in their session
index = index_of(source.fingerprint, source.vectors, shared=SHARED)
st.session_state["embed_labels"] = source.tokens

# ---------------------------------------------------------------- how to draw the map
methods = projection.available()
if st.session_state["embed_method"] not in methods:
    st.session_state["embed_method"] = "pca"
cols = st.columns([2.2, 1, 1, 1.3])
method = cols[0].radio(
    t("embed.method"),
    methods,
    format_func=lambda m: t(f"embed.method_{m}"),
    horizontal=True,
    key="embed_method",
    help=t("embed.method_help"),
)
dims = cols[1].radio(
    t("embed.dims"), (2, 3), format_func=lambda d: f"{d}-D", horizontal=True, key="embed_dims"
)
spherize = cols[2].toggle(t("embed.spherize"), key="embed_spherize", help=t("embed.spherize_help"))
colour = cols[3].selectbox(
    t("embed.colour"),
    settings.COLOURS,
    format_func=lambda c: t(f"embed.colour_{c}"),
    key="embed_colour",
)
cols = st.columns([2.2, 3.3])
if "umap" not in methods:
    cols[0].caption(t("embed.umap_note"))
with cols[1]:
    if method == "pca":
        for axis, col in zip("xyz"[:dims], st.columns(3), strict=False):
            top = min(rows, width)
            st.session_state[f"embed_pc{axis}"] = min(
                max(1, st.session_state[f"embed_pc{axis}"]), top
            )
            col.number_input(t("embed.component", axis=axis), 1, top, key=f"embed_pc{axis}")
    else:
        params = st.columns([1.2, 1.2, 1.2, 0.8] if method == "umap" else [3, 1])
        if method == "tsne":
            params[0].slider(
                t("embed.perplexity"),
                2,
                100,
                key="embed_perplexity",
                help=t("embed.perplexity_help"),
            )
        else:
            params[0].slider(
                t("embed.neighbours_param"),
                2,
                50,
                key="embed_neighbours",
                help=t("embed.neighbours_help"),
            )
        if method == "umap":
            params[1].slider(
                t("embed.min_dist"),
                0.0,
                1.0,
                step=0.05,
                key="embed_min_dist",
                help=t("embed.min_dist_help"),
            )
            params[2].selectbox(
                t("embed.map_metric"),
                projection.UMAP_METRICS,
                format_func=lambda m: t(f"embed.metric_{m}"),
                key="embed_map_metric",
                help=t("embed.map_metric_help"),
            )
        params[-1].number_input(
            t("embed.seed"), 0, 9999, key="embed_seed", help=t("embed.seed_help")
        )

method_name = t(f"embed.method_{method}")
bar = st.progress(0.0, text=t("embed.projecting", method=method_name, n=rows))
try:
    cfg = ProjectionConfig(
        method=method,
        dims=dims,
        components=tuple(st.session_state[f"embed_pc{a}"] for a in "xyz"),
        perplexity=float(st.session_state["embed_perplexity"]),
        neighbours=st.session_state["embed_neighbours"],
        min_dist=float(st.session_state["embed_min_dist"]),
        metric=st.session_state["embed_map_metric"],
        spherize=spherize,
        seed=st.session_state["embed_seed"],
    ).validate()
    if method == "umap" and not projection.ready(source.fingerprint, cfg, cache=maps()):
        proj = map_in_worker(source, cfg)
    else:
        proj = projection.cached_project(
            source.vectors,
            source.fingerprint,
            cfg,
            progress=lambda f: bar.progress(
                f, text=t("embed.projecting", method=method_name, n=rows)
            ),
            cache=maps(),
        )
except UserError as err:
    live.show_error(err)
    st.stop()
finally:
    bar.empty()
if proj is None:
    st.stop()

if proj.variance is not None:
    shown = zip(cfg.components, proj.variance, strict=False)
    axis_titles = [t("embed.pc_axis", pc=c, share=v * 100) for c, v in shown]
    note = t("embed.pca_note", share=sum(proj.variance) * 100)
else:
    axis_titles = ["", "", ""]
    note = t("embed.precomputed") if proj.precomputed else t("embed.computed", seconds=proj.seconds)
    if proj.used.get("perplexity", cfg.perplexity) != cfg.perplexity:
        note += " " + t("embed.perplexity_lowered", value=proj.used["perplexity"])
map_args = {
    "kinds": source.kinds,
    "kind_names": {k: t(f"embed.kind_{k}") for k in space.KINDS},
    "counts": source.counts,
    "colour": "kind" if colour == "frequency" and source.counts is None else colour,
    "axis_titles": axis_titles,
    "frequency_name": t("embed.frequency"),
    "uirevision": f"{source.fingerprint}-{cfg.slug()}",
}

tab_map, tab_analogy, tab_axis, tab_time, tab_export = st.tabs(
    [t(f"embed.tab_{name}") for name in ("map", "analogy", "axis", "timeline", "export")]
)

# ---------------------------------------------------------------- map and neighbours
with tab_map:
    left, right = st.columns([2.3, 1])
    with right:
        word = st.text_input(t("embed.search"), key="embed_word", help=t("embed.search_help"))
        metric = st.radio(
            t("embed.metric"),
            space.METRICS,
            format_func=lambda m: t(f"embed.metric_{m}"),
            horizontal=True,
            key="embed_metric",
        )
        k = st.slider(t("embed.k"), 3, 30, key="embed_k")
        hits = space.search(source.tokens, word)
        report = None
        if not word.strip():
            st.caption(t("embed.search_prompt"))
        elif not hits:
            live.show_error(UserError("embed.err_unknown_word", word=word))
        else:
            chosen = st.selectbox(
                t("embed.matches", n=len(hits)),
                hits,
                format_func=source.labels.__getitem__,
                key=f"embed_hit_{word}",
            )
            report = space.compare_neighbours(index, proj.coords, chosen, k, metric)
            st.metric(
                t("embed.shared"), f"{round(report.shared * k)}/{k}", help=t("embed.shared_help")
            )
            bars = figures.neighbour_bars(
                source.labels,
                report.full,
                set(report.mapped),
                t(f"embed.score_{metric}"),
                t("embed.on_map_too"),
                t("embed.not_on_map"),
            )
            st.plotly_chart(bars, key="embed_bars", width="stretch")
    with left:
        token_map = figures.token_map(
            proj.coords,
            source.labels,
            highlight=[chosen] if report else hits[:20],
            highlight_name=t("embed.found"),
            neighbours=[j for j, _ in report.full] if report else [],
            neighbours_name=t("embed.neighbours_full"),
            **map_args,
        )
        st.plotly_chart(
            token_map,
            key="embed_map",
            width="stretch",
            on_select=lambda: pick(st.session_state["embed_map"]),
            selection_mode="points",
        )
        trust = trust_of(source.fingerprint, cfg.slug(), metric, index, proj.coords, shared=SHARED)
        st.caption(t("embed.click_hint") + " " + note + " " + t("embed.trust", share=trust * 100))
        if report:
            mapped = ", ".join(source.labels[j] for j in report.mapped)
            st.caption(t("embed.map_neighbours", words=mapped))
    with st.expander(t("embed.stats")):
        c1, c2 = st.columns(2)
        c1.metric(t("embed.random_cosine"), f"{space.mean_random_cosine(source.vectors):.3f}")
        sph = space.mean_random_cosine(space.spherize(source.vectors))
        c2.metric(t("embed.random_cosine_sph"), f"{sph:.3f}")
        st.caption(t("embed.random_cosine_help"))


# ---------------------------------------------------------------- analogies
def show_analogy(words: list[str], exclude: bool) -> None:
    """Both methods' answers side by side, the rank of the expected word, the arrows on the map."""
    if not all(w.strip() for w in words[:3]):
        st.caption(t("embed.analogy_prompt"))
        return
    try:
        a, b, c = (space.find(source.tokens, w) for w in words[:3])
        expected = space.find(source.tokens, words[3]) if words[3].strip() else None
    except UserError as err:
        live.show_error(err)
        return
    results = {
        m: space.analogy(index, a, b, c, m, exclude, expected) for m in space.ANALOGY_METHODS
    }
    for col, (m, res) in zip(st.columns(2), results.items(), strict=True):
        with col:
            st.subheader(t(f"embed.method_{m}"))
            st.caption(t(f"embed.method_{m}_help"))
            table = {
                t("embed.answer"): [source.labels[j] for j, _ in res.answers[:8]],
                t("embed.score"): [round(s, 3) for _, s in res.answers[:8]],
            }
            st.dataframe(table, hide_index=True, width="stretch")
            if res.expected_rank is not None:
                st.metric(t("embed.rank", word=words[3]), res.expected_rank)
            if res.top_is_input:
                st.warning(t("embed.top_is_input"))
    drawn = st.radio(
        t("embed.draw_method"),
        space.ANALOGY_METHODS,
        format_func=lambda m: t(f"embed.method_{m}"),
        horizontal=True,
        key="embed_analogy",
    )
    best = results[drawn]
    if best.answers:
        analogy_map = figures.token_map(
            proj.coords,
            source.labels,
            analogy=(a, b, c, best.answers[0][0]),
            analogy_name=t("embed.analogy_arrows"),
            **map_args,
        )
        st.plotly_chart(analogy_map, key="embed_analogy_map", width="stretch")
        st.caption(t("embed.analogy_map_note"))


with tab_analogy:
    st.markdown(t("embed.analogy_intro"))
    names = ("a", "b", "c", "expected")
    words = [
        col.text_input(t(f"embed.analogy_{name}"), key=f"embed_{name}")
        for col, name in zip(st.columns(4), names, strict=True)
    ]
    exclude = st.toggle(t("embed.exclude"), key="embed_exclude", help=t("embed.exclude_help"))
    show_analogy(words, exclude)

# ---------------------------------------------------------------- custom axes
with tab_axis:
    st.markdown(t("embed.axis_intro"))
    names = ("axl", "axr", "ayl", "ayr")
    lists = [
        col.text_input(t(f"embed.{name}"), key=f"embed_{name}")
        for col, name in zip(st.columns(4), names, strict=True)
    ]
    found = [space.find_known(source.tokens, words) for words in lists]
    unknown = [w for _, missing in found for w in missing]
    if unknown:
        st.caption(t("embed.axis_unknown", words=", ".join(unknown)))
    x_axis = (found[0][0], found[1][0])
    y_axis = (found[2][0], found[3][0]) if lists[2].strip() or lists[3].strip() else None
    try:
        coords = space.custom_axes(index, x_axis, y_axis)
    except UserError as err:
        live.show_error(err)
    else:
        titles = [plain("embed.axis_title", left=lists[0], right=lists[1])]
        titles.append(
            plain("embed.axis_title", left=lists[2], right=lists[3])
            if y_axis
            else t("embed.axis_rest")
        )
        axis_map = figures.token_map(
            coords,
            source.labels,
            highlight=sorted({i for ids, _ in found for i in ids}),
            highlight_name=t("embed.axis_words"),
            **{**map_args, "axis_titles": titles, "uirevision": f"{source.fingerprint}-axis"},
        )
        st.plotly_chart(axis_map, key="embed_axis_map", width="stretch")

# ---------------------------------------------------------------- training timeline
with tab_time:
    st.markdown(t("embed.timeline_intro"))
    if len(source.timeline) < 2:
        st.info(t("embed.no_timeline"))
    else:
        line = timeline_of(source.fingerprint, dims, source.timeline, shared=SHARED)
        found = (space.search(source.tokens, w) for w in (word, *words))
        follow = sorted({hits[0] for hits in found if hits})
        animation = figures.timeline_animation(
            line.steps,
            line.frames,
            source.labels,
            follow,
            step_label=t("embed.step"),
            play_label=t("embed.play"),
            pause_label=t("embed.pause"),
        )
        st.plotly_chart(animation, key="embed_timeline", width="stretch")
        st.caption(
            t("embed.timeline_note", n=len(line.steps), first=line.steps[0], last=line.steps[-1])
        )

# ---------------------------------------------------------------- export and share
with tab_export:
    stem = f"{source.name}-{cfg.slug()}".replace(" ", "_").replace("·", "")
    cols = st.columns(2)
    for col, fmt in zip(cols, ("csv", "tsv"), strict=True):
        col.download_button(
            t("embed.download", fmt=fmt.upper()),
            export.coords_table(source, proj.coords, fmt),
            file_name=f"{stem}.{fmt}",
            mime=f"text/{'csv' if fmt == 'csv' else 'tab-separated-values'}",
            width="stretch",
        )
    vectors_tsv, metadata_tsv = projector_files(source.fingerprint, source, shared=SHARED)
    cols = st.columns(2)
    cols[0].download_button(
        t("embed.download_vectors"), vectors_tsv, file_name="vectors.tsv", width="stretch"
    )
    cols[1].download_button(
        t("embed.download_metadata"), metadata_tsv, file_name="metadata.tsv", width="stretch"
    )
    st.caption(t("embed.projector_help"))

# ---------------------------------------------------------------- the link keeps the view
view = settings.View(**{f.name: st.session_state[f"embed_{f.name}"] for f in fields(settings.View)})
state.save_widgets("embed", VIEW_WIDGETS)
for name in [q for q in st.query_params if q.startswith(settings.PREFIX)]:
    del st.query_params[name]
st.query_params.update(view.to_query())
with tab_export:
    st.markdown(t("embed.share"))
    link = (st.context.url or "").split("?")[0] + "?" + urlencode(st.query_params.to_dict())
    st.code(link, language=None, wrap_lines=True)
    st.caption(t("embed.share_help"))
