"""Embedding room: the space a model learned as a map; neighbours, analogies, custom axes, the
training timeline; export and a link to send."""

import streamlit as st

from genlab.embed import figures, space
from genlab.embed.sources import Source
from genlab.errors import UserError
from ui import embed_sources, embed_view, live, progress
from ui.embed_view import Page, index_of, timeline_of, trust_of
from ui.i18n import number, plain, t
from ui.links import share_url


def pick(event) -> None:
    """A click on a point of the map searches that token."""
    points = event["selection"]["points"]
    if points and "customdata" in points[0]:
        st.session_state["embed_word"] = st.session_state["embed_labels"][points[0]["customdata"]]


def chosen_source() -> tuple[str, Source]:
    key, source = embed_sources.choose()
    if source is None:
        st.stop()
    rows, width = source.size
    st.caption(embed_sources.origin(source) + " · " + t("embed.size", rows=rows, dims=width))
    embed_view.use_examples(source)
    st.session_state["embed_labels"] = source.tokens
    return key, source


def map_page(key: str, source: Source) -> Page:
    """The map's settings and the map; the page stops here while it is not ready."""
    method, dims, spherize, colour = embed_view.controls(*source.size)
    try:
        cfg = embed_view.config(method, dims, spherize)
        proj = embed_view.draw_map(source, cfg)
    except UserError as err:
        live.show_error(err)
        st.stop()
    if proj is None:
        st.stop()
    axis_titles, note = embed_view.map_note(cfg, proj)
    map_args = {
        "kinds": source.kinds,
        "kind_names": {k: t(f"embed.kind_{k}") for k in space.KINDS},
        "counts": source.counts,
        "colour": "kind" if colour == "frequency" and source.counts is None else colour,
        "axis_titles": axis_titles,
        "frequency_name": t("embed.frequency"),
        "uirevision": f"{source.fingerprint}-{cfg.slug()}",
    }
    index = index_of(source.fingerprint, source.vectors, shared=key.startswith("shipped:"))
    return Page(key, source, index, cfg, proj, map_args, note)


def neighbours(page: Page) -> tuple[list[int], space.NeighbourReport | None]:
    """The search box, the metric, the neighbours in the full space and how many the map keeps."""
    source = page.source
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
    if not word.strip():
        st.caption(t("embed.search_prompt"))
        return hits, None
    if not hits:
        live.show_error(UserError("embed.err_unknown_word", word=word))
        return hits, None
    chosen = st.selectbox(
        t("embed.matches", n=len(hits)),
        hits,
        format_func=source.labels.__getitem__,
        key=f"embed_hit_{word}",
    )
    report = space.compare_neighbours(page.index, page.proj.coords, chosen, k, metric)
    st.metric(t("embed.shared"), f"{round(report.shared * k)}/{k}", help=t("embed.shared_help"))
    labels = (t(f"embed.score_{metric}"), t("embed.on_map_too"), t("embed.not_on_map"))
    bars = figures.neighbour_bars(source.labels, report.full, set(report.mapped), *labels)
    st.plotly_chart(bars, key="embed_bars", width="stretch")
    progress.report("embed", query=source.tokens[chosen], neighbours=True)
    return [chosen], report


def map_tab(page: Page) -> None:
    left, right = st.columns([2.3, 1])
    with right:
        highlight, report = neighbours(page)
    with left:
        token_map = figures.token_map(
            page.proj.coords,
            page.source.labels,
            highlight=highlight[:20],
            highlight_name=t("embed.found"),
            neighbours=[j for j, _ in report.full] if report else [],
            neighbours_name=t("embed.neighbours_full"),
            **page.map_args,
        )
        st.plotly_chart(
            token_map,
            key="embed_map",
            width="stretch",
            on_select=lambda: pick(st.session_state["embed_map"]),
            selection_mode="points",
        )
        metric, slug = st.session_state["embed_metric"], page.cfg.slug()
        args = (page.source.fingerprint, slug, metric, page.index, page.proj.coords)
        trust = trust_of(*args, shared=page.shared)
        st.caption(f"{t('embed.click_hint')} {page.note} {t('embed.trust', share=trust * 100)}")
        if report:
            mapped = ", ".join(page.source.labels[j] for j in report.mapped)
            st.caption(t("embed.map_neighbours", words=mapped))
    with st.expander(t("embed.stats")):
        c1, c2 = st.columns(2)
        vectors = page.source.vectors
        c1.metric(t("embed.random_cosine"), number(space.mean_random_cosine(vectors), ".3f"))
        sph = space.mean_random_cosine(space.spherize(vectors))
        c2.metric(t("embed.random_cosine_sph"), number(sph, ".3f"))
        st.caption(t("embed.random_cosine_help"))


