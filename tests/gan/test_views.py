"""What the page draws: fields from a trainer and the plotly figure dicts built from them."""

import numpy as np
import plotly.graph_objects as go
import pytest

from genlab.gan import datasets, fields, figures
from genlab.gan.config import GanConfig
from genlab.gan.figures import LAYERS
from genlab.gan.training import Trainer

LABELS = {name: name for name in LAYERS}
METRIC_NAMES = "d_loss g_loss js kl d_real d_fake losses divergence predictions epoch"
METRIC_LABELS = {name: name for name in METRIC_NAMES.split()}


@pytest.fixture(scope="module")
def trainer():
    t = Trainer(GanConfig(), datasets.builtin("ring"))
    t.train(30)
    return t


def test_heat_map_is_a_probability_that_separates_after_training_d(trainer):
    heat = fields.heat_map(trainer)
    assert heat.shape == (fields.HEAT_CELLS, fields.HEAT_CELLS)
    assert heat.min() >= 0 and heat.max() <= 1
    t = Trainer(GanConfig(), datasets.builtin("ring"))
    for _ in range(200):
        t.step_d()  # only D learns: it must now tell the ring from the generator's blob
    ring = t.prob(__import__("torch").tensor([[0.7, 0.0], [0.0, -0.7]])).numpy()
    blob = t.prob(__import__("torch").from_numpy(t.fixed_fakes()[:50])).numpy()
    assert ring.mean() > 0.6 > blob.mean()


def test_manifold_is_grid_lines_or_a_single_line(trainer):
    grid = fields.manifold(trainer)
    breaks = np.isnan(grid[:, 0]).sum()
    assert breaks == 2 * fields.MANIFOLD_LINES
    line = fields.manifold(Trainer(GanConfig(noise_dim=1), datasets.builtin("ring")))
    assert np.isnan(line[:, 0]).sum() == 1


def test_arrows_start_at_fakes_and_follow_the_generator_loss(trainer):
    segments = fields.arrows(trainer, count=20).reshape(20, 3, 2)
    starts, ends = segments[:, 0], segments[:, 1]
    np.testing.assert_allclose(starts, trainer.fixed_fakes()[:20], atol=1e-6)
    lengths = np.linalg.norm(ends - starts, axis=1)
    assert np.isclose(lengths.max(), fields.ARROW_LENGTH, rtol=1e-4)
    # moving a fake a little along its arrow raises D's opinion of it (what G wants)
    import torch

    before = trainer.prob(torch.from_numpy(starts)).numpy()
    after = trainer.prob(torch.from_numpy(starts + 0.05 * (ends - starts))).numpy()
    assert (after >= before - 1e-6).mean() > 0.8


def test_plane_figure_is_valid_plotly_and_layers_switch(trainer):
    snap = fields.snapshot(trainer, trainer.data.sample(100))
    fig = figures.plane(snap, LAYERS, LABELS)
    go.Figure(fig)  # raises if the dict is not a valid figure
    assert [trace["name"] for trace in fig["data"]] == [
        "heat",
        "manifold",
        "real",
        "fake",
        "arrows",
    ]
    assert fig["layout"]["uirevision"]
    only = figures.plane(snap, {"real", "fake"}, LABELS)
    assert [trace["name"] for trace in only["data"]] == ["real", "fake"]
    fakes = only["data"][1]
    assert len(fakes["x"]) == len(snap["fake"])


def test_a_fed_plane_names_its_traces_as_the_frame_names_its_arrays(trainer):
    """A layered view fed by frames (genlab.feed) finds each trace's data by its uid."""
    snap = fields.snapshot(trainer, trainer.data.sample(100))
    arrays = figures.frame_arrays(snap)
    assert set(arrays) == set(LAYERS)
    assert {kind for name, (kind, _) in arrays.items() if name != "heat"} == {"xy"}
    assert arrays["heat"][0] == "z"
    outline = figures.plane(figures.outline(snap), LAYERS, LABELS)
    uids = [trace["uid"] for trace in outline["data"]]
    assert uids == ["heat", "manifold", "real", "fake", "arrows"]
    assert all(len(trace["x"]) == 0 for trace in outline["data"][1:])  # the points: from frames
    assert len(outline["data"][0]["x"]) == len(snap["heat"])  # the heat map's axes stay
    assert figures.outline(snap)["epoch"] == snap["epoch"]


def test_metric_curves_show_the_log_with_equilibrium_lines():
    log = [
        {"epoch": e, "d_loss": 1.3, "g_loss": 0.7, "js": 0.5, "kl": 2.0, "d_real": 0.6}
        for e in range(0, 2000, 2)
    ]
    log.append({"epoch": 2000, "d_loss": float("nan"), "g_loss": 0.7})
    fig = figures.metrics(log, METRIC_LABELS, (1.386, 0.693))
    go.Figure(fig)
    js = next(t for t in fig["data"] if t["name"] == "js")
    assert len(js["x"]) <= figures.MAX_CURVE_POINTS + 1
    assert js["x"][-1] == 2000  # the latest point is always kept
    d_loss = next(t for t in fig["data"] if t["name"] == "d_loss")
    assert d_loss["y"][-1] is None  # NaN is a gap, not a broken chart
    levels = sorted(shape["y0"] for shape in fig["layout"]["shapes"])
    assert levels == [0.0, 0.5, 0.693, 1.386]
    no_eq = figures.metrics(log, METRIC_LABELS, None)
    assert sorted(s["y0"] for s in no_eq["layout"]["shapes"]) == [0.0, 0.5]


def test_diagram_lights_the_boxes_of_a_slow_motion_stage():
    texts = {name: name for name in figures.BOXES}
    still = figures.diagram(texts)
    go.Figure(still)
    lit = figures.diagram(texts, ("g", "gradients"))
    colour = {a["text"]: a["bgcolor"] for a in lit["layout"]["annotations"] if a["text"]}
    assert colour["generator"] != colour["real"]
    back = [a for a in lit["layout"]["annotations"] if not a["text"] and a["arrowwidth"] == 2]
    assert len(back) == 4  # the gradient flows back from the loss to the generator


def test_titles_and_legends_stay_clear_of_the_chart_toolbar():
    curves = figures.metrics([{"epoch": 1, "js": 0.5}], {**METRIC_LABELS, "floor": "f"}, None)
    layout = curves["layout"]
    assert layout["margin"]["t"] >= figures.TOOLBAR_MARGIN  # the toolbar shows in the top margin
    assert layout["legend"]["y"] < 0  # the legend under the plot, not under the toolbar
    diagram = figures.diagram({name: name for name in figures.BOXES})
    assert diagram["layout"]["margin"]["t"] >= figures.TOOLBAR_MARGIN


def test_the_js_reference_line_sits_at_the_floor_and_says_so():
    labels = {**METRIC_LABELS, "floor": "two draws: 0.018"}
    curves = figures.metrics([{"epoch": 1, "js": 0.5}], labels, None, js_floor=0.018)
    js_line = next(s for s in curves["layout"]["shapes"] if s["yref"] == "y2")
    assert js_line["y0"] == 0.018
    assert "two draws: 0.018" in [a["text"] for a in curves["layout"]["annotations"]]
