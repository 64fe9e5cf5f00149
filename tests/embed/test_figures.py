"""Figure builders: WebGL traces for many points, labelled overlays, animation frames; JSON-able."""

import json

import numpy as np

from genlab.embed import figures


def make(n=50, dims=2):
    rng = np.random.default_rng(0)
    coords = rng.normal(0, 1, (n, dims)).astype(np.float32)
    labels = [f"w{i}" for i in range(n)]
    kinds = ["word"] * (n - 5) + ["punctuation"] * 5
    return coords, labels, kinds


def test_the_2d_map_uses_webgl_with_one_trace_per_kind_and_labels_the_search():
    coords, labels, kinds = make()
    fig = figures.token_map(
        coords,
        labels,
        kinds=kinds,
        highlight=[3],
        highlight_name="found",
        neighbours=[4, 5],
        uirevision="r1",
    )
    types = [tr["type"] for tr in fig["data"]]
    assert types[:2] == ["scattergl", "scattergl"]
    assert sum(len(tr["x"]) for tr in fig["data"][:2]) == 50
    found = fig["data"][-1]
    assert found["text"] == ["w3"] and found["mode"] == "markers+text"
    assert fig["data"][-2]["text"] == ["w4", "w5"]
    assert fig["layout"]["uirevision"] == "r1"
    json.dumps(fig)


def test_the_3d_map_uses_scatter3d_and_frequency_colours_on_a_log_scale():
    coords, labels, kinds = make(dims=3)
    counts = np.arange(50)
    fig = figures.token_map(coords, labels, kinds=kinds, counts=counts, colour="frequency")
    (trace,) = fig["data"]
    assert trace["type"] == "scatter3d" and "z" in trace
    assert trace["marker"]["color"][9] == 1.0
    assert "scene" in fig["layout"]


def test_an_analogy_is_drawn_as_two_arrows():
    coords, labels, _ = make()
    fig = figures.token_map(coords, labels, analogy=(0, 1, 2, 3), analogy_name="arrows")
    arrows = [tr for tr in fig["data"] if "lines" in tr["mode"]]
    assert [tr["text"] for tr in arrows] == [["w1", "w0"], ["w2", "w3"]]
    (x0, x1), (y0, y1) = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    assert all(x0 < coords[i, 0] < x1 and y0 < coords[i, 1] < y1 for i in range(4))


def test_neighbour_bars_mark_the_neighbours_kept_by_the_map():
    labels = ["a", "b", "c", "d"]
    fig = figures.neighbour_bars(labels, [(1, 0.9), (2, 0.8), (3, 0.1)], {2}, "cos", "kept", "lost")
    kept, lost = fig["data"]
    assert kept["y"] == ["c "] and sorted(lost["y"]) == ["b ", "d "]
    assert fig["layout"]["yaxis"]["categoryarray"] == ["d ", "c ", "b "]


def test_the_timeline_animates_one_frame_per_step_within_fixed_axes():
    rng = np.random.default_rng(1)
    frames = [rng.normal(0, s, (30, 2)) for s in (3, 2, 1)]
    fig = figures.timeline_animation(
        [0, 10, 20],
        frames,
        [f"w{i}" for i in range(30)],
        [4],
        step_label="Step",
        play_label="Play",
        pause_label="Pause",
    )
    assert [f["name"] for f in fig["frames"]] == ["0", "10", "20"]
    assert fig["data"][1]["text"] == ["w4"]
    np.testing.assert_allclose(fig["frames"][1]["data"][1]["x"], frames[1][[4], 0])
    assert "text" not in fig["frames"][0]["data"][0]
    low, high = fig["layout"]["xaxis"]["range"]
    assert low <= min(f[:, 0].min() for f in frames) and high >= max(f[:, 0].max() for f in frames)
    assert [s["label"] for s in fig["layout"]["sliders"][0]["steps"]] == ["0", "10", "20"]
    assert fig["layout"]["updatemenus"][0]["buttons"][0]["method"] == "animate"
    json.dumps(fig)


def test_every_figure_passes_plotly_validation_as_streamlit_applies_it():
    import plotly.graph_objects as go

    rng = np.random.default_rng(3)
    labels = [f"w{i}" for i in range(20)]
    for dims in (2, 3):
        coords = rng.normal(0, 1, (20, dims))
        go.Figure(figures.token_map(coords, labels, highlight=[1], analogy=(0, 1, 2, 3)))
        frames = [rng.normal(0, 1, (20, dims)) for _ in range(3)]
        anim = figures.timeline_animation(
            [0, 1, 2], frames, labels, [2], step_label="s", play_label="p", pause_label="q"
        )
        go.Figure(anim)
    go.Figure(figures.neighbour_bars(labels, [(1, 0.5), (2, 0.4)], {1}, "cos", "a", "b"))


def test_labels_of_a_tight_cluster_do_not_pile_up_and_the_searched_word_keeps_its_own():
    rng = np.random.default_rng(1)
    coords = np.concatenate([rng.normal(0, 0.01, (11, 2)), rng.normal(0, 5, (200, 2))])
    labels = [f"token{i}" for i in range(len(coords))]
    fig = figures.token_map(coords, labels, highlight=[0], neighbours=list(range(1, 11)))
    neighbours, found = fig["data"][-2:]
    assert found["text"] == ["token0"]
    written = [i for i, text in zip(range(1, 11), neighbours["text"], strict=True) if text] + [0]
    assert 1 <= len(written) < 11
    per_px = (coords.max(axis=0) - coords.min(axis=0)) * 1.1 / np.array(figures.PLOT_PX)
    boxes = [figures.label_box(coords, i, labels[i], per_px) for i in written]
    for k, a in enumerate(boxes):
        for b in boxes[k + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
    assert neighbours["hovertext"] == labels[1:11]  # every label still shows on hover


def test_spread_out_labels_are_all_written():
    coords = np.array([[float(i), float(i % 2)] for i in range(6)]) * 100
    labels = list("abcdef")
    fig = figures.token_map(coords, labels, highlight=[0], neighbours=[1, 2, 3, 4, 5])
    assert fig["data"][-2]["text"] == list("bcdef")
