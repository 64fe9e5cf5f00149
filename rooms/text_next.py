"""Text room, part 2: type a beginning, see every candidate's score become a probability, draw one
token, generate, and look inside the GPT."""

import time

import streamlit as st
import torch

from genlab.errors import UserError
from genlab.i18n import catalogue
from genlab.text import figures_next as figures
from genlab.text import probe, sampling
from genlab.text.checkpoint import LanguageModel, load_shipped, shipped
from genlab.text.sampling import SamplingConfig
from ui import charts, next_panels, next_state, next_tabs, state
from ui.i18n import corpus_name, current_lang, plain, t
from ui.live import show_error
from ui.progress import report

DEFAULT_MODEL = "portuguese-word-gpt"
DEFAULT_PROMPTS = {
    "portuguese": "Glauco gosta de comer",
    "shakespeare": "Now is the winter of our",
    "machado": "Capitu olhou para",
}
SESSION_PREFIX = "session:"
CACHE_SIZE = 64
STREAM_EVERY = 0.05  # seconds between redraws of the text while generating
STAGES = ("logits", "raw", "penalty", "temperature", "final")


@st.cache_resource(show_spinner=False)
def shipped_model(name: str) -> LanguageModel:
    return load_shipped(name)


@st.cache_resource(show_spinner=False)
def shipped_index(name: str) -> probe.CorpusIndex | None:
    lm = shipped_model(name)
    text = probe.corpus_text(lm.meta, {})
    return probe.CorpusIndex(lm.tokenizer, text) if text else None


@st.cache_resource(show_spinner=False, max_entries=16)
def readable_names(_lm: LanguageModel, key: str, model_id: int, size: int) -> list[str]:
    return probe.readable_tokens(_lm.tokenizer)


def available() -> dict[str, LanguageModel]:
    """The shipped checkpoints, then the models trained or uploaded in this session."""
    models = {name: shipped_model(name) for name in shipped()}
    for name, lm in state.text_models().items():
        models[SESSION_PREFIX + name] = lm
    return models


def corpus_index(key: str, lm) -> probe.CorpusIndex | None:
    if not key.startswith(SESSION_PREFIX):
        return shipped_index(key)
    cache = st.session_state.setdefault("next_indexes", {})
    if id(lm) not in cache:
        text = probe.corpus_text(lm.meta, state.text_corpora())
        cache[id(lm)] = probe.CorpusIndex(lm.tokenizer, text) if text else None
    return cache[id(lm)]


def label(key: str) -> str:
    """A model's title for the reader: translated for the shipped ones, else its meta title."""
    name = key.removeprefix(SESSION_PREFIX)
    if key.startswith(SESSION_PREFIX):
        return plain("next.model_session", name=name)
    if f"next.model_title_{name}" in catalogue():
        return plain(f"next.model_title_{name}")
    return str(shipped_model(name).meta.get("title") or name)


def default_prompt() -> None:
    lm = available().get(st.session_state.get("next_model"))
    if lm is None:  # a label in the language before a switch, sent while the page re-ran under
        return  # load (it was a KeyError on the page): the page then picks a model it knows
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
    return cached("logits", key, lm, context, probe.next_logits)


def copied_span(key: str, index, new_ids: list[int]) -> tuple[int, int] | None:
    """The longest generated stretch found in the training text (searched once per text)."""
    if index is None or not new_ids:
        return None
    seen = (key, tuple(new_ids))
    if st.session_state.get("next_copy", (None,))[0] != seen:
        st.session_state["next_copy"] = (seen, index.copied(new_ids))
    return st.session_state["next_copy"][1]


def steps_for(key: str, prompt: str) -> list[dict]:
    """The tokens added after this prompt; a new model or prompt starts a new text."""
    if st.session_state.get("next_for") != (key, prompt):
        st.session_state["next_for"] = (key, prompt)
        st.session_state["next_steps"] = []
    return st.session_state["next_steps"]


def add(steps: list[dict], step: probe.Step) -> None:
    """Append a drawn or forced token and count it for the progress report."""
    steps.append(step.to_dict())
    counter = "next_forced" if step.forced else "next_generated"
    st.session_state[counter] = st.session_state.get(counter, 0) + 1


def pick_model(models: dict) -> tuple[str, LanguageModel, str]:
    next_state.restore(models)
    if st.session_state.get("next_model") not in models:
        st.session_state["next_model"] = (
            DEFAULT_MODEL if DEFAULT_MODEL in models else next(iter(models))
        )
        if "next_prompt" not in st.session_state:
            default_prompt()
    pick, write = st.columns([1, 2])
    key = pick.selectbox(
        t("next.model"), list(models), key="next_model", format_func=label,
        on_change=default_prompt, help=t("next.model_help"),
    )  # fmt: skip
    prompt_text = write.text_input(t("next.prompt"), key="next_prompt", help=t("next.prompt_help"))
    return key, models[key], prompt_text


def model_caption(lm: LanguageModel) -> None:
    gpt = lm.config.model == "gpt"
    reads = t("next.reads_block", block=lm.config.block_size) if gpt else t("next.reads_last")
    kind, tokenizer = t(f"next.kind_{lm.config.model}"), t(f"next.tokenizer_{lm.tokenizer.kind}")
    corpus = corpus_name(lm.meta.get("corpus", "?"))
    vocab = lm.tokenizer.vocab_size
    st.caption(
        t(
            "next.model_caption",
            kind=kind,
            tokenizer=tokenizer,
            vocab=vocab,
            reads=reads,
            corpus=corpus,
        )
    )


