"""The Next-word room's tabs: draw 1000 times, compare temperatures, inside the GPT (logit lens),
attention, compare models, copied text. Each takes the room's ``View`` of the current state."""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import streamlit as st
import torch

from genlab.text import figures_next as figures
from genlab.text import lens, probe, sampling
from genlab.text.checkpoint import LanguageModel
from genlab.text.sampling import Pipeline, SamplingConfig
from ui import charts
from ui.i18n import plain, t
from ui.progress import report

DRAWS = 1000
TEMPERATURES = (0.2, 1.0, 2.0)
COMPARE_TOKENS = 20
FLOW_TOKENS = 4  # prompt tokens written in the flow's first box


@dataclass
class View:
    """What every tab reads: the model, the context, the settings and their pipeline."""

    key: str
    lm: LanguageModel
    names: list[str]  # readable tokens
    context: list[int]
    config: SamplingConfig
    pipe: Pipeline
    top_n: int | None
    steps: list[dict]
    models: dict = field(default_factory=dict)
    index: object = None
    span: tuple[int, int] | None = None
    label: Callable[[str], str] = str
    cached: Callable = None  # cached(what, key, lm, context, compute)


def others(view: View) -> str:
    return t("next.others", count=max(view.lm.tokenizer.vocab_size - (view.top_n or 0), 0))


def draw_samples(view: View) -> None:
    st.caption(t("next.samples_intro", n=DRAWS))
    if st.button(t("next.samples_again"), key="next_samples_again"):
        st.session_state["next_seed"] = st.session_state.get("next_seed", 0) + 1
    seed = st.session_state.get("next_seed", 0)
    draws = sampling.sample(view.pipe.final, DRAWS, torch.Generator().manual_seed(seed))
    seen = st.session_state.setdefault("next_sampled_for", set())
    done = (view.key, tuple(view.context), view.config, seed)
    if done not in seen:
        seen.add(done)
        st.session_state["next_sampled"] = st.session_state.get("next_sampled", 0) + DRAWS
    st.code(f"torch.multinomial(probs, num_samples={DRAWS}, replacement=True)", language="python")
    charts.plot(
        figures.samples_figure(
            view.pipe.final,
            sampling.histogram(draws, view.lm.tokenizer.vocab_size),
            view.pipe.order,
            view.names,
            [t("next.samples_theory"), t("next.samples_drawn", n=DRAWS)],
            others(view),
            view.top_n,
        ),
        key="next_samples",
    )


def compare_temperatures(view: View) -> None:
    st.caption(t("next.temps_intro", n=COMPARE_TOKENS))
    seen = (view.key, tuple(view.context), replace(view.config, temperature=1.0))
    store = st.session_state.get("next_temps")
    if st.button(t("next.temps_run"), key="next_temps_run", type="primary"):
        seed = st.session_state.get("next_temps_seed", 0) + 1
        st.session_state["next_temps_seed"] = seed
        runs = probe.continuations(
            view.lm, view.context, view.config, TEMPERATURES, COMPARE_TOKENS, seed
        )
        store = st.session_state["next_temps"] = (seen, [[s.to_dict() for s in r] for r in runs])
        generated = COMPARE_TOKENS * len(TEMPERATURES)
        st.session_state["next_generated"] = st.session_state.get("next_generated", 0) + generated
    if not store or store[0] != seen:
        return
    columns = st.columns(len(TEMPERATURES))
    for column, temperature, run in zip(columns, TEMPERATURES, store[1], strict=True):
        with column:
            st.markdown(t("next.temps_column", t=temperature))
            st.html(figures.text_html("…", run, None, t("next.alternatives")))


def _flow_boxes(view: View, inside: lens.Inside) -> tuple[list, list]:
    tops = lens.stage_tops(inside)
    names = view.names

    def guess(i: int) -> str:
        return plain("next.flow_guess", token=figures.token_label(names[tops[i][0]]), p=tops[i][1])

    shown = " ".join(figures.token_label(names[i]) for i in inside.ids[-FLOW_TOKENS:])
    cfg = view.lm.config
    boxes = [
        (plain("next.flow_tokens"), f"…{shown}<br>{plain('next.flow_ids', n=len(inside.ids))}"),
        (plain("next.flow_embedding"), f"{plain('next.flow_width', d=cfg.n_embd)}<br>{guess(0)}"),
    ]
    for i, layer in enumerate(inside.layers):
        body = plain("next.flow_layer_body", heads=cfg.n_head, a=layer.attn_norm, m=layer.mlp_norm)
        boxes.append((plain("next.flow_layer", n=i + 1), f"{body}<br>{guess(i + 1)}"))
    out = plain("next.flow_output_body", v=cfg.vocab_size)
    boxes.append((plain("next.flow_output"), f"{out}<br>{guess(len(tops) - 1)}"))
    strength = [p for _, p in tops]
    return boxes, [0.0, *strength, strength[-1]]


