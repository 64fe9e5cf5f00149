"""The Embeddings page's view: its settings (from a shared link, kept across rooms, examples that
fit the source), the map's settings and the map itself, and the caches behind them."""

from collections import OrderedDict
from dataclasses import asdict, dataclass, fields

import streamlit as st

from genlab.embed import export, projection, settings, space, timeline
from genlab.embed.projection import Projection, ProjectionConfig
from genlab.embed.sources import Source
from genlab.errors import UserError
from ui import cache, live, state
from ui.i18n import t
from ui.widgets import decimal_slider

MAP_TASK = "genlab.embed.jobs:projection_task"
# the view's widgets and their defaults, kept across rooms by ui.state
VIEW_WIDGETS = {f"embed_{name}": value for name, value in asdict(settings.View()).items()}


@dataclass
class Page:
    """What every section of the page draws from: the source, its index and its map."""

    key: str
    source: Source
    index: space.Index
    cfg: ProjectionConfig
    proj: Projection
    map_args: dict
    note: str

    @property
    def shared(self) -> bool:  # a participant's own vectors are cached in their session only
        return self.key.startswith("shipped:")


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


def restore() -> None:
    """The view from a shared link (first visit), else the one saved when the page last ran:
    Streamlit drops a widget's value when another page runs."""
    if "embed_view_loaded" not in st.session_state:
        view, ignored = settings.View.from_query(st.query_params)
        for name, value in asdict(view).items():
            st.session_state[f"embed_{name}"] = value
        st.session_state["embed_view_loaded"] = True
        if ignored:
            st.toast(t("embed.link_ignored", names=", ".join(ignored)))
    state.restore_widgets("embed", VIEW_WIDGETS)


def save() -> settings.View:
    """Keep the view for the next visit and in the page's address (``e_`` parameters)."""
    view = settings.View(
        **{f.name: st.session_state[f"embed_{f.name}"] for f in fields(settings.View)}
    )
    state.save_widgets("embed", VIEW_WIDGETS)
    for name in [q for q in st.query_params if q.startswith(settings.PREFIX)]:
        del st.query_params[name]
    st.query_params.update(view.to_query())
    return view


def tabs() -> list:
    """The page's tabs; only the open one is drawn. The open part (not "export") is kept in the
    view, so that a link opens on it: ``e_tab=analogy``."""
    labels = [t(f"embed.tab_{name}") for name in settings.TABS]
    first = labels[settings.TABS.index(st.session_state["embed_tab"])]
    return st.tabs(labels, default=first, key="embed_tabs", on_change=_opened, args=(labels,))


def _opened(labels: list[str]) -> None:
    name = settings.TABS[labels.index(st.session_state["embed_tabs"])]
    if name in settings.CHOICES["tab"]:
        st.session_state["embed_tab"] = name


def use_examples(source: Source) -> None:
    """Example words that this source knows, put in when the source needs other ones than those
    shown (a character model gets letters); a shared link's words win on the first visit."""
    wanted = settings.examples(source.origin_params.get("corpus"), source.tokens)
    marker = "\x00".join(wanted.values())
    if st.session_state.get("embed_examples") == marker:
        return
    first = "embed_examples" not in st.session_state
    for name, word in wanted.items():
        if not (first and st.session_state[f"embed_{name}"]):
            st.session_state[f"embed_{name}"] = word
    st.session_state["embed_examples"] = marker


def maps() -> OrderedDict | None:
    """Where computed maps are kept: one cache for the shipped models, the session's own for a
    participant's vectors."""
    if st.session_state["embed_source"].startswith("shipped:"):
        return None
    return st.session_state.setdefault("embed_maps", OrderedDict())


def controls(rows: int, width: int) -> tuple[str, int, bool, str]:
    """How to draw the map: method, 2-D or 3-D, spherize, colours, and the method's settings."""
    methods = projection.available()
    if st.session_state["embed_method"] not in methods:
        st.session_state["embed_method"] = "pca"
    cols = st.columns([2.2, 1, 1, 1.3], vertical_alignment="bottom")
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
    spherize = cols[2].toggle(
        t("embed.spherize"), key="embed_spherize", help=t("embed.spherize_help")
    )
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
            _components(dims, min(rows, width))
        else:
            _method_settings(method)
    return method, dims, spherize, colour


def _components(dims: int, top: int) -> None:
    for axis, col in zip("xyz"[:dims], st.columns(3), strict=False):
        key = f"embed_pc{axis}"
        st.session_state[key] = min(max(1, st.session_state[key]), top)
        col.number_input(t("embed.component", axis=axis), 1, top, key=key)


