"""Figures of the next-token room: pure functions from tensors to plotly figure dicts.

Labels arrive translated from the page; nothing here knows a language. Token strings are
HTML-escaped because plotly reads a small set of HTML tags in its text.
"""

import html
from collections.abc import Sequence

import numpy as np
import torch

from genlab.i18n import number
from genlab.text.sampling import Pipeline

OTHERS = -1  # customdata of the "all others" bar: not a token, cannot be forced
KEPT = "#2563eb"
FILTERED = "#cbd5e1"
RAW = "#94a3b8"
SAMPLED = "#f97316"
# light = little, dark = a lot (plotly's named "Blues" runs the other way: dark at 0)
LIGHT_TO_DARK = [[0.0, "#f8fafc"], [0.5, "#60a5fa"], [1.0, "#1e3a8a"]]
ROW_PX = 14  # height of one token's row in an attention map: labels never overlap
FONT = {"family": "sans-serif", "size": 12}
GAP = 0.04


def escape(text: str) -> str:
    """Escape for plotly text and HTML (quotes stay: plotly does not decode &quot;)."""
    return html.escape(text, quote=False)


def visible(token: str) -> str:
    """A token with its spaces and line breaks shown as symbols."""
    return token.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥") or "∅"


def token_label(token: str) -> str:
    """A token made visible on an axis, HTML escaped."""
    return escape(visible(token))


def shown_ids(order: torch.Tensor, top_n: int | None) -> list[int]:
    """The ids drawn as their own bar: all of them, or the first top_n of ``order``."""
    ids = order.tolist()
    return ids if top_n is None or top_n >= len(ids) else ids[:top_n]


def _bar_rows(probs: torch.Tensor, ids: list[int], others: bool) -> tuple[list[float], list[int]]:
    """Bar heights and customdata for ``ids``, plus one bar for the rest when ``others``."""
    values = probs[ids].tolist()
    rest = max(float(probs.sum()) - sum(values), 0.0)
    return ([*values, rest], [*ids, OTHERS]) if others else (values, ids)


def _domains(n: int) -> list[list[float]]:
    width = (1.0 - GAP * (n - 1)) / n
    return [[i * (width + GAP), i * (width + GAP) + width] for i in range(n)]


def _axis_name(prefix: str, i: int) -> str:
    return prefix if i == 0 else f"{prefix}{i + 1}"


def pipeline_rows(pipe: Pipeline, top_n: int | None) -> list[int]:
    """The ids that get a row: the top_n after penalty and temperature, plus any token the
    repetition penalty pushed out of the model's own top_n (it stays in view, struck)."""
    ids = shown_ids(pipe.order, top_n)
    if top_n is None:
        return ids
    before = set(shown_ids(torch.sort(pipe.raw, descending=True, stable=True).indices, top_n))
    return ids + [i for i in pipe.penalised_ids if i in before and i not in ids]


def _penalty_text(pipe: Pipeline, ids: list[int], values: list[float]) -> list[str]:
    """The penalty column's labels: a penalised token shows its old value struck, then the new."""
    hit = set(pipe.penalised_ids)
    return [
        f"<s>{float(pipe.raw[i]):.1%}</s> {v:.1%}" if i in hit else ""
        for i, v in zip(ids, values, strict=True)
    ]


def _stage_trace(col: int, values: list, custom: list, labels: list, title: str) -> dict:
    return {
        "type": "bar",
        "orientation": "h",
        "x": values,
        "y": list(range(len(labels))),
        "customdata": custom,
        "hovertext": labels,
        "textposition": "outside",
        "cliponaxis": False,
        "xaxis": _axis_name("x", col),
        "yaxis": "y",
        "name": title,
        "hovertemplate": (
            f"%{{hovertext}}: %{{x:{'.2f' if col == 0 else '.2%'}}}<extra>{escape(title)}</extra>"
        ),
    }


def _stage_axis(domain: list[float], title: str, scale: list[float] | None) -> dict:
    axis = {
        "domain": domain,
        "nticks": 3,
        "tickangle": 0,
        "tickfont": {"size": 9},
        "ticklabeloverflow": "hide past domain",
        "fixedrange": True,
        "title": {"text": title, "font": {"size": 10}, "standoff": 2},
        "side": "top",
    }
    if scale is not None:  # every probability column on one scale
        axis.update({"range": scale, "tickformat": ".0%"})
    return axis


