"""Plotly figures on the page without re-validating them.

``st.plotly_chart`` validates a dict figure by building a ``go.Figure`` from it (tens of ms for a
live view). GenLab's figure builders return plain dicts built to plotly's schema, so the page hands
them over as an already-checked figure and only the JSON encoding remains.
"""

import plotly.graph_objects as go
import streamlit as st


class _Checked(go.Figure):
    """A figure dict that Streamlit takes as validated (``to_dict`` returns it as it is)."""

    def __init__(self, figure: dict):  # no super().__init__: nothing to build or validate
        self._figure = figure

    def to_dict(self) -> dict:
        return self._figure


def plot(figure: dict, **kwargs):
    """``st.plotly_chart`` for a figure dict; keyword arguments are passed on."""
    kwargs.setdefault("width", "stretch")
    return st.plotly_chart(_Checked(figure), **kwargs)