def _method_settings(method: str) -> None:
    params = st.columns([1.2, 1.2, 1.2, 0.8] if method == "umap" else [3, 1])
    if method == "tsne":
        params[0].slider(
            t("embed.perplexity"), 2, 100, key="embed_perplexity", help=t("embed.perplexity_help")
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
        decimal_slider(
            t("embed.min_dist"),
            0.0,
            1.0,
            0.05,
            key="embed_min_dist",
            help=t("embed.min_dist_help"),
            where=params[1],
        )
        params[2].selectbox(
            t("embed.map_metric"),
            projection.UMAP_METRICS,
            format_func=lambda m: t(f"embed.metric_{m}"),
            key="embed_map_metric",
            help=t("embed.map_metric_help"),
        )
    params[-1].number_input(t("embed.seed"), 0, 9999, key="embed_seed", help=t("embed.seed_help"))


def config(method: str, dims: int, spherize: bool) -> ProjectionConfig:
    state = st.session_state
    return ProjectionConfig(
        method=method,
        dims=dims,
        components=tuple(state[f"embed_pc{a}"] for a in "xyz"),
        perplexity=float(state["embed_perplexity"]),
        neighbours=state["embed_neighbours"],
        min_dist=float(state["embed_min_dist"]),
        metric=state["embed_map_metric"],
        spherize=spherize,
        seed=state["embed_seed"],
    ).validate()


def draw_map(source: Source, cfg: ProjectionConfig) -> projection.Projection | None:
    """The map: from a cache or a precomputed file, computed here with a progress bar, or (UMAP,
    slow to start) in a worker; None while it is not ready."""
    rows = len(source.tokens)
    method_name = t(f"embed.method_{cfg.method}")
    bar = st.progress(0.0, text=t("embed.projecting", method=method_name, n=rows))
    try:
        if cfg.method == "umap" and not projection.ready(source.fingerprint, cfg, cache=maps()):
            return _map_in_worker(source, cfg)
        return projection.cached_project(
            source.vectors,
            source.fingerprint,
            cfg,
            progress=lambda f: bar.progress(
                f, text=t("embed.projecting", method=method_name, n=rows)
            ),
            cache=maps(),
        )
    finally:
        bar.empty()


def _map_in_worker(source: Source, cfg: ProjectionConfig) -> projection.Projection | None:
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
    live.fragment("embed_map", _map_progress, run_every=0.5)
    return None


def _map_progress(job) -> None:
    if job is not None and job.alive:
        share = (job.snapshot or {}).get("fraction", 0.0)
        st.progress(share, text=t("embed.umap_waiting", share=share, seconds=job.elapsed))
    if job is not None:
        live.show_crash(job)


def map_note(cfg: ProjectionConfig, proj: projection.Projection) -> tuple[list[str], str]:
    """The axes' titles and a sentence about how the map was made."""
    if proj.variance is not None:
        shown = zip(cfg.components, proj.variance, strict=False)
        titles = [t("embed.pc_axis", pc=c, share=v * 100) for c, v in shown]
        return titles, t("embed.pca_note", share=sum(proj.variance) * 100)
    note = t("embed.precomputed") if proj.precomputed else t("embed.computed", seconds=proj.seconds)
    if proj.used.get("perplexity", cfg.perplexity) != cfg.perplexity:
        note += " " + t("embed.perplexity_lowered", value=proj.used["perplexity"])
    return ["", "", ""], note


def downloads(page: Page) -> None:
    """The map's coordinates (CSV, TSV) and the Embedding Projector's two files."""
    source = page.source
    stem = f"{source.name}-{page.cfg.slug()}".replace(" ", "_").replace("·", "")
    for col, fmt in zip(st.columns(2), ("csv", "tsv"), strict=True):
        col.download_button(
            t("embed.download", fmt=fmt.upper()),
            export.coords_table(source, page.proj.coords, fmt),
            file_name=f"{stem}.{fmt}",
            mime=f"text/{'csv' if fmt == 'csv' else 'tab-separated-values'}",
            width="stretch",
        )
    vectors_tsv, metadata_tsv = projector_files(source.fingerprint, source, shared=page.shared)
    cols = st.columns(2)
    cols[0].download_button(
        t("embed.download_vectors"), vectors_tsv, file_name="vectors.tsv", width="stretch"
    )
    cols[1].download_button(
        t("embed.download_metadata"), metadata_tsv, file_name="metadata.tsv", width="stretch"
    )
    st.caption(t("embed.projector_help"))
