"""Groups of widgets whose values the lab itself sets at times (a preset, a loaded model, a fix),
and sliders and number fields whose numbers are written in the participant's language."""

import functools

import streamlit as st

from genlab import i18n
from ui.i18n import current_lang, t


class Versioned:
    """The keys of a group of widgets, ``{prefix}_{field}``. Each time the lab sets the group's
    values, the keys get a new version: a value the browser sent before it received the new ones
    (a live tick in flight) then lands on the old key and is dropped instead of undoing the
    change."""

    def __init__(self, prefix: str, fields) -> None:
        self.prefix, self.fields = prefix, tuple(fields)
        self.version_key = f"{prefix}_settings_version"

    def key(self, field: str) -> str:
        version = st.session_state.get(self.version_key, 0)
        return f"{self.prefix}_{field}_v{version}" if version else f"{self.prefix}_{field}"

    def value(self, field: str):
        return st.session_state[self.key(field)]

    def present(self) -> dict:
        """The group's values that are in the session now."""
        return {f: self.value(f) for f in self.fields if self.key(f) in st.session_state}

    def values(self) -> dict:
        return {f: self.value(f) for f in self.fields}

    def set(self, values: dict) -> None:
        """Give the widgets these values (the fields not given keep theirs)."""
        ss, present = st.session_state, self.present()
        if present:  # the widgets exist already: new keys
            for field in present:
                ss.pop(self.key(field))
            ss[self.version_key] = ss.get(self.version_key, 0) + 1
        for field, value in {**present, **values}.items():
            ss[self.key(field)] = value


def decimal_slider(label, low: float, high: float, step: float, *, key, spec=".2f", where=st, **kw):
    """A slider over ``low..high`` by ``step`` whose numbers (its value and its ends) are written
    in the participant's language: ``0,05`` in pt-BR.

    ``st.slider`` writes its numbers in the browser with a sprintf format, always with a decimal
    point (its ``"localized"`` format follows the browser's language, not the lab's). This is a
    ``st.select_slider`` over the slider's steps, each labelled by Babel, returning the same
    float. A value between two steps (a link's ``0.73``) moves to the nearest step. ``kw`` goes
    to ``st.select_slider`` (``help``); ``where`` is the column to draw it in."""
    options, labels = _steps(low, high, step), _labels(current_lang(), spec, low, high, step)
    value = st.session_state.get(key)
    if value is not None and value not in labels:
        st.session_state[key] = min(options, key=lambda option: abs(option - value))
    return where.select_slider(label, options, format_func=labels.__getitem__, key=key, **kw)


@functools.cache
def _steps(low: float, high: float, step: float) -> tuple[float, ...]:
    return tuple(round(low + i * step, 10) for i in range(round((high - low) / step) + 1))


@functools.cache
def _labels(lang: str, spec: str, low: float, high: float, step: float) -> dict[float, str]:
    """Each step's label (Babel takes about 0.1 ms a number: once per process, not per rerun)."""
    return {option: i18n.number(lang, option, spec) for option in _steps(low, high, step)}


def decimal_input(label, low: float, high: float, *, key, spec=".4f", where=st, **kw) -> float:
    """A number field for a decimal (a learning rate) written in the participant's language:
    ``0,0050`` in pt-BR.

    ``st.number_input`` formats in the browser with a sprintf format, always with a point. This is
    a text field over the float kept at ``key`` (which the lab, presets and links set as before). It
    takes either decimal mark; a text that is not a number in ``low..high`` gets a translated
    message under the field and the value stays what it was. ``kw`` goes to ``st.text_input``
    (``help``); ``where`` is the column to draw it in."""
    ss, lang = st.session_state, current_lang()
    text_key, refused_key = f"{key}_text", f"{key}_refused"
    ss.setdefault(key, low)
    ss[text_key] = i18n.number(lang, ss[key], spec)  # also after a preset, a link, a new language
    where.text_input(
        label, key=text_key, on_change=_take, args=(key, text_key, refused_key, low, high), **kw
    )
    if (refused := ss.pop(refused_key, None)) is not None:
        where.error(
            t(
                "common.err_decimal",
                text=refused,
                low=_bound(lang, low),
                high=_bound(lang, high),
                value=ss[text_key],
            )
        )
    return ss[key]


def _take(key: str, text_key: str, refused_key: str, low: float, high: float) -> None:
    text = st.session_state[text_key]
    value = i18n.parse_number(current_lang(), text)
    if value is None or not low <= value <= high:
        st.session_state[refused_key] = text
    else:
        st.session_state[key] = value


def _bound(lang: str, value: float) -> str:
    """A range's end without trailing zeros: ``0,000001``, ``100``."""
    return i18n.number(lang, value, ".6f").rstrip("0").rstrip(".,")
