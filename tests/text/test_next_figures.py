"""Figures of the next-token room: what the bars, maps and coloured text show must be true."""

import numpy as np
import plotly.colors
import plotly.graph_objects as go
import pytest
import torch

from genlab.text import figures_next as figures
from genlab.text import sampling
from genlab.text.sampling import SamplingConfig

TOKENS = ["peras", "melancia", "pregos", "cimento", "<b>", " ", "\n", "a&b"]
PROBS = torch.tensor([0.5, 0.2, 0.1, 0.08, 0.05, 0.04, 0.02, 0.01])
TITLES = ["1", "2", "3", "4", "5"]


def pipe(**settings) -> sampling.Pipeline:
    return sampling.run(PROBS.log(), SamplingConfig(**settings))


def test_pipeline_starts_at_the_scores_then_four_probability_stages_with_an_others_bar():
    fig = figures.pipeline_figure(pipe(temperature=0.5), TOKENS, TITLES, "others", top_n=3)
    assert len(fig["data"]) == 5
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert labels == ["peras", "melancia", "pregos", "others"]
    scores = fig["data"][0]
    assert scores["x"] == pytest.approx(PROBS[:3].log().tolist())  # the logits, as they are
    for trace in fig["data"][1:]:
        assert len(trace["x"]) == 4
        assert sum(trace["x"]) == pytest.approx(1.0)
        assert trace["customdata"] == [0, 1, 2, figures.OTHERS]
    raw, tempered = fig["data"][1]["x"], fig["data"][3]["x"]
    assert raw[:3] == pytest.approx(PROBS[:3].tolist())  # softmax of the scores: the model
    expected = torch.softmax(PROBS.log().double() / 0.5, dim=-1)[:3]
    assert tempered[:3] == pytest.approx(expected.tolist())  # softmax(scores / T)
    go.Figure(fig)  # a valid plotly figure


def test_every_probability_column_is_drawn_on_one_scale():
    fig = figures.pipeline_figure(pipe(temperature=2.0), TOKENS, TITLES, "others", top_n=3)
    ranges = [fig["layout"][name]["range"] for name in ("xaxis2", "xaxis3", "xaxis4", "xaxis5")]
    assert all(r == ranges[0] for r in ranges)
    assert ranges[0][1] >= max(max(trace["x"]) for trace in fig["data"][1:])
    assert "range" not in fig["layout"]["xaxis"]  # the scores are not probabilities


def test_a_penalised_token_stays_in_view_struck_with_its_new_value():
    logits = torch.tensor([3.0, 2.9, 2.8, 0.0, -1.0, -1.0, -2.0, -3.0])
    p = sampling.run(logits, SamplingConfig(repetition_penalty=3.0), previous=[0])
    fig = figures.pipeline_figure(p, TOKENS, TITLES, "others", top_n=3)
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert "peras" in labels  # pushed out of the top 3 by the penalty, still shown
    row = labels.index("peras")
    text = fig["data"][2]["text"][row]
    assert text == f"<s>{float(p.raw[0]):.1%}</s> {float(p.penalised[0]):.1%}"
    assert fig["data"][2]["text"][labels.index("melancia")] == ""


def test_filtered_tokens_are_struck_out_and_grey_and_empty_in_the_final_stage():
    fig = figures.pipeline_figure(pipe(top_k=2), TOKENS, TITLES, "others")
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert labels[:2] == ["peras", "melancia"]
    assert all(label.startswith("<s>") and label.endswith("</s>") for label in labels[2:])
    final = fig["data"][4]
    assert final["marker"]["color"][:2] == [figures.KEPT] * 2
    assert set(final["marker"]["color"][2:]) == {figures.FILTERED}
    assert fig["data"][3]["x"][2] == pytest.approx(0.1)  # before the filters: still its value
    assert final["x"][2:] == [0.0] * 6


def test_character_level_shows_every_token_and_escapes_them():
    fig = figures.pipeline_figure(pipe(), TOKENS, TITLES, "others")
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert len(labels) == len(TOKENS)
    assert "&lt;b&gt;" in labels and "a&amp;b" in labels
    assert "␣" in labels and "↵" in labels


def test_samples_figure_puts_theory_beside_draws():
    p = pipe()
    draws = sampling.sample(p.final, 1000, torch.Generator().manual_seed(0))
    fig = figures.samples_figure(
        p.final, sampling.histogram(draws, 8), p.order, TOKENS, ["p", "draws"], "others", 4
    )
    theory, drawn = fig["data"]
    assert sum(theory["y"]) == pytest.approx(1.0) and sum(drawn["y"]) == pytest.approx(1.0)
    assert theory["y"][0] == pytest.approx(0.5)
    assert abs(drawn["y"][0] - 0.5) < 0.06


