"""Text room, part 2: type a beginning, see every candidate next token, draw one, generate."""

import time

import streamlit as st
import torch

from genlab.errors import UserError
from genlab.text import figures_next as figures
from genlab.text import inspect, sampling
from genlab.text.checkpoint import LanguageModel, load_shipped, shipped
from genlab.text.sampling import SamplingConfig
from ui import charts, state
from ui.i18n import current_lang, plain, t
from ui.live import show_error

DEFAULT_MODEL = "portuguese-word-gpt"
DEFAULT_PROMPTS = {"portuguese": "Glauco gosta de comer", "shakespeare": "Now is the winter of our"}
SESSION_PREFIX = "session:"
DRAWS = 1000
CACHE_SIZE = 64
STREAM_EVERY = 0.05  # seconds between redraws of the text while generating
MIN_COPY = 3  # shorter copied stretches are too common to be worth underlining


@st.cache_resource(show_spinner=False)
def shipped_model(name: str) -> LanguageModel:
    return load_shipped(name)


@st.cache_resource(show_spinner=False)
def shipped_index(name: str) -> inspect.CorpusIndex | None:
    lm = shipped_model(name)
    text = inspect.corpus_text(lm.meta, {})
    return inspect.CorpusIndex(lm.tokenizer, text) if text else None


def available() -> dict[str, LanguageModel]:
    """The shipped checkpoints, then the models trained or uploaded in this session."""
    models = {name: shipped_model(name) for name in shipped()}
    for name, lm in state.text_models().items():
        models[SESSION_PREFIX + name] = lm
    return models


def corpus_index(key: str, lm) -> inspect.CorpusIndex | None:
    if not key.startswith(SESSION_PREFIX):
        return shipped_index(key)
    cache = st.session_state.setdefault("next_indexes", {})
    if id(lm) not in cache:
        text = inspect.corpus_text(lm.meta, state.text_corpora())
        cache[id(lm)] = inspect.CorpusIndex(lm.tokenizer, text) if text else None
    return cache[id(lm)]


def label(key: str) -> str:
    name = key.removeprefix(SESSION_PREFIX)
    return plain("next.model_session", name=name) if key.startswith(SESSION_PREFIX) else name


def default_prompt() -> None:
    lm = available()[st.session_state["next_model"]]
    keep = st.session_state.get("next_prompt", "")
    st.session_state["next_prompt"] = DEFAULT_PROMPTS.get(lm.meta.get("corpus"), keep)


def cached(what: str, key: str, lm, context: list[int], compute):
    """A model output for what the model sees of this context, computed once per context:
    moving a control only re-runs the cheap sampling pipeline."""
    cache = st.session_state.setdefault(f"next_{what}", {})
    seen = (key, id(lm), tuple(context[-lm.config.block_size :]))
    if seen not in cache:
        if len(cache) >= CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[seen] = compute(lm, context)
    return cache[seen]


def logits_for(key: str, lm, context: list[int]) -> torch.Tensor:
    return cached("logits", key, lm, context, inspect.next_logits)


def copied_span(key: str, index, new_ids: list[int]) -> tuple[int, int] | None:
    """The longest generated stretch found in the training text (searched once per text)."""
    if index is None or not new_ids:
        return None
    seen = (key, tuple(new_ids))
    if st.session_state.get("next_copy", (None,))[0] != seen:
        st.session_state["next_copy"] = (seen, index.longest_copy(new_ids))
    return st.session_state["next_copy"][1]


def steps_for(key: str, prompt: str) -> list[dict]:
    """The tokens added after this prompt; a new model or prompt starts a new text."""
    if st.session_state.get("next_for") != (key, prompt):
        st.session_state["next_for"] = (key, prompt)
        st.session_state["next_steps"] = []
    return st.session_state["next_steps"]


CONTROLS = {
    "next_temperature": 1.0,
    "next_top_k": 0,
    "next_top_p": 1.0,
    "next_min_p": 0.0,
    "next_penalty": 1.0,
    "next_top_n": 15,
}


