"""Figure builders for the embedding room: pure functions returning plotly figures as plain dicts.

Points go to WebGL traces (``scattergl``, ``scatter3d``) so that 10,000 tokens still pan and
rotate smoothly; labelled overlays (search hits, neighbours, analogy words) are small SVG traces.
"""

import numpy as np

from genlab.embed.space import KINDS

KIND_COLOURS = dict(
    zip(
        KINDS,
        (
            "#e45756",
            "#f58518",
            "#72b7b2",
            "#bab0ac",
            "#4c78a8",
            "#54a24b",
            "#b279a2",
            "#9d755d",
        ),
        strict=True,
    )
)
HIGHLIGHT = "#d62728"
NEIGHBOUR = "#ff7f0e"
BASE = "#7f7f7f"
AXES = ("x", "y", "z")
LABEL_PX = 14  # label font size
PLOT_PX = (600, 520)  # a 2-D map's plotting area on a laptop, a little less: labels that fit


def _xyz(coords: np.ndarray, idx=None) -> dict:
    rows = coords if idx is None else coords[list(idx)]
    return {axis: rows[:, k].tolist() for k, axis in enumerate(AXES[: coords.shape[1]])}


def _layout(dims: int, axis_titles: list[str], uirevision: str, height: int = 620) -> dict:
    layout = {
        "uirevision": uirevision,
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {
            "itemsizing": "constant",
            "orientation": "h",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
        },
        "hovermode": "closest",
    }
    if dims == 3:
        layout["scene"] = {
            f"{a}axis": {"title": {"text": t}, "showspikes": False}
            for a, t in zip(AXES, axis_titles, strict=False)
        }
    else:
        layout["xaxis"] = {"title": {"text": axis_titles[0]}, "zeroline": False}
        layout["yaxis"] = {"title": {"text": axis_titles[1]}, "zeroline": False}
    return layout


def _points(coords, idx, labels, name, marker, dims) -> dict:
    trace = {
        "type": "scatter3d" if dims == 3 else "scattergl",
        "mode": "markers",
        "name": name,
        "text": [labels[i] for i in idx],
        "customdata": list(map(int, idx)),
        "hovertemplate": "%{text}<extra></extra>",
        "marker": marker,
        **_xyz(coords, idx),
    }
    return trace


def _labelled(coords, idx, labels, name, colour, dims, size=9, shown=None) -> dict:
    """Marked points; their labels written on the map (only those in ``shown`` when given),
    every label on hover."""
    return {
        "type": "scatter3d" if dims == 3 else "scatter",
        "mode": "markers+text",
        "name": name,
        "text": [labels[i] if shown is None or i in shown else "" for i in idx],
        "hovertext": [labels[i] for i in idx],
        "textposition": "top center",
        "textfont": {"size": LABEL_PX, "color": colour},
        "hovertemplate": "%{hovertext}<extra></extra>",
        "marker": {"size": size, "color": colour, "line": {"width": 1, "color": "white"}},
        **_xyz(coords, idx),
    }


def label_box(coords: np.ndarray, i: int, label: str, per_px: np.ndarray) -> np.ndarray:
    """The box (x0, y0, x1, y1, in data units) of point ``i``'s label written above it."""
    x, y = coords[i, :2]
    half = (0.6 * LABEL_PX * max(len(label), 1) + 4) / 2 * per_px[0]
    bottom = y + 0.3 * LABEL_PX * per_px[1]
    return np.array([x - half, bottom, x + half, bottom + 1.3 * LABEL_PX * per_px[1]])


def readable(coords: np.ndarray, order: list[int], labels: list[str]) -> set[int]:
    """The points of ``order`` (most important first) whose labels are written on a 2-D map: a
    label that would overlap one already written is left to the hover, so labels stay readable."""
    span = coords[:, :2].max(axis=0) - coords[:, :2].min(axis=0)
    per_px = np.where(span > 0, span * 1.1, 1.0) / np.array(PLOT_PX)
    placed, shown = [], set()
    for i in dict.fromkeys(int(j) for j in order):
        box = label_box(coords, i, labels[i], per_px)
        if all(
            box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in placed
        ):
            placed.append(box)
            shown.add(i)
    return shown


