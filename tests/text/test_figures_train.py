"""Figure builders: plain plotly dicts with the data the page promises."""

import plotly.graph_objects as go

from genlab.text import figures_train as figures

LOSS_LABELS = {
    k: k.upper()
    for k in ("title", "step", "loss", "batch", "train", "val", "uniform", "unigram", "bigram")
}
HISTORY = [
    {"step": 0, "train_loss": 4.2, "val_loss": 4.2},
    {"step": 100, "train_loss": 2.5, "val_loss": 2.6},
]
REFS = {"uniform": 4.17, "unigram": 3.3, "bigram": 2.48}


def test_loss_curves_draw_train_val_and_three_reference_lines():
    batches = [(1, 4.3), (2, 4.0), (110, 2.4)]
    fig = figures.loss_curves(HISTORY, REFS, LOSS_LABELS, "job1", batches)
    names = [trace["name"] for trace in fig["data"]]
    assert names[:3] == ["BATCH", "TRAIN", "VAL"]
    assert fig["data"][0]["x"] == [1, 2, 110] and fig["data"][0]["y"] == [4.3, 4.0, 2.4]
    assert fig["data"][2]["y"] == [4.2, 2.6]
    refs = fig["data"][3:]
    assert [r["y"][0] for r in refs] == [4.17, 3.3, 2.48]
    assert all(r["x"] == [0, 110] and r["line"]["dash"] == "dash" for r in refs)
    assert "BIGRAM (2.48)" in names
    assert fig["layout"]["uirevision"] == "job1"
    go.Figure(fig)


def test_loss_curves_skip_missing_references_and_accept_an_empty_history():
    fig = figures.loss_curves([], {"uniform": 4.0, "bigram": float("nan")}, LOSS_LABELS)
    assert [t["name"] for t in fig["data"]] == ["BATCH", "TRAIN", "VAL", "UNIFORM (4.00)"]


def test_frequency_bars_show_blank_tokens_visibly_and_keep_duplicates_apart():
    labels = {"title": "T", "token": "tok", "count": "n"}
    fig = figures.frequency_bars([(" ", 10), ("\n", 5), ("a", 5), ("a", 1)], labels, top=3)
    assert fig["data"][0]["y"] == [10, 5, 5]
    assert fig["layout"]["xaxis"]["ticktext"] == ["␣", "⏎", "a"]
    go.Figure(fig)


def test_bigram_heatmap_has_one_row_and_column_per_token():
    labels = {"title": "T", "next": "next", "current": "cur", "hover": "%{y}->%{x}"}
    fig = figures.bigram_heatmap([[0.5, 0.5], [1.0, 0.0]], ["a", " "], labels)
    heat = fig["data"][0]
    assert heat["x"] == heat["y"] == ["a", "␣"]
    assert heat["z"] == [[0.5, 0.5], [1.0, 0.0]]
    go.Figure(fig)
