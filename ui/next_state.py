"""The Next-word room's state in its URL: model, prompt, settings and generated tokens.

Parameters carry a ``next_`` prefix (``next_model``, ``next_prompt``, ``next_temperature``,
``next_top_k``, ``next_top_p``, ``next_min_p``, ``next_penalty``, ``next_tokens``);
lessons deep-link into /next with them. A link opened in a new session restores that state;
the same parameters are applied again only when they change (a slider moved later stays).
"""

import math

import streamlit as st

from genlab.text import probe, sampling
from genlab.text.sampling import SamplingConfig
from ui.i18n import t
from ui.links import share_url

# URL parameter -> (session key of the widget, type, lowest, highest)
SETTINGS = {
    "next_temperature": ("next_temperature", float, 0.0, 3.0),
    "next_top_k": ("next_top_k", int, 0, 1_000_000),
    "next_top_p": ("next_top_p", float, 0.01, 1.0),
    "next_min_p": ("next_min_p", float, 0.0, 1.0),
    "next_penalty": ("next_penalty", float, 1.0, 3.0),
}
MAX_TOKENS = 500
PENDING = "next_pending_tokens"


def _number(text: str, kind: type, low: float, high: float):
    try:
        value = kind(float(text)) if kind is int else kind(text)
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return min(max(value, low), high)


def _tokens(text: str) -> list[int]:
    ids = [int(part) for part in text.split(".")[:MAX_TOKENS] if part.isdigit()]
    return [i for i in ids if i < 10_000_000]


def restore(models: dict) -> None:
    """Apply the URL's ``next_*`` parameters to the room's widgets (before they are drawn)."""
    params = {k: v for k, v in st.query_params.to_dict().items() if k.startswith("next_")}
    seen = tuple(sorted(params.items()))
    if not params or st.session_state.get("next_applied") == seen:
        return
    st.session_state["next_applied"] = seen
    if params.get("next_model") in models:
        st.session_state["next_model"] = params["next_model"]
    if "next_prompt" in params:
        st.session_state["next_prompt"] = params["next_prompt"][:2000]
    for name, (key, kind, low, high) in SETTINGS.items():
        value = _number(params.get(name, ""), kind, low, high)
        if value is not None:
            st.session_state[key] = value
    st.session_state[PENDING] = _tokens(params.get("next_tokens", ""))


def pending_tokens() -> list[int] | None:
    """Generated tokens a link brought, once (None when there are none to restore)."""
    return st.session_state.pop(PENDING, None) or None


def link(model: str, prompt: str, token_ids: list[int]) -> str:
    """A link to this exact state (never the participant's key)."""
    params = {"next_model": model, "next_prompt": prompt}
    for name, (key, kind, _, _) in SETTINGS.items():
        if key in st.session_state:
            params[name] = kind(st.session_state[key])
    if token_ids:
        params["next_tokens"] = ".".join(str(i) for i in token_ids[:MAX_TOKENS])
    return share_url(params)


def restore_tokens(lm, prompt: probe.Prompt, steps: list[dict], config: SamplingConfig) -> None:
    """Rebuild the generated tokens a shared link carried (probabilities under its settings)."""
    ids = pending_tokens()
    if not ids or steps:
        return
    for token in (i for i in ids if i < lm.tokenizer.vocab_size):
        context = prompt.ids + [s["id"] for s in steps]
        pipe = sampling.run(probe.next_logits(lm, context), config, previous=context)
        step = probe.choose(lm, context, pipe, forced=token)
        step.forced = False
        steps.append(step.to_dict())


def share(key: str, prompt_text: str, steps: list[dict]) -> None:
    with st.expander(t("next.share")):
        st.caption(t("next.share_help"))
        st.code(link(key, prompt_text, [s["id"] for s in steps]), language=None)