def token_map(
    coords: np.ndarray,
    labels: list[str],
    *,
    kinds: list[str] | None = None,
    kind_names: dict[str, str] | None = None,
    counts: np.ndarray | None = None,
    colour: str = "kind",
    axis_titles: list[str] | None = None,
    highlight: list[int] = (),
    highlight_name: str = "",
    neighbours: list[int] = (),
    neighbours_name: str = "",
    analogy: tuple[int, int, int, int] | None = None,
    analogy_name: str = "",
    frequency_name: str = "",
    uirevision: str = "map",
) -> dict:
    """The map of every token; highlighted tokens and neighbours labelled; an analogy drawn as the
    two arrows b -> a and c -> answer (parallel when the analogy holds in the map)."""
    dims = coords.shape[1]
    size = 3 if dims == 3 else 5
    every = np.arange(len(coords))
    traces = []
    if colour == "kind" and kinds is not None:
        kind_arr = np.asarray(kinds)
        for kind in KINDS:
            idx = every[kind_arr == kind]
            if len(idx):
                name = (kind_names or {}).get(kind, kind)
                marker = {"size": size, "color": KIND_COLOURS[kind], "opacity": 0.7}
                traces.append(_points(coords, idx, labels, name, marker, dims))
    elif colour == "frequency" and counts is not None:
        marker = {
            "size": size,
            "color": np.log10(np.asarray(counts, dtype=float) + 1).round(3).tolist(),
            "colorscale": "Viridis",
            "opacity": 0.8,
            "colorbar": {"title": {"text": frequency_name}, "thickness": 12},
        }
        traces.append(_points(coords, every, labels, frequency_name, marker, dims))
    else:
        marker = {"size": size, "color": BASE, "opacity": 0.6}
        traces.append(_points(coords, every, labels, "", marker, dims))
    shown = None if dims == 3 else readable(coords, [*highlight, *neighbours], labels)
    if len(neighbours):
        traces.append(
            _labelled(coords, neighbours, labels, neighbours_name, NEIGHBOUR, dims, 7, shown)
        )
    if len(highlight):
        traces.append(
            _labelled(coords, highlight, labels, highlight_name, HIGHLIGHT, dims, 11, shown)
        )
    if analogy is not None:
        a, b, c, d = analogy
        for start, end in ((b, a), (c, d)):
            line = _labelled(coords, [start, end], labels, analogy_name, "#2ca02c", dims, 10)
            line["mode"] = "lines+markers+text"
            line["line"] = {"color": "#2ca02c", "width": 4}
            line["showlegend"] = start == b
            traces.append(line)
    layout = _layout(dims, axis_titles or list(AXES), uirevision)
    if analogy is not None and dims == 2:  # open zoomed on the four words; double-click zooms out
        corners = coords[list(analogy)]
        low, high = corners.min(axis=0), corners.max(axis=0)
        pad = 0.4 * np.maximum(high - low, 1e-3 * (coords.max(axis=0) - coords.min(axis=0)))
        layout["xaxis"]["range"] = [float(low[0] - pad[0]), float(high[0] + pad[0])]
        layout["yaxis"]["range"] = [float(low[1] - pad[1]), float(high[1] + pad[1])]
    return {"data": traces, "layout": layout}