def controls(lm) -> tuple[SamplingConfig, int | None]:
    st.subheader(t("next.controls"))
    state.restore_widgets("next", CONTROLS, only_dropped=True)  # kept across rooms
    temperature = st.slider(
        t("next.temperature"),
        0.0,
        3.0,
        step=0.05,
        key="next_temperature",
        help=t("next.temperature_help"),
    )
    top_k = st.number_input(
        t("next.top_k"), 0, lm.tokenizer.vocab_size, key="next_top_k", help=t("next.top_k_help")
    )
    top_p = st.slider(
        t("next.top_p"), 0.01, 1.0, step=0.01, key="next_top_p", help=t("next.top_p_help")
    )
    min_p = st.slider(
        t("next.min_p"), 0.0, 1.0, step=0.01, key="next_min_p", help=t("next.min_p_help")
    )
    penalty = st.slider(
        t("next.repetition_penalty"),
        1.0,
        3.0,
        step=0.05,
        key="next_penalty",
        help=t("next.repetition_penalty_help"),
    )
    top_n = None
    if lm.tokenizer.kind != "char":
        top_n = st.slider(t("next.top_n"), 3, 40, key="next_top_n", help=t("next.top_n_help"))
    state.save_widgets("next", CONTROLS)
    config = SamplingConfig(temperature, int(top_k), top_p, min_p, penalty)
    return config, top_n


def generated(prompt: str, steps: list[dict], span: tuple[int, int] | None = None) -> str:
    return figures.text_html(prompt, steps, span, t("next.alternatives"))


st.title(t("next.title"))
st.write(t("next.intro"))

models = available()
if not models:
    st.info(t("next.no_models"))
    st.stop()
if st.session_state.get("next_model") not in models:
    st.session_state["next_model"] = (
        DEFAULT_MODEL if DEFAULT_MODEL in models else next(iter(models))
    )
    default_prompt()

pick, write = st.columns([1, 2])
key = pick.selectbox(
    t("next.model"),
    list(models),
    key="next_model",
    format_func=label,
    on_change=default_prompt,
    help=t("next.model_help"),
)
lm = models[key]
pick.caption(
    t(
        "next.model_caption",
        kind=t(f"next.kind_{lm.config.model}"),
        tokenizer=t(f"next.tokenizer_{lm.tokenizer.kind}"),
        vocab=lm.tokenizer.vocab_size,
        reads=t("next.reads_block", block=lm.config.block_size)
        if lm.config.model == "gpt"
        else t("next.reads_last"),
        corpus=lm.meta.get("corpus", "?"),
    )
)
prompt_text = write.text_input(t("next.prompt"), key="next_prompt", help=t("next.prompt_help"))
try:
    prompt = inspect.read_prompt(lm, prompt_text)
except UserError as err:
    show_error(err)
    st.stop()
if prompt.unknown:
    shown = ", ".join(f"`{p}`" for p in dict.fromkeys(prompt.unknown))
    st.warning(t("next.unknown_as_unk" if prompt.as_unk else "next.unknown_skipped", pieces=shown))

steps = steps_for(key, prompt_text)
index = corpus_index(key, lm)

text_box = st.container(border=True)
buttons = st.container()
left, right = st.columns([1, 3], gap="large")
with left:
    config, top_n = controls(lm)

context = prompt.ids + [s["id"] for s in steps]
with text_box:
    st.caption(t("next.text_so_far"))
    text_slot = st.empty()

with buttons:
    draw_one, count, generate, undo, restart, _ = st.columns(
        [1.4, 1.1, 0.8, 0.8, 1, 2], vertical_alignment="bottom"
    )
    n_tokens = count.number_input(
        t("next.generate_count"), 1, inspect.MAX_GENERATE, 50, key="next_count"
    )
    if draw_one.button(t("next.next_token"), type="primary", key="next_draw"):
        pipe = sampling.run(logits_for(key, lm, context), config, previous=context)
        steps.append(inspect.choose(lm, context, pipe).to_dict())
    if generate.button(t("next.generate"), key="next_generate"):
        shown = time.perf_counter()
        for step in inspect.generate(lm, context, config, int(n_tokens)):
            steps.append(step.to_dict())
            if time.perf_counter() - shown > STREAM_EVERY:  # stream, but not every token
                text_slot.html(generated(prompt_text, steps))
                shown = time.perf_counter()
    if undo.button(t("next.undo"), key="next_undo", disabled=not steps):
        steps.pop()
    if restart.button(t("next.restart"), key="next_restart", disabled=not steps):
        steps.clear()

context = prompt.ids + [s["id"] for s in steps]
new_ids = [s["id"] for s in steps]
span = copied_span(key, index, new_ids)
underline = span if span and span[1] - span[0] >= MIN_COPY else None
text_slot.html(generated(prompt_text, steps, underline))
st.caption(t("next.colour_legend"))
if lm.config.model == "gpt" and len(context) > lm.config.block_size:
    st.caption(t("next.context_cropped", block=lm.config.block_size, length=len(context)))

