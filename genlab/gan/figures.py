"""Pure figure builders: data -> plotly figure as a plain dict (no validation on the live path).

``labels`` are translated strings handed in by the page (genlab never translates).
"""

from __future__ import annotations

import math

import numpy as np

from genlab.gan.datasets import VIEW
from genlab.gan.fields import heat_axis

REAL = "#1b9e77"
FAKE = "#7b3294"
HEAT_SCALE = [[0.0, "#c2a5cf"], [0.5, "#f7f7f7"], [1.0, "#a6dba0"]]
LAYERS = ("real", "fake", "heat", "manifold", "arrows")
MAX_CURVE_POINTS = 400
TOOLBAR_MARGIN = 36  # px above the plot: the chart's toolbar (shown on hover) sits there


def _xy(points: np.ndarray) -> tuple[list, list]:
    """x and y as lists of 3-decimal floats, None for NaN (a break in a line). One pass in numpy:
    a test per element in Python took most of a live tick's figure building (0.9 of 1.0 ms)."""
    pts = np.round(np.asarray(points, dtype=np.float64), 3)
    gaps = np.isnan(pts)
    if gaps.any():
        pts = pts.astype(object)
        pts[gaps] = None
    return pts[:, 0].tolist(), pts[:, 1].tolist()


def _scatter(points, name, color, size=5, **extra) -> dict:
    xs, ys = _xy(points)
    return {
        "type": "scatter",
        "mode": "markers",
        "x": xs,
        "y": ys,
        "name": name,
        "marker": {"color": color, "size": size},
        "hoverinfo": "skip",
        **extra,
    }


def _lines(points, name, color, width=1.0) -> dict:
    xs, ys = _xy(points)
    return {
        "type": "scatter",
        "mode": "lines",
        "x": xs,
        "y": ys,
        "name": name,
        "line": {"color": color, "width": width},
        "hoverinfo": "skip",
        "connectgaps": False,
    }


def _heat(grid, name) -> dict:
    axis = np.round(heat_axis(len(grid)), 3).tolist()
    return {
        "type": "heatmap",
        "x": axis,
        "y": axis,
        "z": np.round(grid, 3).tolist(),
        "zmin": 0,
        "zmax": 1,
        "colorscale": HEAT_SCALE,
        "showscale": False,
        "name": name,
        "hovertemplate": "D = %{z:.2f}<extra></extra>",
    }


def plane(snapshot: dict, layers, labels: dict, height: int = 460) -> dict:
    """The layered view: D's heat map, the manifold, real and fake points, gradient arrows. Each
    trace's ``uid`` is its layer's name, the name of its array in a feed's frame
    (``frame_arrays``)."""
    builders = {  # drawn in this order: the heat map at the back, the arrows on top
        "heat": lambda grid: _heat(grid, labels["heat"]),
        "manifold": lambda pts: _lines(pts, labels["manifold"], "rgba(123,50,148,0.35)"),
        "real": lambda pts: _scatter(pts, labels["real"], REAL, size=4),
        "fake": lambda pts: _scatter(pts, labels["fake"], FAKE, size=5),
        "arrows": lambda pts: _lines(pts, labels["arrows"], "#e66101", width=1.5),
    }
    data = [
        {**build(snapshot[name]), "uid": name}
        for name, build in builders.items()
        if name in layers and name in snapshot
    ]
    axis = {"range": list(VIEW), "zeroline": False, "showgrid": False, "fixedrange": False}
    return {
        "data": data,
        "layout": {
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "xaxis": {**axis, "constrain": "domain"},
            "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1, "constrain": "domain"},
            "legend": {"orientation": "h", "y": -0.08, "yanchor": "top", "x": 0},
            "plot_bgcolor": "#ffffff",
            "uirevision": "gan-plane",
        },
    }


def frame_arrays(snapshot: dict) -> dict:
    """What a feed's frame carries of a snapshot (``genlab.feed``): each layer's array, named as
    the layered view's traces."""
    return {
        name: ("z" if name == "heat" else "xy", snapshot[name])
        for name in LAYERS
        if name in snapshot
    }


def outline(snapshot: dict) -> dict:
    """The snapshot without its points, for a layered view that takes them from frames: the
    figure built of it has every trace of the snapshot, and the heat map's axes."""
    return {k: v if k == "heat" else v[:0] if k in LAYERS else v for k, v in snapshot.items()}


