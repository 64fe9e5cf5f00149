"""Plotly figures on the page without re-validating them, with the language's number marks.

``st.plotly_chart`` validates a dict figure by building a ``go.Figure`` from it (tens of ms for a
live view). GenLab's figure builders return plain dicts built to plotly's schema, so the page hands
them over as an already-checked figure and only the JSON encoding remains. This leans on how
plotly (``plotly.tools.return_figure_from_figure_or_data``: a figure object is taken through
``to_dict()``) and Streamlit (``plotly.io.to_json(..., validate=False)``) treat a ``go.Figure``:
tests/test_charts.py checks that contract, so an upgrade that breaks it fails there.
"""

import plotly.graph_objects as go
import streamlit as st

from genlab.i18n import SEPARATORS
from ui.i18n import current_lang


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
    """``st.plotly_chart`` for a figure dict; keyword arguments are passed on."""
    kwargs.setdefault("width", "stretch")
    return st.plotly_chart(_Checked(localised(figure)), **kwargs)