def pipeline_figure(
    pipe: Pipeline,
    tokens: Sequence[str],
    titles: Sequence[str],
    others_label: str,
    top_n: int | None = None,
    lang: str = "en",
) -> dict:
    """Five panels side by side, one row per token, from the model's scores to what is drawn:
    scores (logits) -> softmax -> repetition penalty -> softmax(scores / T) -> filters, final.

    ``titles`` holds the five panel titles. The four probability panels share one scale, so the
    temperature's flattening is seen. Rows follow the ranking after penalty and temperature;
    with ``top_n`` one more bar holds all the others' mass (each probability panel sums to 1).
    Tokens removed by the filters are struck out and greyed. Numbers are written for ``lang``
    (``44,2 %`` in pt-BR).
    """
    ids = pipeline_rows(pipe, top_n)
    others = len(ids) < len(tokens)
    kept = pipe.kept.tolist()
    labels = [
        token_label(tokens[i]) if kept[i] else f"<s>{token_label(tokens[i])}</s>" for i in ids
    ] + ([others_label] if others else [])
    stages = (pipe.raw, pipe.penalised, pipe.tempered, pipe.final)
    rows = [_bar_rows(probs, ids, others) for probs in stages]
    scale = [0, max(max(values) for values, _ in rows) * 1.3 + 1e-9]
    scores = pipe.logits[ids].tolist()
    data = [_stage_trace(0, scores, ids, labels[: len(ids)], titles[0])]
    data[0].update(
        marker={"color": RAW}, text=[number(lang, v, ".1f") for v in scores], textposition="auto"
    )
    layout = {"xaxis": _stage_axis(_domains(5)[0], titles[0], None)}
    for col, (values, custom) in enumerate(rows, start=1):
        trace = _stage_trace(col, values, custom, labels, titles[col])
        colors = [KEPT if c == OTHERS or kept[c] or col < 4 else FILTERED for c in custom]
        trace["marker"] = {"color": colors}
        if col == 2:
            trace["text"] = _penalty_text(pipe, ids, values[: len(ids)])
        elif col == 4:
            trace["text"] = [number(lang, v, ".1%") if v >= 0.0005 else "" for v in values]
        data.append(trace)
        layout[_axis_name("xaxis", col)] = _stage_axis(_domains(5)[col], titles[col], scale)
    layout.update(
        {
            "yaxis": {
                "tickvals": list(range(len(labels))),
                "ticktext": labels,
                "autorange": "reversed",
                "fixedrange": True,
                "automargin": True,
            },
            "showlegend": False,
            "height": max(260, (18 if len(labels) <= 40 else 13) * len(labels) + 80),
            "margin": {"l": 10, "r": 40, "t": 50, "b": 10},
            "bargap": 0.15,
            "font": FONT,
            "clickmode": "event+select",
            "dragmode": False,
            "uirevision": "pipeline",
        }
    )
    return {"data": data, "layout": layout}


def samples_figure(
    probs: torch.Tensor,
    frequencies: torch.Tensor,
    order: torch.Tensor,
    tokens: Sequence[str],
    names: Sequence[str],
    others_label: str,
    top_n: int | None = None,
) -> dict:
    """Theoretical probabilities beside the fraction of samples per token (``names``: 2 legends)."""
    ids = [i for i in shown_ids(order, top_n) if float(probs[i]) > 0 or float(frequencies[i]) > 0]
    others = len(ids) < len(tokens)
    labels = [token_label(tokens[i]) for i in ids] + ([others_label] if others else [])
    data = []
    for values, name, color in ((probs, names[0], KEPT), (frequencies, names[1], SAMPLED)):
        y, _ = _bar_rows(values, ids, others)
        data.append(
            {
                "type": "bar",
                "x": list(range(len(labels))),
                "y": y,
                "name": name,
                "marker": {"color": color},
                "hovertemplate": "%{y:.2%}<extra>" + escape(name) + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "barmode": "group",
            "xaxis": {
                "tickvals": list(range(len(labels))),
                "ticktext": labels,
                "tickangle": -40,
                "fixedrange": True,
                "automargin": True,
            },
            "yaxis": {"tickformat": ".0%", "fixedrange": True},
            "legend": {"orientation": "h", "y": 1.12},
            "height": 320,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "font": FONT,
            "uirevision": "samples",
        },
    }