def inside_gpt(view: View) -> None:
    if view.lm.config.model != "gpt":
        st.info(t("next.attention_not_gpt"))
        return
    inside = view.cached("inside", view.key, view.lm, view.context, lens.look_inside)
    st.caption(t("next.inside_intro"))
    boxes, strength = _flow_boxes(view, inside)
    charts.plot(figures.flow_figure(boxes, strength), key="next_flow")
    st.caption(t("next.lens_intro"))
    top, rows = lens.lens_table(inside)
    stages = [plain("next.stage_embedding")]
    stages += [plain("next.after_layer", n=i + 1) for i in range(len(inside.layers))]
    charts.plot(figures.table_figure(stages, [view.names[i] for i in top], rows), key="next_lens")
    st.caption(t("next.reads_intro", shown=inside.shown, total=len(inside.ids)))
    heads = [
        plain("next.layer_head", layer=i + 1, head=h + 1)
        for i, layer in enumerate(inside.layers)
        for h in range(layer.attention.shape[0])
    ]
    rows = [row.tolist() for layer in inside.layers for row in layer.attention]
    shown = inside.ids[-inside.shown :]
    charts.plot(
        figures.table_figure(heads, [f"{figures.visible(view.names[i])}" for i in shown], rows),
        key="next_reads",
    )


def attention(view: View) -> None:
    if view.lm.config.model != "gpt":
        st.info(t("next.attention_not_gpt"))
        return
    inside = view.cached("inside", view.key, view.lm, view.context, lens.look_inside)
    st.caption(t("next.attention_intro"))
    if inside.shown < len(view.context):
        st.caption(t("next.attention_last", shown=inside.shown, total=len(view.context)))
    shown = [view.names[i] for i in inside.ids[-inside.shown :]]
    charts.plot(
        figures.attention_figure(
            [layer.maps for layer in inside.layers], shown, t("next.head"), t("next.layer")
        ),
        key="next_attention",
    )


def compare_models(view: View) -> None:
    last = view.names[view.context[-1]]
    st.caption(t("next.compare_intro", last=last, block=view.lm.config.block_size))
    columns = []
    if view.index is None:
        st.caption(t("next.no_corpus"))
    else:
        columns.append((t("next.compare_count"), view.index.bigram_probs(view.context[-1])))
        count = view.index.count_after(view.context[-1])
        st.caption(t("next.compare_count_seen", last=last, count=count))
    for kind in ("bigram", "gpt"):
        partner = probe.same_vocabulary(view.models, view.lm, kind)
        if partner is None:
            st.caption(t("next.compare_missing", kind=t(f"next.kind_{kind}")))
            continue
        name, other = partner
        logits = view.cached("logits", name, other, view.context, probe.next_logits)
        probs = torch.softmax(logits.double(), dim=-1)
        columns.append((f"{t(f'next.kind_{kind}')}: {view.label(name)}", probs))
    if columns:
        charts.plot(
            figures.compare_figure(columns, view.names, t("next.others_short")),
            key="next_compare",
        )


def memorisation(view: View) -> None:
    st.caption(t("next.memory_intro"))
    if view.index is None:
        st.info(t("next.no_corpus"))
    elif not view.steps:
        st.info(t("next.memory_nothing"))
    elif view.span is None:
        st.info(t("next.memory_none", n=view.index.min_copy, total=len(view.steps)))
    else:
        start, end = view.span
        text = "".join(s["text"] for s in view.steps[start:end]).strip()
        st.info(
            t("next.memory_found", n=end - start, total=len(view.steps), text=text),
            icon=":material/content_copy:",
        )


TABS = (
    ("tab_samples", draw_samples),
    ("tab_temperatures", compare_temperatures),
    ("tab_inside", inside_gpt),
    ("tab_attention", attention),
    ("tab_compare", compare_models),
    ("tab_memory", memorisation),
)


def show(view: View) -> None:
    """The tabs; only the open one runs (a slider change does not redraw hidden maps)."""
    tabs = st.tabs([t(f"next.{name}") for name, _ in TABS], key="next_tab", on_change="rerun")
    for tab, (_, draw) in zip(tabs, TABS, strict=True):
        if tab.open:
            with tab:
                draw(view)
    report("next", sampled=st.session_state.get("next_sampled", 0))