def test_compare_figure_has_one_panel_per_model_each_summing_to_one():
    uniform = torch.full((8,), 1 / 8)
    fig = figures.compare_figure([("a", PROBS), ("b", uniform)], TOKENS, "others", top_n=3)
    assert [t["xaxis"] for t in fig["data"]] == ["x", "x2"]
    for trace in fig["data"]:
        assert sum(trace["x"]) == pytest.approx(1.0)
    assert fig["data"][0]["text"][0].startswith("peras")
    go.Figure(fig)


def test_attention_figure_has_one_map_per_layer_and_head():
    maps = [np.tril(np.ones((2, 3, 3))) / np.arange(1, 4)[:, None] for _ in range(3)]
    fig = figures.attention_figure(maps, ["a", "b", "<c>"], "head", "layer")
    assert len(fig["data"]) == 6
    assert fig["layout"]["annotations"][-1]["text"] == "layer 3 · head 2"
    assert fig["layout"]["yaxis"]["ticktext"] == ["a", "b", "&lt;c&gt;"]
    go.Figure(fig)


def test_attention_is_dark_where_a_token_looks_a_lot_as_the_caption_says():
    maps = [np.eye(3)[None]]
    scale = figures.attention_figure(maps, ["a", "b", "c"], "h", "l")["layout"]["coloraxis"]
    # a named scale is read differently by plotly.js (its "Blues" is dark at 0) and plotly.py:
    # the figure must spell its colours out
    colors = scale["colorscale"]
    assert isinstance(colors, list)
    ends = [plotly.colors.convert_colors_to_same_type(c[1])[0][0] for c in (colors[0], colors[-1])]
    lightness = [sum(plotly.colors.unlabel_rgb(c)) for c in ends]
    assert lightness[0] > lightness[1]  # 0 % light, 100 % dark


def test_attention_labels_get_a_row_each_so_they_never_overlap():
    tokens = [f"tok{i}" for i in range(24)]
    maps = [np.tril(np.ones((2, 24, 24))) / np.arange(1, 25)[:, None] for _ in range(4)]
    layout = figures.attention_figure(maps, tokens, "head", "layer")["layout"]
    plot = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    domain = layout["yaxis"]["domain"]
    font = layout["yaxis"]["tickfont"]["size"]
    assert plot * (domain[1] - domain[0]) / len(tokens) >= font + 2
    tops = [layout[n]["domain"] for n in layout if n.startswith("yaxis")]
    assert all(a[0] >= b[1] or b[0] >= a[1] or a == b for a in tops for b in tops)  # no overlap


def test_table_figure_shows_each_stage_and_token_dark_when_likely():
    fig = figures.table_figure(["embedding", "after layer 1"], ["a", "<b>"], [[0.1, 0.2], [0.9, 0]])
    heat = fig["data"][0]
    assert heat["y"] == ["embedding", "after layer 1"]
    assert heat["x"] == ["a", "&lt;b&gt;"]
    assert heat["text"][1][0] == "90%"
    go.Figure(fig)


def test_flow_figure_draws_one_box_per_stage_joined_by_arrows():
    boxes = [("Tokens", "a b"), ("Layer 1", "x"), ("Scores", "y")]
    fig = figures.flow_figure(boxes, [0.0, 0.5, 1.0])
    assert len(fig["layout"]["shapes"]) == 3
    arrows = [a for a in fig["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == 2
    go.Figure(fig)


def test_generated_text_is_escaped_coloured_and_underlines_the_copied_stretch():
    steps = [
        {"text": " <script>", "prob": 0.9, "alternatives": [("peras", 0.9), ('"x"', 0.1)]},
        {"text": " peras", "prob": 0.05, "alternatives": [], "forced": True},
    ]
    html = figures.text_html("Glauco & Ana", steps, highlight=(1, 2), tooltip_title="top:")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Glauco &amp; Ana" in html
    assert html.count('class="genlab-token"') == 2
    assert figures.probability_color(0.9) in html and figures.probability_color(0.05) in html
    first, second = html.split('class="genlab-token"')[1:]
    assert "inset" not in first and "inset" in second
    assert "&quot;x&quot;" in first  # quotes inside the tooltip cannot end the attribute
    assert "✋" not in first and "✋" in second  # the token the participant chose


def test_probability_colour_goes_from_red_to_green():
    assert figures.probability_color(0.0).startswith("hsl(0,")
    assert figures.probability_color(1.0).startswith("hsl(120,")
