"""Parts of the Next-word room: the force search, the PyTorch behind each step, the metrics."""

import streamlit as st

from genlab.text import explain, probe, sampling
from genlab.text.sampling import SamplingConfig
from ui import state
from ui.i18n import plain, t
from ui.widgets import decimal_slider

MATCHES = 40  # tokens offered by the force search
CODE_NOTES = [
    "forward", "last", "exp", "divide", "same", "penalty", "nothing", "greedy", "divide_t",
    "top_k", "top_p", "min_p", "renormalise", "kept", "draw", "append",
]  # fmt: skip


def force_search(lm, names: list[str], context, pipe, steps, add) -> None:
    """Any token can be forced, even one whose bar is too thin to click."""
    query = st.text_input(t("next.force_search"), key="next_force_query", help=t("next.force_help"))
    if not query:
        return
    needle = query.strip().lower()
    found = [i for i, name in enumerate(names) if needle in name.lower()]
    exact = query.strip()
    found.sort(
        key=lambda i: (
            names[i].strip("␣") != exact,
            names[i].lower().strip("␣") != needle,
            -float(pipe.final[i]),
        )
    )
    if not found:
        st.caption(t("next.force_none", query=query))
        return
    choice, go = st.columns([3, 1], vertical_alignment="bottom")
    token = choice.selectbox(
        t("next.force_pick"), found[:MATCHES], key="next_force_pick",
        format_func=lambda i: plain("next.force_option", token=names[i], p=float(pipe.final[i])),
    )  # fmt: skip
    if go.button(t("next.force"), key="next_force"):
        add(steps, probe.choose(lm, context, pipe, forced=int(token)))
        st.rerun()


def code_views(pipe, names, config: SamplingConfig, steps) -> None:
    notes = {name: plain(f"next.code_{name}") for name in CODE_NOTES}
    drawn = steps[-1]["id"] if steps and not steps[-1]["forced"] else None
    views = (
        ("logits", explain.logits_code(pipe, names, notes)),
        ("softmax", explain.softmax_code(pipe, names, notes)),
        ("penalty", explain.penalty_code(pipe, names, config.repetition_penalty, notes)),
        ("temperature", explain.temperature_code(pipe, names, config.temperature, notes)),
        ("filters", explain.filters_code(pipe, config, notes)),
        ("draw", explain.draw_code(pipe, names, drawn, notes)),
    )
    columns = st.columns(3)
    for i, (name, code) in enumerate(views):
        with columns[i % 3].expander(t(f"next.code_title_{name}")):
            st.code(code, language="python")


def metrics(pipe, steps) -> None:
    entropy, effective, chosen = st.columns(3)
    bits = sampling.entropy_bits(pipe.final)
    entropy.metric(
        t("next.entropy"), t("next.entropy_value", bits=bits), help=t("next.entropy_help")
    )
    n = sampling.effective_choices(pipe.final)
    effective.metric(
        t("next.effective"), t("next.effective_value", n=n), help=t("next.effective_help")
    )
    value = t("next.chosen_value", p=steps[-1]["prob"]) if steps else t("next.chosen_none")
    chosen.metric(t("next.chosen"), value, help=t("next.chosen_help"))


CONTROLS = {
    "next_temperature": 1.0,
    "next_top_k": 0,
    "next_top_p": 1.0,
    "next_min_p": 0.0,
    "next_penalty": 1.0,
    "next_top_n": 12,
}


def controls(lm) -> tuple[SamplingConfig, int | None]:
    state.restore_widgets("next", CONTROLS, only_dropped=True)  # kept across rooms
    temperature = decimal_slider(
        t("next.temperature"), 0.0, 3.0, 0.05, key="next_temperature",
        help=t("next.temperature_help"),
    )  # fmt: skip
    vocab = lm.tokenizer.vocab_size  # a link or another model may ask for more than this one has
    st.session_state["next_top_k"] = min(st.session_state.get("next_top_k", 0), vocab)
    top_k = st.number_input(
        t("next.top_k"), 0, lm.tokenizer.vocab_size, key="next_top_k", help=t("next.top_k_help")
    )
    top_p = decimal_slider(
        t("next.top_p"), 0.01, 1.0, 0.01, key="next_top_p", help=t("next.top_p_help")
    )
    min_p = decimal_slider(
        t("next.min_p"), 0.0, 1.0, 0.01, key="next_min_p", help=t("next.min_p_help")
    )
    penalty = decimal_slider(
        t("next.repetition_penalty"), 1.0, 3.0, 0.05, key="next_penalty",
        help=t("next.repetition_penalty_help"),
    )  # fmt: skip
    top_n = None
    if lm.tokenizer.kind != "char":
        top_n = st.slider(t("next.top_n"), 3, 40, key="next_top_n", help=t("next.top_n_help"))
    state.save_widgets("next", CONTROLS)
    return SamplingConfig(temperature, min(int(top_k), 10**9), top_p, min_p, penalty), top_n
