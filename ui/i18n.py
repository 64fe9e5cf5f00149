"""The participant's language, and translation of catalogue keys on the page."""

import re

import streamlit as st

from genlab import i18n
from genlab.i18n import LANGUAGES, negotiate, normalise, translate
from genlab.text.corpora import BUILTIN
from ui import state

NAMES = {"en": "English", "pt-BR": "Português (Brasil)"}
MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:=^])")


def current_lang() -> str:
    """The URL's ``?lang=`` first, then the language chosen earlier, then the browser's locale."""
    lang = normalise(st.query_params.get("lang")) or st.session_state.get("lang")
    if lang is None:
        lang = negotiate(None, st.context.locale)
    st.session_state["lang"] = lang
    return lang


def literal(text: str) -> str:
    """``text`` as Streamlit's Markdown shows it, character for character: a participant's words,
    file names or tokens never become formatting, links, images, colours or maths."""
    return MARKDOWN.sub(r"\\\1", text)


def t(key: str, **params) -> str:
    """The catalogue text of ``key`` in the participant's language. Text placeholders are shown
    literally (they often come from participants); the catalogue's own Markdown still works."""
    params = {k: literal(v) if isinstance(v, str) else v for k, v in params.items()}
    return translate(current_lang(), key, **params)


def plain(key: str, **params) -> str:
    """``t`` for places that show text as it is, not as Markdown (code blocks, option lists,
    charts): placeholders are inserted unchanged."""
    return translate(current_lang(), key, **params)


def number(value, spec: str = "") -> str:
    """A number as the participant's language writes it (``st.metric`` values, table cells):
    ``number(1234.5, ",.1f")`` is ``1,234.5`` in English and ``1.234,5`` in Portuguese."""
    return i18n.number(current_lang(), value, spec)


def _switch() -> None:
    st.session_state["lang"] = st.session_state["lang_switch"]
    st.query_params["lang"] = st.session_state["lang"]
    state.resend_choices()  # their labels change with the language


def language_switch() -> None:
    """A language selector in the sidebar; the choice is kept in the URL so it can be shared."""
    lang = current_lang()
    st.query_params["lang"] = lang
    st.session_state["lang_switch"] = lang
    st.sidebar.selectbox(
        t("common.language"),
        LANGUAGES,
        format_func=NAMES.__getitem__,
        key="lang_switch",
        on_change=_switch,
    )


def corpus_name(corpus: str) -> str:
    """A corpus as a participant knows it: a built-in one by its short name ("Lecture sentences",
    "Machado de Assis"), an upload by its file name. Never the lab's identifier ("portuguese")."""
    if corpus in BUILTIN:
        return plain(f"text.corpus_short_{corpus}")
    return corpus.removeprefix("upload:")