def compare_figure(
    columns: Sequence[tuple[str, torch.Tensor]],
    tokens: Sequence[str],
    others_label: str,
    top_n: int = 10,
) -> dict:
    """One panel per model (title, probabilities), each with its own top_n and an others bar."""
    data, layout = [], {}
    for col, ((title, probs), domain) in enumerate(
        zip(columns, _domains(len(columns)), strict=True)
    ):
        ids = shown_ids(torch.sort(probs, descending=True, stable=True).indices, top_n)
        values, _ = _bar_rows(probs, ids, True)
        labels = [token_label(tokens[i]) for i in ids] + [others_label]
        xaxis, yaxis = _axis_name("x", col), _axis_name("y", col)
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": values,
                "y": labels,
                "xaxis": xaxis,
                "yaxis": yaxis,
                "marker": {"color": [KEPT] * len(ids) + [FILTERED]},
                "text": [f"{lab}  {v:.1%}" for lab, v in zip(labels, values, strict=True)],
                "textposition": "auto",
                "insidetextanchor": "start",
                "hovertemplate": "%{y}: %{x:.2%}<extra>" + escape(title) + "</extra>",
            }
        )
        layout[_axis_name("xaxis", col)] = {
            "domain": domain,
            "anchor": yaxis,
            "range": [0, 1],
            "tickformat": ".0%",
            "fixedrange": True,
            "title": {"text": escape(title)},
            "side": "top",
        }
        layout[_axis_name("yaxis", col)] = {
            "anchor": xaxis,
            "autorange": "reversed",
            "fixedrange": True,
            "type": "category",
            "showticklabels": False,
        }
    layout.update(
        {
            "showlegend": False,
            "height": 24 * (top_n + 1) + 90,
            "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
            "font": FONT,
            "uirevision": "compare",
        }
    )
    return {"data": data, "layout": layout}


def attention_figure(
    attention: Sequence[np.ndarray], tokens: Sequence[str], head_label: str, layer_label: str
) -> dict:
    """A grid of heat maps, one row per layer and one column per head: who looks at whom.

    ``attention[layer]`` is [heads, T, T] (row = the position that reads, column = what it reads).
    """
    n_layers, n_heads = len(attention), attention[0].shape[0]
    labels = [token_label(t) for t in tokens]
    positions = [f"{i + 1}·{label}" for i, label in enumerate(labels)]  # unique categories
    gap = 0.02
    panel = max(170, ROW_PX * len(tokens))  # pixels per map: one label per row fits
    label_px = 7 * max(len(label) for label in labels) + 30
    plot = panel * n_layers + 60 * (n_layers - 1) + label_px  # the plotting area, in pixels
    width = (1 - gap * (n_heads - 1)) / n_heads
    height = panel / plot
    step = 60 / plot
    data, layout, annotations = [], {}, []
    for layer, weights in enumerate(attention):
        for head in range(n_heads):
            i = layer * n_heads + head
            xaxis, yaxis = _axis_name("x", i), _axis_name("y", i)
            data.append(
                {
                    "type": "heatmap",
                    "z": np.round(weights[head], 2).tolist(),
                    "x": positions,
                    "y": positions,
                    "xaxis": xaxis,
                    "yaxis": yaxis,
                    "coloraxis": "coloraxis",
                    "hovertemplate": "%{y} → %{x}: %{z:.0%}<extra></extra>",
                }
            )
            left = head * (width + gap)
            top = 1 - layer * (height + step)
            tick = {
                "type": "category",
                "tickvals": positions,
                "ticktext": labels,
                "fixedrange": True,
                "tickfont": {"size": 10},
            }
            layout[_axis_name("xaxis", i)] = {
                **tick,
                "domain": [left, left + width],
                "anchor": yaxis,
                "showticklabels": layer == n_layers - 1,
                "tickangle": -60,
            }
            layout[_axis_name("yaxis", i)] = {
                **tick,
                "domain": [top - height, top],
                "anchor": xaxis,
                "autorange": "reversed",
                "showticklabels": head == 0,
            }
            annotations.append(
                {
                    "text": f"{layer_label} {layer + 1} · {head_label} {head + 1}",
                    "x": left + width / 2,
                    "y": top,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 11},
                }
            )
    layout.update(
        {
            "coloraxis": {
                "colorscale": LIGHT_TO_DARK,
                "cmin": 0,
                "cmax": 1,
                "showscale": False,
            },
            "annotations": annotations,
            "height": round(plot) + 40,
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
            "font": FONT,
            "uirevision": "attention",
        }
    )
    return {"data": data, "layout": layout}


def probability_color(p: float) -> str:
    """Background for a token: red when it was unlikely, through yellow, to green when likely."""
    return f"hsl({120 * min(max(p, 0.0), 1.0):.0f}, 75%, 82%)"


