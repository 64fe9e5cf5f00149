"""What rooms share through the session, in one place: the names of the shared entries, the
helper that keeps a room's widget values while the participant visits other rooms, and the one
that sends choices again with new labels.

- ``TEXT_MODELS``: ``{title: LanguageModel}`` trained on /text, offered on /next and /embeddings.
- ``TEXT_CORPORA``: ``{corpus name: text}`` uploaded or pasted on /text, for the same rooms.
"""

import streamlit as st
from streamlit.elements.widgets.button_group import (
    _MultiSelectButtonGroupSerde,
    _SingleSelectButtonGroupSerde,
)
from streamlit.elements.widgets.multiselect import MultiSelectSerde
from streamlit.elements.widgets.radio import RadioSerde
from streamlit.elements.widgets.select_slider import SelectSliderSerde
from streamlit.elements.widgets.selectbox import SelectboxSerde
from streamlit.runtime.state import get_session_state

TEXT_MODELS = "text_models"
TEXT_CORPORA = "text_corpora"


def text_models() -> dict:
    """The language models this participant trained on /text (empty before the first)."""
    return st.session_state.setdefault(TEXT_MODELS, {})


def text_corpora() -> dict:
    """The texts this participant gave /text (uploads, pasted text)."""
    return st.session_state.setdefault(TEXT_CORPORA, {})


def _saved_key(room: str) -> str:
    return f"{room}_saved_widgets"


def restore_widgets(room: str, defaults: dict, *, only_dropped: bool = False) -> None:
    """Give a room's widgets (``{key: default}``) their values back after a run that did not draw
    them (a visit to another room, a bad upload): Streamlit drops them. Call it before drawing the
    widgets, and ``save_widgets`` after. Assigned, not setdefault, which does not mark the value as
    the widget's (streamlit#9082: the widget then showed its default): /text needs every value
    assigned again after a bad upload. But an assigned value is sent back to the browser: on /next
    it undid a slider's key presses in flight (2.0 came back as 1.95), so a room whose widgets are
    always drawn passes ``only_dropped=True`` (assign only the values Streamlit dropped)."""
    ss, saved = st.session_state, st.session_state.get(_saved_key(room), {})
    for key, value in defaults.items():
        if not (only_dropped and key in ss):
            ss[key] = ss.get(key, saved.get(key, value))


def save_widgets(room: str, keys) -> None:
    """Remember the current values of a room's widgets for ``restore_widgets``."""
    ss = st.session_state
    ss[_saved_key(room)] = {k: ss[k] for k in keys if k in ss}


# The choice widgets (Streamlit 1.67's classes: the version is pinned).
CHOICES = (
    SelectboxSerde,
    RadioSerde,
    SelectSliderSerde,
    MultiSelectSerde,
    _SingleSelectButtonGroupSerde,
    _MultiSelectButtonGroupSerde,
)


def resend_choices() -> None:
    """Assign every keyed choice widget its value again, from a callback, so that
    the browser gets it with the labels of this run. Streamlit keeps a choice's value in the
    browser as its label: after a language switch the old label matched no option, so a select
    box's value became that label (the Next-word room failed with a KeyError) and a slider over
    labelled steps went back to its first step."""
    session = get_session_state()._state
    widgets = session._new_widget_state.widget_metadata
    for widget_id, key in list(session._key_id_mapper.id_key_mapping.items()):
        if _is_choice(widgets.get(widget_id)):
            st.session_state[key] = st.session_state[key]


def _is_choice(meta) -> bool:
    """Whether a widget (its metadata in the session) is a choice: its deserializer is a method
    of one of the CHOICES."""
    return meta is not None and isinstance(getattr(meta.deserializer, "__self__", None), CHOICES)
