"""AppTest of the next-token page: bars from the shipped model, controls, generation, errors."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.text import lecture_text, train

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "rooms" / "text_next.py")


def open_page(lang: str = "en", models: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = lang
    if models is not None:
        at.session_state["text_models"] = models
    at.run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def pipeline(at: AppTest) -> dict:
    return charts(at)[0]


def final_bars(at: AppTest) -> list[float]:
    return pipeline(at)["data"][3]["x"]


def row_labels(at: AppTest) -> list[str]:
    return pipeline(at)["layout"]["yaxis"]["ticktext"]


@pytest.fixture(scope="module")
def shipped_page():
    return open_page()


@pytest.mark.parametrize(
    ("lang", "title", "model_label"),
    [("en", "What comes next?", "Model"), ("pt-BR", "Qual é a próxima palavra?", "Modelo")],
)
def test_opens_on_the_portuguese_model_with_the_lecture_prompt(lang, title, model_label):
    at = open_page(lang)
    assert at.title[0].value == title
    assert at.selectbox(key="next_model").value == "portuguese-word-gpt"
    assert at.selectbox(key="next_model").label == model_label
    assert at.text_input(key="next_prompt").value == "Glauco gosta de comer"
    spec = pipeline(at)
    assert [trace["type"] for trace in spec["data"]] == ["bar"] * 4
    labels = row_labels(at)
    assert labels[0] == "peras"
    assert len(labels) == at.slider(key="next_top_n").value + 1  # top N + "all others"
    for trace in spec["data"]:
        assert sum(trace["x"]) == pytest.approx(1.0, abs=1e-6)  # never renormalised over top N


def test_temperature_reshapes_the_bars_from_cached_logits(shipped_page):
    at = shipped_page
    at.slider(key="next_temperature").set_value(0.2).run()
    sharp, sharp_entropy = final_bars(at)[0], at.metric[0].value
    at.slider(key="next_temperature").set_value(2.0).run()
    flat, flat_entropy = final_bars(at)[0], at.metric[0].value
    assert sharp > 0.9 > flat
    assert float(sharp_entropy.split()[0]) < float(flat_entropy.split()[0])
    assert any("High temperature" in info.value for info in at.info)
    assert len(at.session_state["next_logits"]) == 1  # the model ran once for this prompt
    at.slider(key="next_temperature").set_value(1.0).run()


def test_filters_strike_out_tokens_and_leave_them_no_mass(shipped_page):
    at = shipped_page
    at.number_input(key="next_top_k").set_value(2).run()
    labels, final = row_labels(at), final_bars(at)
    assert not labels[0].startswith("<s>") and not labels[1].startswith("<s>")
    assert all(label.startswith("<s>") for label in labels[2:-1])
    assert final[0] + final[1] == pytest.approx(1.0)
    assert final[2:] == [0.0] * len(final[2:])
    at.number_input(key="next_top_k").set_value(0).run()
    assert not any(label.startswith("<s>") for label in row_labels(at))


def test_draw_generate_undo_and_start_over(shipped_page):
    at = shipped_page
    at.button(key="next_draw").click().run()
    assert len(at.session_state["next_steps"]) == 1
    at.number_input(key="next_count").set_value(5).run()
    at.button(key="next_generate").click().run()
    steps = at.session_state["next_steps"]
    assert len(steps) == 6
    html = at.get("html")[0].proto.body
    assert html.count('class="genlab-token"') == 6
    assert all(0 <= step["prob"] <= 1 and step["alternatives"] for step in steps)
    assert at.metric[2].value == f"{steps[-1]['prob']:.1%}"
    at.button(key="next_undo").click().run()
    assert len(at.session_state["next_steps"]) == 5
    at.button(key="next_restart").click().run()
    assert at.session_state["next_steps"] == []


def open_tab(at: AppTest, label: str) -> dict:
    """Open a tab (only the open tab runs) and return the chart it draws."""
    at.session_state["next_tab"] = label
    at.run()
    assert not at.exception
    return charts(at)[1]


def test_only_the_open_tab_runs(shipped_page):
    at = shipped_page
    samples = open_tab(at, "Draw 1,000 times")
    assert len(charts(at)) == 2
    assert sum(samples["data"][1]["y"]) == pytest.approx(1.0)
    compare = open_tab(at, "Compare models")
    panels = [axis["title"]["text"] for name, axis in compare["layout"].items() if "xaxis" in name]
    assert panels[0].startswith("Count bigram") and panels[-1] == "GPT: portuguese-word-gpt"
    for trace in compare["data"]:
        assert sum(trace["x"]) == pytest.approx(1.0)
    neural_shown = any(p.startswith("Neural bigram") for p in panels)
    neural_explained = any("No Neural bigram" in caption.value for caption in at.caption)
    assert neural_shown != neural_explained
    attention = open_tab(at, "Inside the GPT")
    assert [trace["type"] for trace in attention["data"]] == ["heatmap"] * (3 * 4)
    open_tab(at, "Draw 1,000 times")


def test_memorisation_finds_a_copied_stretch(shipped_page):
    at = shipped_page
    at.session_state["next_tab"] = "Memorisation"
    at.slider(key="next_temperature").set_value(0.0)  # greedy: the model recites its text
    at.number_input(key="next_count").set_value(20).run()
    at.button(key="next_generate").click().run()
    found = at.success[0].value
    assert found.startswith("Longest copied stretch:") and "of 20 generated tokens" in found
    assert "inset" in at.get("html")[0].proto.body  # the stretch is underlined in the text
    at.button(key="next_restart").click()
    at.slider(key="next_temperature").set_value(1.0)
    at.session_state["next_tab"] = "Draw 1,000 times"
    at.run()


def test_unknown_words_and_an_empty_prompt_are_explained():
    at = open_page()
    at.text_input(key="next_prompt").set_value("Glauco gosta de comer xyzzy").run()
    assert not at.exception
    assert "xyzzy" in at.warning[0].value
    at.text_input(key="next_prompt").set_value("").run()
    assert not at.exception
    assert at.error[0].value == "Type a beginning for the model to continue."


def test_a_model_trained_in_this_session_is_offered():
    models = {"tiny": train(lecture_text(100), "char", "bigram", 100)}
    at = open_page("en", models)
    box = at.selectbox(key="next_model")
    box.select_index(box.options.index("tiny (yours)")).run()
    assert not at.exception
    labels = row_labels(at)
    assert len(labels) == models["tiny"].tokenizer.vocab_size  # character level: every token
    assert "next_top_n" not in [slider.key for slider in at.slider]
    at.session_state["next_tab"] = "Inside the GPT"
    at.run()
    assert "Only a GPT has attention" in " ".join(info.value for info in at.info)