def buttons(key, lm, context, config, steps, text_slot, prompt_text) -> None:
    draw_one, count, generate, undo, restart = st.columns(
        [1.4, 1.1, 0.9, 0.8, 1], vertical_alignment="bottom"
    )
    n_tokens = count.number_input(
        t("next.generate_count"), 1, probe.MAX_GENERATE, 50, key="next_count"
    )
    if draw_one.button(t("next.next_token"), type="primary", key="next_draw"):
        pipe = sampling.run(logits_for(key, lm, context), config, previous=context)
        add(steps, probe.choose(lm, context, pipe))
    if generate.button(t("next.generate"), key="next_generate"):
        shown = time.perf_counter()
        for step in probe.generate(lm, context, config, int(n_tokens)):
            add(steps, step)
            if time.perf_counter() - shown > STREAM_EVERY:  # stream, but not every token
                text_slot.html(figures.text_html(prompt_text, steps))
                shown = time.perf_counter()
    if undo.button(t("next.undo"), key="next_undo", disabled=not steps):
        steps.pop()
    if restart.button(t("next.restart"), key="next_restart", disabled=not steps):
        steps.clear()


def pipeline_chart(key, lm, names, context, pipe, top_n, steps) -> None:
    others = t("next.others", count=max(lm.tokenizer.vocab_size - (top_n or 0), 0))
    titles = [plain(f"next.stage_{s}") for s in STAGES]
    titles[3] = plain("next.stage_temperature", t=st.session_state["next_temperature"])
    event = charts.plot(
        figures.pipeline_figure(pipe, names, titles, others, top_n, current_lang()),
        key=f"next_bars_{len(steps)}", on_select="rerun", selection_mode="points",
    )  # fmt: skip
    clicked = [p["customdata"] for p in event.selection.points if p.get("customdata", -1) >= 0]
    if clicked:
        add(steps, probe.choose(lm, context, pipe, forced=int(clicked[0])))
        st.rerun()
    st.caption(t("next.order"))


def report_progress(key: str, prompt_text: str, steps: list[dict], config: SamplingConfig) -> None:
    report(
        "next", model=key, prompt=prompt_text, **config.to_dict(),
        generated=st.session_state.get("next_generated", 0),
        forced=st.session_state.get("next_forced", 0),
        last_text="".join(s["text"] for s in steps),
    )  # fmt: skip


def read_prompt(lm, prompt_text: str) -> probe.Prompt:
    try:
        prompt = probe.read_prompt(lm, prompt_text)
    except UserError as err:
        show_error(err)
        st.stop()
    if prompt.unknown:
        shown = ", ".join(f"`{p}`" for p in dict.fromkeys(prompt.unknown))
        key = "next.unknown_as_unk" if prompt.as_unk else "next.unknown_skipped"
        st.warning(t(key, pieces=shown))
    return prompt


def below_text(key, lm, context, steps, prompt_text, text_slot):
    """The generated text (copied stretch underlined) and what it says about the context."""
    index = corpus_index(key, lm)
    span = copied_span(key, index, [s["id"] for s in steps])
    text_slot.html(figures.text_html(prompt_text, steps, span, t("next.alternatives")))
    st.caption(t("next.colour_legend"))
    if lm.config.model == "gpt" and len(context) > lm.config.block_size:
        st.caption(t("next.context_cropped", block=lm.config.block_size, length=len(context)))
    return index, span


def main() -> None:
    st.title(t("next.title"))
    models = available()
    if not models:
        st.info(t("next.no_models"))
        st.stop()
    key, lm, prompt_text = pick_model(models)
    prompt = read_prompt(lm, prompt_text)
    names = readable_names(lm, key, id(lm), lm.tokenizer.vocab_size)
    steps = steps_for(key, prompt_text)
    chart_col, controls_col = st.columns([3, 1], gap="medium")
    with controls_col:
        config, top_n = next_panels.controls(lm)
    next_state.restore_tokens(lm, prompt, steps, config)
    text_box, actions = st.container(border=True), st.container()
    with text_box:
        text_slot = st.empty()
    with actions:
        context = prompt.ids + [s["id"] for s in steps]
        buttons(key, lm, context, config, steps, text_slot, prompt_text)
    context = prompt.ids + [s["id"] for s in steps]
    pipe = sampling.run(logits_for(key, lm, context), config, previous=context)
    with chart_col:
        pipeline_chart(key, lm, names, context, pipe, top_n, steps)
        model_caption(lm)
    with actions:
        next_panels.force_search(lm, names, context, pipe, steps, add)
    index, span = below_text(key, lm, context, steps, prompt_text, text_slot)
    st.caption(t("next.intro"))
    next_panels.metrics(pipe, steps)
    st.info(t(f"next.temp_{sampling.temperature_regime(config.temperature)}"))
    next_panels.code_views(pipe, names, config, steps)
    next_state.share(key, prompt_text, steps)
    view = next_tabs.View(
        key, lm, names, context, config, pipe, top_n, steps, models, index, span, label, cached
    )
    next_tabs.show(view)
    report_progress(key, prompt_text, steps, config)


main()