def text_html(
    prompt: str,
    pieces: Sequence[dict],
    highlight: tuple[int, int] | None = None,
    tooltip_title: str = "",
) -> str:
    """The prompt, then each generated piece coloured by the probability it had.

    Each piece is ``{"text", "prob", "alternatives": [(token, prob), ...], "forced"}``; hovering
    shows its probability (✋ when the participant chose it) and the top alternatives.
    ``highlight`` (start, end) underlines the pieces copied verbatim from the training text.
    Everything is escaped.
    """
    spans = [f"<span>{escape(prompt)}</span>"]
    for i, piece in enumerate(pieces):
        hand = " ✋" if piece.get("forced") else ""
        lines = [f"{visible(piece['text'])}: {piece['prob']:.1%}{hand}", tooltip_title]
        lines += [f"{visible(tok)}  {p:.1%}" for tok, p in piece["alternatives"]]
        tip = html.escape("\n".join(lines)).replace("\n", "&#10;")
        copied = highlight is not None and highlight[0] <= i < highlight[1]
        underline = "box-shadow:inset 0 -3px #7c3aed;" if copied else ""
        spans.append(
            f'<span class="genlab-token" title="{tip}" style="background:'
            f"{probability_color(piece['prob'])};color:#111;{underline}"
            f'">{escape(piece["text"])}</span>'
        )
    return (
        '<div class="genlab-generated" style="white-space:pre-wrap;line-height:1.9;'
        'font-family:ui-monospace,monospace;font-size:0.95rem">' + "".join(spans) + "</div>"
    )


def table_figure(
    stages: Sequence[str], tokens: Sequence[str], rows: Sequence[Sequence[float]]
) -> dict:
    """A table of shares, dark = a lot: the logit lens (one row per stage: embedding, after
    layer 1, ...; one column per token of the final top) or what the last token reads (one row
    per layer and head, one column per token of the prompt)."""
    labels = [token_label(t) for t in tokens]
    z = [[round(p, 4) for p in row] for row in rows]
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": labels,
                "y": [escape(s) for s in stages],
                "text": [[f"{p:.0%}" for p in row] for row in rows],
                "texttemplate": "%{text}",
                "colorscale": LIGHT_TO_DARK,
                "zmin": 0,
                "zmax": 1,
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
                "hovertemplate": "%{y} · %{x}: %{z:.1%}<extra></extra>",
            }
        ],
        "layout": {
            "xaxis": {"side": "top", "fixedrange": True, "type": "category"},
            "yaxis": {"autorange": "reversed", "fixedrange": True, "type": "category"},
            "height": 34 * len(stages) + 90,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "font": FONT,
            "uirevision": "lens",
        },
    }


def flow_figure(boxes: Sequence[tuple[str, str]], strength: Sequence[float]) -> dict:
    """The GPT as one picture: boxes from the tokens to the softmax, left to right, joined by
    arrows. ``boxes`` holds (title, body) pairs already written for the reader (body lines joined
    with <br>); ``strength`` (0..1 per box) shades each box by how sure the lens is there."""
    n = len(boxes)
    shapes, annotations = [], []
    for i, ((title, body), sure) in enumerate(zip(boxes, strength, strict=True)):
        x0, x1 = i + 0.06, i + 0.94
        fill = f"rgba(37, 99, 235, {0.08 + 0.5 * min(max(sure, 0.0), 1.0):.2f})"
        shapes.append(
            {
                "type": "rect",
                "x0": x0,
                "x1": x1,
                "y0": 0,
                "y1": 1,
                "fillcolor": fill,
                "line": {"color": "#1e3a8a", "width": 1},
            }
        )
        annotations.append(
            {
                "x": i + 0.5,
                "y": 0.93,
                "text": f"<b>{escape(title)}</b>",
                "showarrow": False,
                "yanchor": "top",
                "font": {"size": 12, "color": "#111"},
            }
        )
        annotations.append(
            {
                "x": i + 0.5,
                "y": 0.7,
                "text": body,
                "showarrow": False,
                "yanchor": "top",
                "font": {"size": 11, "color": "#111"},
            }
        )
        if i < n - 1:
            annotations.append(
                {
                    "x": i + 1.06,
                    "y": 0.5,
                    "ax": i + 0.94,
                    "ay": 0.5,
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "text": "",
                }
            )
    hidden = {"visible": False, "fixedrange": True}
    return {
        "data": [],
        "layout": {
            "xaxis": {**hidden, "range": [0, n]},
            "yaxis": {**hidden, "range": [0, 1]},
            "shapes": shapes,
            "annotations": annotations,
            "height": 150,
            "margin": {"l": 5, "r": 5, "t": 5, "b": 5},
            "font": FONT,
            "uirevision": "flow",
        },
    }