def neighbour_bars(
    labels: list[str],
    full: list[tuple[int, float]],
    shared: set[int],
    score_title: str,
    shared_name: str,
    not_shared_name: str,
) -> dict:
    """Horizontal bars: the nearest tokens in the full space, best on top; a bar is coloured when
    the token is also among the neighbours on the map."""
    rows = list(reversed(full))
    traces = []
    for is_shared, name, colour in ((True, shared_name, NEIGHBOUR), (False, not_shared_name, BASE)):
        pick = [(i, s) for i, s in rows if (i in shared) == is_shared]
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "x": [round(s, 4) for _, s in pick],
                "y": [f"{labels[i]} " for i, _ in pick],
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:.3f}<extra></extra>",
            }
        )
    order = [f"{labels[i]} " for i, _ in rows]
    layout = {
        "height": 40 + 24 * max(len(rows), 3),
        "margin": {"l": 10, "r": 10, "t": 30, "b": 30},
        "barmode": "overlay",
        "xaxis": {"title": {"text": score_title}},
        "yaxis": {"categoryorder": "array", "categoryarray": order, "automargin": True},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        "uirevision": "neighbours",
    }
    return {"data": traces, "layout": layout}


def timeline_animation(
    steps: list[int],
    frames: list[np.ndarray],
    labels: list[str],
    highlight: list[int],
    *,
    step_label: str,
    play_label: str,
    pause_label: str,
    frame_ms: int = 400,
) -> dict:
    """The map at each saved training step, animated in the browser (plotly frames), with a slider
    and play/pause buttons; it opens on the first (random) snapshot, so Play shows the structure
    emerge. Highlighted tokens are labelled so one can follow them."""
    dims = frames[0].shape[1]
    stacked = np.concatenate(frames)
    pad = 0.05 * (stacked.max(axis=0) - stacked.min(axis=0))
    lows, highs = stacked.min(axis=0) - pad, stacked.max(axis=0) + pad
    every = np.arange(len(labels))

    def traces(coords):
        base = _points(
            coords,
            every,
            labels,
            "",
            {"size": 3 if dims == 3 else 5, "color": BASE, "opacity": 0.6},
            dims,
        )
        base["showlegend"] = False
        marked = _labelled(coords, highlight, labels, "", HIGHLIGHT, dims, 10)
        marked["showlegend"] = False
        return [base, marked]

    base_type, marked_type = ("scatter3d", "scatter3d") if dims == 3 else ("scattergl", "scatter")
    redraw = {"frame": {"duration": frame_ms, "redraw": True}, "mode": "immediate"}
    layout = _layout(dims, ["", "", ""], "timeline", height=560)
    ranges = {a: [float(lo), float(hi)] for a, lo, hi in zip(AXES, lows, highs, strict=False)}
    if dims == 3:
        for a in AXES:
            layout["scene"][f"{a}axis"]["range"] = ranges[a]
        layout["scene"]["aspectmode"] = "cube"
    else:
        layout["xaxis"]["range"] = ranges["x"]
        layout["yaxis"]["range"] = ranges["y"]
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "left",
            "x": 0,
            "y": 1.08,
            "xanchor": "left",
            "showactive": False,
            "buttons": [
                {
                    "label": "▶ " + play_label,
                    "method": "animate",
                    "args": [None, {**redraw, "fromcurrent": True}],
                },
                {
                    "label": pause_label,
                    "method": "animate",
                    "args": [
                        [None],
                        {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"},
                    ],
                },
            ],
        }
    ]
    layout["sliders"] = [
        {
            "active": 0,
            "currentvalue": {"prefix": step_label + " "},
            "pad": {"t": 30},
            "steps": [
                {
                    "label": str(s),
                    "method": "animate",
                    "args": [[str(s)], {**redraw, "frame": {"duration": 0, "redraw": True}}],
                }
                for s in steps
            ],
        }
    ]
    return {
        "data": traces(frames[0]),
        "frames": [  # coordinates only: plotly keeps each trace's labels and style
            {
                "name": str(s),
                "data": [
                    {"type": base_type, **_xyz(f)},
                    {"type": marked_type, **_xyz(f, highlight)},
                ],
            }
            for s, f in zip(steps, frames, strict=True)
        ],
        "layout": layout,
    }