def _thin(values: list, limit: int = MAX_CURVE_POINTS) -> list:
    step = max(1, -(-len(values) // limit))
    picked = values[::step]
    if values and picked[-1] is not values[-1]:
        picked.append(values[-1])
    return picked


def metrics(
    log: list[dict],
    labels: dict,
    equilibrium: tuple | None,
    height: int = 460,
    js_floor: float | None = None,
) -> dict:
    """Three stacked panels against epochs: losses, KL/JS (bits), mean D(real)/D(fake).

    Dotted lines mark the values at equilibrium (a perfect generator): D = 0.5 everywhere, for
    losses that have one the losses' equilibrium values, and JS at ``js_floor``: what two draws
    of the real data itself give on these histograms (0 when not given), labelled
    ``labels["floor"]``.
    """
    records = _thin([r for r in log if "epoch" in r])
    epochs = [r["epoch"] for r in records]
    panels = (
        ("y", (("d_loss", "#d95f02"), ("g_loss", FAKE))),
        ("y2", (("js", "#1f78b4"),)),
        ("y4", (("kl", "#a6cee3"),)),  # KL (unbounded) on its own scale, right of JS (<= 1 bit)
        ("y3", (("d_real", REAL), ("d_fake", FAKE))),
    )
    data = []
    for axis, series in panels:
        for key, color in series:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": epochs,
                    "y": [_finite(r.get(key)) for r in records],
                    "name": labels[key],
                    "line": {"color": color, "width": 2},
                    "yaxis": axis,
                }
            )
    references = [("y2", js_floor or 0.0), ("y3", 0.5)]
    if equilibrium is not None:
        references += [("y", equilibrium[0]), ("y", equilibrium[1])]
    shapes = [
        {
            "type": "line",
            "xref": "x domain",
            "x0": 0,
            "x1": 1,
            "yref": axis,
            "y0": value,
            "y1": value,
            "line": {"color": "#555555", "width": 1, "dash": "dot"},
        }
        for axis, value in references
    ]
    titles = [("y domain", labels["losses"]), ("y2 domain", labels["divergence"])]
    titles.append(("y3 domain", labels["predictions"]))
    annotations = _titles(titles)
    if js_floor is not None and labels.get("floor"):
        annotations.append(_floor_note(js_floor, labels["floor"]))
    return {
        "data": data,
        "layout": {
            "height": height,
            # the top margin and the legend below keep the chart's toolbar off titles and legend
            "margin": {"l": 40, "r": 40, "t": TOOLBAR_MARGIN, "b": 95},
            "xaxis": {"anchor": "y3", "title": {"text": labels["epoch"]}},
            "yaxis": {"domain": [0.74, 1.0]},
            "yaxis2": {"domain": [0.4, 0.66], "range": [0, 1.02], "title": {"text": "JS"}},
            "yaxis4": {
                "overlaying": "y2",
                "side": "right",
                "rangemode": "tozero",
                "showgrid": False,
                "title": {"text": "KL"},
            },
            "yaxis3": {"domain": [0.0, 0.3], "range": [0, 1]},
            "shapes": shapes,
            "annotations": annotations,
            "legend": {"orientation": "h", "y": -0.2, "yanchor": "top", "x": 0},
            "uirevision": "gan-metrics",
        },
    }


def _titles(titles) -> list[dict]:
    return [
        {
            "text": text,
            "xref": "x domain",
            "yref": ref,
            "x": 0,
            "y": 1,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": 12},
        }
        for ref, text in titles
    ]


def _floor_note(value: float, text: str) -> dict:
    """The label of JS's dotted line: the value two draws of the real data give."""
    return {
        "text": text,
        "xref": "x domain",
        "yref": "y2",
        "x": 1,
        "y": value,
        "xanchor": "right",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 11, "color": "#555555"},
    }


def _finite(value):
    """The value, or None (a gap) for a missing or infinite one. math, not numpy: numpy's test on
    a Python float took most of the curves' building (14 ms for 5,000 records)."""
    return value if value is not None and math.isfinite(value) else None


# The model overview: boxes at (x, y), arrows between them, and which stage lights which boxes.
# Two columns, four rows: the overview sits in a narrow column (about 320 px at 1280 px, a phone's
# width), where six boxes in a row overlapped. The generator's path runs down the left, the
# discriminator's down the right, and the losses come back to the left.
BOXES = {
    "noise": (0.0, 3.0),
    "generator": (0.0, 2.0),
    "fake": (0.0, 1.0),
    "real": (1.0, 2.0),
    "discriminator": (1.0, 1.0),
    "predictions": (1.0, 0.0),
    "loss": (0.0, 0.0),
}
DIAGRAM_X = (-0.55, 1.55)
DIAGRAM_Y = (-0.5, 3.4)
BOX_FONT = 12  # px
BOX_PAD = 5  # px, inside the border
EDGES = (
    ("noise", "generator"),
    ("generator", "fake"),
    ("fake", "discriminator"),
    ("real", "discriminator"),
    ("discriminator", "predictions"),
    ("predictions", "loss"),
)
STAGES = ("sample", "classify", "loss", "gradients", "update")
STAGE_BOXES = {
    ("d", "sample"): ("noise", "generator", "fake", "real"),
    ("d", "classify"): ("discriminator", "predictions"),
    ("d", "loss"): ("loss",),
    ("d", "gradients"): ("loss", "discriminator"),
    ("d", "update"): ("discriminator",),
    ("g", "sample"): ("noise", "generator", "fake"),
    ("g", "classify"): ("discriminator", "predictions"),
    ("g", "loss"): ("loss",),
    ("g", "gradients"): ("loss", "discriminator", "generator"),
    ("g", "update"): ("generator",),
}