def analogy_tab(page: Page) -> None:
    st.markdown(t("embed.analogy_intro"))
    names = ("a", "b", "c", "expected")
    cols = st.columns(4, vertical_alignment="bottom")
    words = [
        col.text_input(t(f"embed.analogy_{name}"), key=f"embed_{name}")
        for col, name in zip(cols, names, strict=True)
    ]
    exclude = st.toggle(t("embed.exclude"), key="embed_exclude", help=t("embed.exclude_help"))
    if not all(w.strip() for w in words[:3]):
        st.caption(t("embed.analogy_prompt"))
        return
    try:
        a, b, c = (space.find(page.source.tokens, w) for w in words[:3])
        expected = space.find(page.source.tokens, words[3]) if words[3].strip() else None
    except UserError as err:
        live.show_error(err)
        return
    results = {
        m: space.analogy(page.index, a, b, c, m, exclude, expected) for m in space.ANALOGY_METHODS
    }
    for col, (m, res) in zip(st.columns(2), results.items(), strict=True):
        with col:
            analogy_answers(page, m, res, words[3])
    drawn = st.radio(
        t("embed.draw_method"),
        space.ANALOGY_METHODS,
        format_func=lambda m: t(f"embed.method_{m}"),
        horizontal=True,
        key="embed_analogy",
    )
    progress.report("embed", analogy=True)
    best = results[drawn]
    if best.answers:
        analogy = (a, b, c, best.answers[0][0])
        arrows = t("embed.analogy_arrows")
        args = (page.proj.coords, page.source.labels)
        analogy_map = figures.token_map(
            *args, analogy=analogy, analogy_name=arrows, **page.map_args
        )
        st.plotly_chart(analogy_map, key="embed_analogy_map", width="stretch")
        st.caption(t("embed.analogy_map_note"))


def analogy_answers(page: Page, method: str, res: space.Analogy, expected: str) -> None:
    """One method's answers, the rank of the expected word, and a warning when an input wins."""
    st.subheader(t(f"embed.method_{method}"))
    st.caption(t(f"embed.method_{method}_help"))
    table = {
        t("embed.answer"): [page.source.labels[j] for j, _ in res.answers[:8]],
        t("embed.score"): [round(s, 3) for _, s in res.answers[:8]],
    }
    st.dataframe(table, hide_index=True, width="stretch")
    if res.expected_rank is not None:
        st.metric(t("embed.rank", word=expected), number(res.expected_rank, ","))
    if res.top_is_input:
        st.warning(t("embed.top_is_input"))


def axis_tab(page: Page) -> None:
    st.markdown(t("embed.axis_intro"))
    lists = []
    for row in (("axl", "axr"), ("ayl", "ayr")):
        cols = st.columns(2, vertical_alignment="bottom")
        for col, name in zip(cols, row, strict=True):
            lists.append(col.text_input(t(f"embed.{name}"), key=f"embed_{name}"))
    found = [space.find_known(page.source.tokens, words) for words in lists]
    unknown = [w for _, missing in found for w in missing]
    if unknown:
        st.caption(t("embed.axis_unknown", words=", ".join(unknown)))
    x_axis = (found[0][0], found[1][0])
    y_axis = (found[2][0], found[3][0]) if lists[2].strip() or lists[3].strip() else None
    try:
        coords = space.custom_axes(page.index, x_axis, y_axis)
    except UserError as err:
        live.show_error(err)
        return
    titles = [plain("embed.axis_title", left=lists[0], right=lists[1])]
    right = plain("embed.axis_title", left=lists[2], right=lists[3]) if y_axis else None
    titles.append(right or t("embed.axis_rest"))
    axis_map = figures.token_map(
        coords,
        page.source.labels,
        highlight=sorted({i for ids, _ in found for i in ids}),
        highlight_name=t("embed.axis_words"),
        **{**page.map_args, "axis_titles": titles, "uirevision": f"{page.key}-axis"},
    )
    st.plotly_chart(axis_map, key="embed_axis_map", width="stretch")
    progress.report("embed", axis=True)


def timeline_tab(page: Page) -> None:
    st.markdown(t("embed.timeline_intro"))
    source = page.source
    if len(source.timeline) < 2:
        st.info(t("embed.no_timeline"))
        return
    line = timeline_of(source.fingerprint, page.cfg.dims, source.timeline, shared=page.shared)
    words = [st.session_state[f"embed_{n}"] for n in ("word", "a", "b", "c", "expected")]
    found = (space.search(source.tokens, w) for w in words)
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
    progress.report("embed", timeline=True)


def share(view) -> None:
    """The link to this view: its ``e_`` settings and the language, never the participant's key."""
    st.markdown(t("embed.share"))
    st.code(share_url(view.to_query()), language=None, wrap_lines=True)
    st.caption(t("embed.share_help"))


def main() -> None:
    embed_view.restore()
    st.title(t("embed.title"))
    st.caption(t("embed.intro"))
    key, source = chosen_source()
    page = map_page(key, source)
    cfg = page.cfg
    progress.report("embed", source=key, method=cfg.method, dims=cfg.dims)
    tabs = embed_view.tabs()
    sections = (map_tab, analogy_tab, axis_tab, timeline_tab)
    for tab, section in zip(tabs, sections, strict=False):
        if tab.open:
            with tab:
                section(page)
    view = embed_view.save()
    if tabs[-1].open:
        with tabs[-1]:
            embed_view.downloads(page)
            share(view)


main()
