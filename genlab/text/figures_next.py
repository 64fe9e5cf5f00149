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


def pipeline_figure(
    pipe: Pipeline,
    tokens: Sequence[str],
    titles: Sequence[str],
    others_label: str,
    top_n: int | None = None,
    lang: str = "en",
) -> dict:
    """Four panels side by side, one row per token: raw -> after temperature -> filters -> final.

    ``titles`` holds the four panel titles. Rows follow the ranking after penalty and temperature;
    with ``top_n`` only that many tokens get a row and one more bar holds all the others' mass,
    in every panel, so each panel still sums to 1. Filtered tokens are struck out and greyed.
    The final panel's percentages are written for ``lang`` (``44,2 %`` in pt-BR).
    """
    ids = shown_ids(pipe.order, top_n)
    others = len(ids) < len(tokens)
    kept = pipe.kept.tolist()
    labels = [
        token_label(tokens[i]) if kept[i] else f"<s>{token_label(tokens[i])}</s>" for i in ids
    ] + ([others_label] if others else [])
    rows = list(range(len(labels)))
    stages = (pipe.raw, pipe.tempered, pipe.tempered, pipe.final)
    data, layout = [], {}
    for col, (probs, domain, title) in enumerate(zip(stages, _domains(4), titles, strict=True)):
        values, custom = _bar_rows(probs, ids, others)
        if col == 0:
            colors = RAW
        else:
            colors = [KEPT if c == OTHERS or kept[c] or col == 1 else FILTERED for c in custom]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "x": values,
                "y": rows,
                "customdata": custom,
                "hovertext": labels,
                "marker": {"color": colors},
                "text": [number(lang, v, ".1%") if v >= 0.0005 else "" for v in values]
                if col == 3
                else None,
                "textposition": "outside",
                "cliponaxis": False,
                "xaxis": _axis_name("x", col),
                "yaxis": "y",
                "name": title,
                "hovertemplate": f"%{{hovertext}}: %{{x:.2%}}<extra>{escape(title)}</extra>",
            }
        )
        top = max(max(values), 1e-9)
        layout[_axis_name("xaxis", col)] = {
            "domain": domain,
            "range": [0, top * (1.35 if col == 3 else 1.05)],
            "tickformat": ".0%",
            "nticks": 3,
            "ticklabeloverflow": "hide past domain",
            "fixedrange": True,
            "title": {"text": title, "font": {"size": 12}},
            "side": "top",
        }
    layout.update(
        {
            "yaxis": {
                "tickvals": rows,
                "ticktext": labels,
                "autorange": "reversed",
                "fixedrange": True,
                "automargin": True,
            },
            "showlegend": False,
            "height": max(260, (18 if len(rows) <= 40 else 13) * len(rows) + 90),
            "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
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
    width = (1 - gap * (n_heads - 1)) / n_heads
    height = (1 - gap * 3 * (n_layers - 1)) / n_layers
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
            top = 1 - layer * (height + gap * 3)
            tick = {
                "type": "category",
                "tickvals": positions,
                "ticktext": labels,
                "fixedrange": True,
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
            "coloraxis": {"colorscale": "Blues", "cmin": 0, "cmax": 1, "showscale": False},
            "annotations": annotations,
            "height": 170 * n_layers + 80 + 5 * max(len(t) for t in labels),
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
