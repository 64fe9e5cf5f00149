"""Figures of the text-training room, as plain plotly dicts (cheap enough for a live fragment).

Every builder takes the translated labels from the page, so the library stays language-free.
"""

import math

from genlab.text.tokenizers import show

COLORS = {"train": "#1f77b4", "val": "#d62728", "batch": "rgba(31,119,180,0.25)"}
REF_COLORS = {"uniform": "#7f7f7f", "unigram": "#9467bd", "bigram": "#2ca02c"}


def _layout(title: str, x: str, y: str, revision: str, **extra) -> dict:
    return {
        "title": {"text": title},
        "xaxis": {"title": {"text": x}},
        "yaxis": {"title": {"text": y}},
        "uirevision": revision,
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "legend": {"orientation": "h", "y": -0.2},
        **extra,
    }


def loss_curves(
    history: list[dict],
    refs: dict,
    labels: dict,
    revision: str = "loss",
    batches: list[tuple[int, float]] = (),
) -> dict:
    """Train and validation loss against steps, with dashed reference lines.

    ``history`` holds the evaluations (fixed batches); ``batches`` the loss of each training
    batch, drawn faintly behind. ``labels`` holds translated texts: title, step, loss, batch,
    train, val, uniform, unigram, bigram.
    """
    steps = [r["step"] for r in history]
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": labels["batch"],
            "x": [s for s, _ in batches],
            "y": [loss for _, loss in batches],
            "line": {"color": COLORS["batch"], "width": 1},
        }
    ]
    data += [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": labels[split],
            "x": steps,
            "y": [r[f"{split}_loss"] for r in history],
            "line": {"color": COLORS[split]},
            "marker": {"size": 4},
        }
        for split in ("train", "val")
    ]
    last = max(steps[-1] if steps else 1, batches[-1][0] if batches else 1)
    for name, value in refs.items():
        if value is None or not math.isfinite(value):
            continue
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{labels[name]} ({value:.2f})",
                "x": [0, last],
                "y": [value, value],
                "line": {"color": REF_COLORS[name], "dash": "dash", "width": 1},
                "hoverinfo": "name",
            }
        )
    return {
        "data": data,
        "layout": _layout(labels["title"], labels["step"], labels["loss"], revision, height=380),
    }


def frequency_bars(freqs: list[tuple[str, int]], labels: dict, top: int = 30) -> dict:
    """The most frequent tokens as bars (blanks and line breaks made visible)."""
    shown = freqs[:top]
    positions = list(range(len(shown)))
    return {
        "data": [
            {
                "type": "bar",
                "x": positions,
                "y": [n for _, n in shown],
                "hovertext": [show(tok) for tok, _ in shown],
                "marker": {"color": COLORS["train"]},
            }
        ],
        "layout": _layout(
            labels["title"],
            labels["token"],
            labels["count"],
            "freq",
            height=320,
            xaxis={
                "title": {"text": labels["token"]},
                "tickvals": positions,
                "ticktext": [show(tok) for tok, _ in shown],
            },
        ),
    }


def bigram_heatmap(probs, tokens: list[str], labels: dict) -> dict:
    """P(next | current) as a heat map: one row per current token, one column per next token."""
    names = [show(t) for t in tokens]
    return {
        "data": [
            {
                "type": "heatmap",
                "z": [[round(float(p), 4) for p in row] for row in probs],
                "x": names,
                "y": names,
                "colorscale": "Blues",
                "hovertemplate": labels["hover"] + "<extra></extra>",
            }
        ],
        "layout": _layout(
            labels["title"],
            labels["next"],
            labels["current"],
            "bigram",
            height=640,
            xaxis={"title": {"text": labels["next"]}, "type": "category", "tickangle": 0},
            yaxis={
                "title": {"text": labels["current"]},
                "type": "category",
                "autorange": "reversed",
            },
        ),
    }
