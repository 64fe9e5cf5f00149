"""Plotly figures on the page without re-validating them, with the language's number marks;
live charts updated in place.

``st.plotly_chart`` validates a dict figure by building a ``go.Figure`` from it (tens of ms for a
live view). GenLab's figure builders return plain dicts built to plotly's schema, so the page hands
them over as an already-checked figure and only the JSON encoding remains. This leans on how
plotly (``plotly.tools.return_figure_from_figure_or_data``: a figure object is taken through
``to_dict()``) and Streamlit (``plotly.io.to_json(..., validate=False)``) treat a ``go.Figure``:
tests/test_charts.py checks that contract, so an upgrade that breaks it fails there.

A chart that changes several times a second (the GAN room's live views) goes through ``live``
instead: Streamlit (1.67) gives a chart a new element id with every new figure, and the browser
mounts a new, empty chart for it (blank frames); with a fixed id, its chart keeps drawing its first
figure (its state is made once, from the first figure). ``live`` is a small component
(``ui/live_chart/index.html``) that keeps one chart and hands each new figure to ``Plotly.react``.
"""

import json
import os
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

from genlab.assets import PLOTLY_PATH
from genlab.feed import PATH as FEED_PATH
from genlab.i18n import SEPARATORS
from ui.frame_text import plotly_locale
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
    kwargs["config"] = {**plotly_locale(current_lang()), **kwargs.get("config", {})}
    return st.plotly_chart(_Checked(localised(figure)), **kwargs)


LIVE_PAGE = Path(__file__).with_name("live_chart") / "index.html"
PLOTLY_SCRIPT = '<script src="plotly.min.js"></script>'


def _live_folder() -> Path:
    """The component's folder (Streamlit serves it as it is): its page, whose plotly.js comes from
    the server's own address for it (``genlab.assets``; the component's address is
    ``/component/<name>/index.html``, hence ``../..``)."""
    folder = Path(tempfile.gettempdir()) / f"genlab-live-chart-{plotly.__version__}"
    folder.mkdir(exist_ok=True)
    served = f'<script src="../..{PLOTLY_PATH}"></script>'
    page = LIVE_PAGE.read_text().replace(PLOTLY_SCRIPT, served)
    target = folder / LIVE_PAGE.name
    if not target.is_file() or target.read_text() != page:
        partial = folder / f".{LIVE_PAGE.name}.{os.getpid()}"
        partial.write_text(page)
        partial.replace(target)  # atomic: another server process may be reading it
    return folder


_live_chart = components.declare_component("genlab_live_chart", path=str(_live_folder()))


def _fed(trace: dict) -> dict:
    """A trace without the data a feed's frame gives it (``uid``: the name of its array)."""
    if "uid" not in trace:
        return trace
    fed = ("z",) if trace.get("type") == "heatmap" else ("x", "y")
    return {k: v for k, v in trace.items() if k not in fed}


def live(
    figure: dict,
    key: str,
    config: dict | None = None,
    frame: bytes | None = None,
    feed: str | None = None,
) -> None:
    """A chart that keeps its place and is redrawn in place with each new figure (no blank
    frame): for the views that change while a run trains.

    With ``frame`` (``genlab.feed``), each trace with a ``uid`` takes its data from the frame's
    array of that name (the figure is sent without it), and with ``feed`` (a token from
    ``genlab.feed.grant``) the chart fetches newer frames from the server itself, at the pace the
    server names, between the page's runs."""
    figure = localised(figure)
    if frame is not None:
        figure = {**figure, "data": [_fed(trace) for trace in figure["data"]]}
    height = int(figure["layout"].get("height", 450))
    _live_chart(
        figure=pio.to_json(figure, validate=False, remove_uids=False),
        config=json.dumps({**plotly_locale(current_lang()), **(config or {})}),
        height=height,
        frame=frame,
        feed=f"{FEED_PATH}/{feed}" if feed else None,
        key=key,
        default=None,
    )
