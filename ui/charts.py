"""Plotly figures on the page without re-validating them, with the language's number marks,
updated in place.

``st.plotly_chart`` validates a dict figure by building a ``go.Figure`` from it (tens of ms for a
live view). GenLab's figure builders return plain dicts built to plotly's schema, so the page hands
them over as an already-checked figure and only the JSON encoding remains. This leans on how
plotly (``plotly.tools.return_figure_from_figure_or_data``: a figure object is taken through
``to_dict()``) and Streamlit (``plotly.io.to_json(..., validate=False)``) treat a ``go.Figure``:
tests/test_charts.py checks that contract, so an upgrade that breaks it fails there.

A chart drawn with a ``key`` keeps its identity from one run to the next: Streamlit (1.67) hashes
the whole figure into the element's id, and the browser keys the chart's component by that id, so
every new figure of a live chart mounted a new chart (an empty plot until Plotly drew it: the
blank frames of the GAN room). With the key alone as identity, the browser gets the same
component with a new figure and updates it with ``Plotly.react``.
"""

import contextvars

import plotly.graph_objects as go
import streamlit as st
from streamlit.elements import plotly_chart as _streamlit_plotly

from genlab.i18n import SEPARATORS
from ui.i18n import current_lang

_IN_PLACE = contextvars.ContextVar("genlab_chart_in_place", default=False)
_element_id = _streamlit_plotly.compute_and_register_element_id


def _keyed_element_id(element_type: str, *, user_key, key_as_main_identity, **kwargs) -> str:
    """Streamlit's element id, from the key alone for the charts drawn by ``plot``."""
    if _IN_PLACE.get() and user_key is not None:
        key_as_main_identity = True
    return _element_id(
        element_type, user_key=user_key, key_as_main_identity=key_as_main_identity, **kwargs
    )


_streamlit_plotly.compute_and_register_element_id = _keyed_element_id


class _Checked(go.Figure):
    """A figure dict that Streamlit takes as validated (``to_dict`` returns it as it is)."""

    def __init__(self, figure: dict):  # no super().__init__: nothing to build or validate
        self._figure = figure

    def to_dict(self) -> dict:
        return self._figure


def localised(figure: dict) -> dict:
    """The figure with the language's decimal mark and thousands separator (axes, hover text:
    ``layout.separators``), unless it sets its own. The given dict is not changed."""
    layout = figure.get("layout") or {}
    if "separators" in layout:
        return figure
    return {**figure, "layout": {**layout, "separators": SEPARATORS[current_lang()]}}


def plot(figure: dict, **kwargs):
    """``st.plotly_chart`` for a figure dict; keyword arguments are passed on. With a ``key``,
    the chart is updated in place from one run to the next (no new chart, no blank frame),
    except a chart whose points can be selected: the browser then kept showing its first figure
    (the next-word bars did not follow the temperature), so it keeps Streamlit's own identity."""
    kwargs.setdefault("width", "stretch")
    token = _IN_PLACE.set(kwargs.get("on_select", "ignore") == "ignore")
    try:
        return st.plotly_chart(_Checked(localised(figure)), **kwargs)
    finally:
        _IN_PLACE.reset(token)
