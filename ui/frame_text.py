"""The frame's own words in the participant's language.

Streamlit (1.67) and Plotly write some text of their own in English whatever the page's language:
the upload box ("Upload", "20MB per file"), hints inside inputs ("Press Enter to apply"),
tooltips and toolbars ("Fullscreen", "Download as CSV", "Zoom in"), and labels read out by screen
readers ("Help for <label>"). Their translations are in ``genlab/locales/builtin.toml``.

``translate_frame()`` places a small component (``ui/frame_text/index.html``, no height) in the
sidebar; its script rewrites those texts in the page, now and as they appear, and puts the English
back when the participant switches to English. It never touches a participant's or a model's words:
only whole texts that match the table, outside code blocks, plain text, tables and charts' drawings.
Plotly's toolbar inside the lab's own chart frames (``ui.charts.live``) is translated by Plotly
itself: ``plotly_locale()`` gives the chart configuration that does it.
"""

import functools
import json
import re
from pathlib import Path

import streamlit.components.v1 as components

from genlab.i18n import DEFAULT, catalogue
from ui.i18n import current_lang

PREFIX = "builtin."
PLACEHOLDER = re.compile(r"\{(\w+)(:d)?\}")  # {name}: any text; {name:d}: digits only
JS_SPECIAL = re.compile(r"[.*+?^${}()|[\]\\/]")

_component = components.declare_component(
    "genlab_frame_text", path=str(Path(__file__).with_name("frame_text"))
)


@functools.cache
def _entries(lang: str) -> list[tuple[str, str]]:
    """(English as Streamlit or Plotly writes it, the text in ``lang``) of every entry that
    differs."""
    if lang == DEFAULT:
        return []
    return [
        (texts[DEFAULT], texts[lang])
        for key, texts in catalogue().items()
        if key.startswith(PREFIX) and texts[lang] != texts[DEFAULT]
    ]


@functools.cache
def rules(lang: str) -> list[tuple[str, str]]:
    """The entries as (JavaScript regular expression of the whole English text, replacement with
    ``$1``, ``$2``... for what the placeholders matched)."""
    found = []
    for english, translated in _entries(lang):
        fields = PLACEHOLDER.findall(english)  # [(name, ":d" or "")]
        parts = PLACEHOLDER.split(english)[::3]  # the literal text between placeholders
        literal = [JS_SPECIAL.sub(r"\\\g<0>", part) for part in parts]
        groups = [r"(\d+)" if digits else "(.*?)" for _, digits in fields]
        pattern = literal[0] + "".join(map(str.__add__, groups, literal[1:]))
        replacement = translated.replace("$", "$$")
        for number, (name, _) in enumerate(fields, start=1):
            replacement = replacement.replace(f"{{{name}}}", f"${number}")
        found.append((f"^{pattern}$", replacement))
    return found


@functools.cache
def plotly_locale(lang: str) -> dict:
    """Plotly configuration that writes its toolbar's tooltips in ``lang`` (built once per
    language: every live chart's redraw asks for it). Not to be changed by the caller."""
    if lang == DEFAULT:
        return {}
    words = {en: text for en, text in _entries(lang) if not PLACEHOLDER.search(en)}
    return {"locale": lang, "locales": {lang: {"dictionary": words}}}


def translate_frame() -> None:
    """Translate the frame's own words on this page (a component of no height)."""
    _component(rules=_rules_json(current_lang()), key="genlab_frame_text", default=None)


@functools.cache
def _rules_json(lang: str) -> str:
    return json.dumps(rules(lang))