pipe = sampling.run(logits_for(key, lm, context), config, previous=context)
others = t("next.others", count=max(lm.tokenizer.vocab_size - (top_n or 0), 0))
titles = [t(f"next.stage_{s}") for s in ("raw", "temperature", "filters", "final")]
with right:
    st.markdown(t("next.order"))
    event = charts.plot(
        figures.pipeline_figure(pipe, lm.tokenizer.tokens, titles, others, top_n, current_lang()),
        key=f"next_bars_{len(steps)}",
        on_select="rerun",
        selection_mode="points",
    )
    clicked = [p["customdata"] for p in event.selection.points if p.get("customdata", -1) >= 0]
    if clicked:
        steps.append(inspect.choose(lm, context, pipe, forced=int(clicked[0])).to_dict())
        st.rerun()

entropy, effective, chosen = st.columns(3)
entropy.metric(
    t("next.entropy"),
    t("next.entropy_value", bits=sampling.entropy_bits(pipe.final)),
    help=t("next.entropy_help"),
)
effective.metric(
    t("next.effective"),
    t("next.effective_value", n=sampling.effective_choices(pipe.final)),
    help=t("next.effective_help"),
)
chosen.metric(
    t("next.chosen"),
    f"{steps[-1]['prob']:.1%}" if steps else t("next.chosen_none"),
    help=t("next.chosen_help"),
)
st.info(t(f"next.temp_{sampling.temperature_regime(config.temperature)}"))

samples_tab, compare_tab, attention_tab, memory_tab = st.tabs(
    [t("next.tab_samples"), t("next.tab_compare"), t("next.tab_attention"), t("next.tab_memory")],
    key="next_tab",
    on_change="rerun",  # only the open tab runs: a slider change does not redraw hidden maps
)


def draw_samples() -> None:
    st.caption(t("next.samples_intro", n=DRAWS))
    if st.button(t("next.samples_again"), key="next_samples_again"):
        st.session_state["next_seed"] = st.session_state.get("next_seed", 0) + 1
    draws = sampling.sample(
        pipe.final, DRAWS, torch.Generator().manual_seed(st.session_state.get("next_seed", 0))
    )
    charts.plot(
        figures.samples_figure(
            pipe.final,
            sampling.histogram(draws, lm.tokenizer.vocab_size),
            pipe.order,
            lm.tokenizer.tokens,
            [t("next.samples_theory"), t("next.samples_drawn", n=DRAWS)],
            others,
            top_n,
        ),
        key="next_samples",
    )


def compare_models() -> None:
    last = lm.tokenizer.tokens[context[-1]]
    st.caption(t("next.compare_intro", last=last, block=lm.config.block_size))
    columns = []
    if index is None:
        st.caption(t("next.no_corpus"))
    else:
        columns.append((t("next.compare_count"), index.bigram_probs(context[-1])))
        st.caption(t("next.compare_count_seen", last=last, count=index.count_after(context[-1])))
    for kind in ("bigram", "gpt"):
        partner = inspect.same_vocabulary(models, lm, kind)
        if partner is None:
            st.caption(t("next.compare_missing", kind=t(f"next.kind_{kind}")))
        else:
            name, other = partner
            probs = torch.softmax(logits_for(name, other, context).double(), dim=-1)
            columns.append((f"{t(f'next.kind_{kind}')}: {label(name)}", probs))
    if columns:
        charts.plot(
            figures.compare_figure(columns, lm.tokenizer.tokens, t("next.others_short")),
            key="next_compare",
        )


def show_attention() -> None:
    if lm.config.model != "gpt":
        st.info(t("next.attention_not_gpt"))
    else:
        st.caption(t("next.attention_intro"))
        maps = cached("attention", key, lm, context, inspect.attention_maps)
        shown = [lm.tokenizer.tokens[i] for i in context[-maps[0].shape[-1] :]]
        charts.plot(
            figures.attention_figure(maps, shown, t("next.head"), t("next.layer")),
            key="next_attention",
        )


def show_memorisation() -> None:
    st.caption(t("next.memory_intro"))
    if index is None:
        st.info(t("next.no_corpus"))
    elif not steps:
        st.info(t("next.memory_nothing"))
    else:
        start, end = span
        st.success(
            t(
                "next.memory_found",
                n=end - start,
                total=len(steps),
                text="".join(s["text"] for s in steps[start:end]).strip(),
            )
        )


for tab, show in (
    (samples_tab, draw_samples),
    (compare_tab, compare_models),
    (attention_tab, show_attention),
    (memory_tab, show_memorisation),
):
    if tab.open:
        with tab:
            show()
