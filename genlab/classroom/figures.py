"""The dashboard's charts as plotly figure dicts (drawn with ``ui.charts.plot``).

Labels come from participants (answers) or lessons: they are HTML-escaped, because plotly reads a
small set of HTML tags in its text.
"""

from genlab.text.figures_next import escape

BAR = "#4C78A8"
FAKE, REAL = "#E45756", "#54A24B"


def answers(title: str, counts: list[tuple[str, int]], big: bool = False) -> dict:
    """Horizontal bars: how many participants gave each answer (first answer at the top)."""
    labels = [escape(label) for label, _ in counts]
    values = [n for _, n in counts]
    size = 22 if big else 13
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": list(range(len(labels))),
                "x": values,
                "text": [str(v) for v in values],
                "textposition": "auto",
                "textfont": {"size": size},
                "marker": {"color": BAR},
                "hovertemplate": "%{x}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": escape(title), "font": {"size": size + 2}},
            "yaxis": {
                "tickvals": list(range(len(labels))),
                "ticktext": labels,
                "autorange": "reversed",
                "automargin": True,
                "tickfont": {"size": size},
            },
            "xaxis": {"dtick": 1, "rangemode": "tozero", "tickfont": {"size": size}},
            "margin": {"l": 10, "r": 10, "t": 50 if big else 40, "b": 30},
            "height": max(220, 60 + 40 * len(labels)) * (2 if big else 1),
            "showlegend": False,
        },
    }


def _cloud(points: list, colour: str, size: int, opacity: float) -> dict:
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [float(p[0]) for p in points],
        "y": [float(p[1]) for p in points],
        "marker": {"size": size, "color": colour, "opacity": opacity},
        "hoverinfo": "skip",
    }


def gan_thumbnail(fake: list, real: list, title: str, height: int = 180) -> dict:
    """A participant's GAN: a sample of its fake points over faint real ones; the title's lines
    (``\n``) are kept as lines."""
    small = height < 300
    # "domain": a thumbnail narrower than high shrinks its plot to keep the points' aspect
    axis = {"visible": False, "fixedrange": True, "constrain": "domain"}
    return {
        "data": [
            _cloud(real, REAL, 3 if small else 5, 0.25),
            _cloud(fake, FAKE, 3 if small else 6, 0.9),
        ],
        "layout": {
            "title": {
                "text": "<br>".join(escape(line) for line in title.split("\n")),
                "font": {"size": 11 if small else 22},
            },
            "xaxis": axis,
            "yaxis": {**axis, "scaleanchor": "x"},
            "margin": {"l": 4, "r": 4, "t": 36 if small else 90, "b": 4},
            "height": height,
            "showlegend": False,
        },
    }
