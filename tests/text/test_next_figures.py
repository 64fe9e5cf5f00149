"""Figures of the next-token room: what the bars, maps and coloured text show must be true."""

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

from genlab.text import figures_next as figures
from genlab.text import sampling
from genlab.text.sampling import SamplingConfig

TOKENS = ["peras", "melancia", "pregos", "cimento", "<b>", " ", "\n", "a&b"]
PROBS = torch.tensor([0.5, 0.2, 0.1, 0.08, 0.05, 0.04, 0.02, 0.01])
TITLES = ["1", "2", "3", "4"]


def pipe(**settings) -> sampling.Pipeline:
    return sampling.run(PROBS.log(), SamplingConfig(**settings))


def test_pipeline_has_four_stages_over_the_same_rows_with_an_others_bar():
    fig = figures.pipeline_figure(pipe(temperature=0.5), TOKENS, TITLES, "others", top_n=3)
    assert len(fig["data"]) == 4
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert labels == ["peras", "melancia", "pregos", "others"]
    for trace in fig["data"]:
        assert len(trace["x"]) == 4
        assert sum(trace["x"]) == pytest.approx(1.0)
        assert trace["customdata"] == [0, 1, 2, figures.OTHERS]
    raw = fig["data"][0]["x"]
    assert raw[:3] == pytest.approx(PROBS[:3].tolist())  # stage 1 is the model, untouched
    go.Figure(fig)  # a valid plotly figure


def test_filtered_tokens_are_struck_out_and_grey_and_empty_in_the_final_stage():
    fig = figures.pipeline_figure(pipe(top_k=2), TOKENS, TITLES, "others")
    labels = fig["layout"]["yaxis"]["ticktext"]
    assert labels[:2] == ["peras", "melancia"]
    assert all(label.startswith("<s>") and label.endswith("</s>") for label in labels[2:])
    filters, final = fig["data"][2], fig["data"][3]
    assert filters["marker"]["color"][:2] == [figures.KEPT] * 2
    assert set(filters["marker"]["color"][2:]) == {figures.FILTERED}
    assert filters["x"][2] == pytest.approx(0.1)  # still drawn at its value, but struck out
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