def diagram(texts: dict[str, str], stage: tuple[str, str] | None = None, height: int = 340) -> dict:
    """Noise -> G -> fakes; real and fakes -> D -> predictions -> losses, with live values.

    ``texts`` maps each box to its (translated, value-filled) text; ``stage`` lights the boxes of
    a slow-motion sub-step and draws the gradient flowing back.
    """
    lit = set(STAGE_BOXES.get(stage, ())) if stage else set()
    notes = []
    for name, (x, y) in BOXES.items():
        notes.append(
            {
                "x": x,
                "y": y,
                "text": texts[name],
                "showarrow": False,
                "bgcolor": "#fff3b0" if name in lit else "#ffffff",
                "bordercolor": "#e66101" if name in lit else _box_colour(name),
                "borderwidth": 3 if name in lit else 1.5,
                "borderpad": BOX_PAD,
                "font": {"size": BOX_FONT},
            }
        )
    margin = {"l": 5, "r": 5, "t": TOOLBAR_MARGIN, "b": 5}
    y_unit = (height - margin["t"] - margin["b"]) / (DIAGRAM_Y[1] - DIAGRAM_Y[0])  # px
    edges = list(EDGES)
    if stage is not None and stage[1] in ("gradients", "update"):
        edges += _gradient_path(stage)
    for tail, head in edges:
        notes.append(_arrow(texts, tail, head, back=(tail, head) not in EDGES, y_unit=y_unit))
    hidden = {"visible": False, "fixedrange": True}
    return {
        "data": [],
        "layout": {
            "height": height,
            "margin": margin,
            "xaxis": {**hidden, "range": list(DIAGRAM_X)},
            "yaxis": {**hidden, "range": list(DIAGRAM_Y)},
            "annotations": notes,
            "plot_bgcolor": "#ffffff",
            "uirevision": "gan-diagram",
        },
    }


def _arrow(texts: dict[str, str], tail: str, head: str, back: bool, y_unit: float) -> dict:
    """An arrow from box ``tail`` to box ``head`` (same row or same column), from edge to edge;
    a gradient flowing back runs beside the forward arrow."""
    (x0, y0), (x1, y1) = BOXES[tail], BOXES[head]
    if y0 == y1:  # across the two columns: in the gap between them (a column is >= 150 px)
        step = np.sign(x1 - x0)
        x0, x1 = x0 + 0.36 * step, x1 - 0.36 * step
        if back:
            y0 = y1 = y0 + 10 / y_unit
    else:  # down or up a column: from the tail's border to the head's, 4 px off each
        step = np.sign(y1 - y0)
        y0 += _half_height(texts[tail], y_unit) * step
        y1 -= _half_height(texts[head], y_unit) * step
        if back:
            x0 = x1 = x0 + 0.14
    return {
        "x": x1,
        "y": y1,
        "ax": x0,
        "ay": y0,
        "xref": "x",
        "yref": "y",
        "axref": "x",
        "ayref": "y",
        "text": "",
        "showarrow": True,
        "arrowhead": 2,
        "arrowwidth": 2 if back else 1.2,
        "arrowcolor": "#e66101" if back else "#888888",
    }


def _half_height(text: str, y_unit: float) -> float:
    """Half a box's height and a 4 px gap, in the diagram's y units (``y_unit`` px each)."""
    lines = text.count("<br>") + 1
    return ((lines * 1.3 * BOX_FONT + 2 * BOX_PAD + 4) / 2 + 4) / y_unit


def _gradient_path(stage) -> list[tuple[str, str]]:
    """(from, to) boxes along which the gradient flows back in a slow-motion stage."""
    path = [("loss", "predictions"), ("predictions", "discriminator")]
    if stage[0] == "g":
        path += [("discriminator", "fake"), ("fake", "generator")]
    return path


def _box_colour(name: str) -> str:
    return {"real": REAL, "fake": FAKE, "generator": FAKE, "discriminator": "#d95f02"}.get(
        name, "#888888"
    )
