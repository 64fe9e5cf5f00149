"""AppTest of the next-token page: bars from the shipped model, controls, generation, errors."""

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import torch
from streamlit.testing.v1 import AppTest

from genlab.text import probe
from genlab.text.checkpoint import load_shipped
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
    return pipeline(at)["data"][4]["x"]


def row_labels(at: AppTest) -> list[str]:
    return pipeline(at)["layout"]["yaxis"]["ticktext"]


@pytest.fixture(scope="module")
def shipped_page():
    return open_page()


@pytest.mark.parametrize(
    ("lang", "title", "model_label", "trained_on"),
    [
        ("en", "What comes next?", "Model", "trained on Lecture sentences"),
        ("pt-BR", "Qual é a próxima palavra?", "Modelo", "treinado em Frases da aula"),
    ],
)
def test_opens_on_the_portuguese_model_with_the_lecture_prompt(
    lang, title, model_label, trained_on
):
    at = open_page(lang)
    assert at.title[0].value == title
    assert any(c.value.endswith(trained_on) for c in at.caption)  # not the identifier "portuguese"
    assert at.selectbox(key="next_model").value == "portuguese-word-gpt"
    assert at.selectbox(key="next_model").label == model_label
    assert at.text_input(key="next_prompt").value == "Glauco gosta de comer"
    spec = pipeline(at)
    assert [trace["type"] for trace in spec["data"]] == ["bar"] * 5
    labels = row_labels(at)
    assert labels[0] == "peras"
    assert len(labels) == at.slider(key="next_top_n").value + 1  # top N + "all others"
    for trace in spec["data"][1:]:  # the probability columns; the first holds the raw scores
        assert sum(trace["x"]) == pytest.approx(1.0, abs=1e-6)  # never renormalised over top N


def test_temperature_reshapes_the_bars_from_cached_logits(shipped_page):
    at = shipped_page
    at.select_slider(key="next_temperature").set_value(0.2).run()
    sharp, sharp_entropy = final_bars(at)[0], at.metric[0].value
    at.select_slider(key="next_temperature").set_value(2.0).run()
    flat, flat_entropy = final_bars(at)[0], at.metric[0].value
    assert sharp > 0.9 > flat
    assert float(sharp_entropy.split()[0]) < float(flat_entropy.split()[0])
    assert any("High temperature" in info.value for info in at.info)
    assert len(at.session_state["next_logits"]) == 1  # the model ran once for this prompt
    at.select_slider(key="next_temperature").set_value(1.0).run()


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
    assert panels[0].startswith("Count bigram") and panels[-1] == "GPT: Portuguese, words, GPT"
    for trace in compare["data"]:
        assert sum(trace["x"]) == pytest.approx(1.0)
    neural_shown = any(p.startswith("Neural bigram") for p in panels)
    neural_explained = any("No Neural bigram" in caption.value for caption in at.caption)
    assert neural_shown != neural_explained
    attention = open_tab(at, "Attention maps")
    assert [trace["type"] for trace in attention["data"]] == ["heatmap"] * (3 * 4)
    open_tab(at, "Draw 1,000 times")


def test_memorisation_finds_a_copied_stretch(shipped_page):
    at = shipped_page
    at.session_state["next_tab"] = "Memorisation"
    at.select_slider(key="next_temperature").set_value(0.0)  # greedy: the model recites its text
    at.number_input(key="next_count").set_value(20).run()
    at.button(key="next_generate").click().run()
    assert not at.success  # a copy is a fact to discuss, not a success
    found = next(i.value for i in at.info if i.value.startswith("Longest copied stretch:"))
    assert "of 20 generated tokens" in found
    assert int(found.split(":")[1].split()[0]) >= probe.MIN_COPY["word"]
    assert "inset" in at.get("html")[0].proto.body  # the stretch is underlined in the text
    at.button(key="next_restart").click()
    at.select_slider(key="next_temperature").set_value(1.0)
    at.session_state["next_tab"] = "Draw 1,000 times"
    at.run()


def test_one_generated_word_found_in_the_text_is_not_reported_as_a_copy(shipped_page):
    at = shipped_page
    at.session_state["next_tab"] = "Memorisation"
    at.select_slider(key="next_temperature").set_value(0.0)
    at.number_input(key="next_count").set_value(1).run()
    at.button(key="next_generate").click().run()
    assert not at.success
    assert any(i.value.startswith("No stretch of 4 or more") for i in at.info)
    assert "inset" not in at.get("html")[0].proto.body  # nothing underlined
    at.button(key="next_restart").click()
    at.select_slider(key="next_temperature").set_value(1.0)
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


def test_the_columns_are_the_softmax_of_the_shown_scores_divided_by_t():
    at = open_page()
    at.select_slider(key="next_temperature").set_value(0.5).run()
    spec = pipeline(at)
    scores = torch.tensor(spec["data"][0]["x"], dtype=torch.float64)
    lm = load_shipped("portuguese-word-gpt")
    logits = probe.next_logits(lm, probe.read_prompt(lm, "Glauco gosta de comer").ids).double()
    n = len(scores)
    assert scores.tolist() == pytest.approx(torch.sort(logits, descending=True).values[:n].tolist())
    assert spec["data"][1]["x"][:n] == pytest.approx(
        torch.softmax(logits, -1).sort(descending=True).values[:n].tolist(), abs=1e-6
    )
    tempered = torch.softmax(logits / 0.5, -1).sort(descending=True).values[:n]
    assert spec["data"][3]["x"][:n] == pytest.approx(tempered.tolist(), abs=1e-6)
    ranges = {str(spec["layout"][f"xaxis{i}"]["range"]) for i in (2, 3, 4, 5)}
    assert len(ranges) == 1  # one probability scale
    code = " ".join(c.value for c in at.code)
    assert "logits = logits[:, -1, :]" in code and "F.softmax(logits / T, dim=-1)" in code
    assert "'peras': " in code and "torch.multinomial(probs, num_samples=1)" in code


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_models_show_their_translated_titles(lang):
    at = open_page(lang)
    options = at.selectbox(key="next_model").options
    title = {"en": "Portuguese, words, GPT", "pt-BR": "Português, palavras, GPT"}[lang]
    assert title in options and "portuguese-word-gpt" not in options


def test_a_token_under_a_tenth_of_a_percent_can_be_forced_by_search():
    lm = load_shipped("portuguese-word-gpt")
    ids = probe.read_prompt(lm, "Glauco gosta de comer").ids
    probs = torch.softmax(probe.next_logits(lm, ids).double(), dim=-1)
    rare = next(
        tok for i, tok in enumerate(lm.tokenizer.tokens) if probs[i] < 0.001 and tok.isalpha()
    )
    at = open_page()
    at.text_input(key="next_force_query").set_value(rare).run()
    box = at.selectbox(key="next_force_pick")
    assert box.value is not None
    at.button(key="next_force").click().run()
    step = at.session_state["next_steps"][-1]
    assert step["text"].strip() == rare and step["forced"]
    assert step["prob"] < 0.001  # too thin a bar to click
    assert at.session_state["genlab_progress"]["next"]["forced"] == 1


def test_compare_temperatures_continues_the_same_prompt_three_times():
    at = open_page()
    at.session_state["next_tab"] = "Compare temperatures"
    at.run()
    at.button(key="next_temps_run").click().run()
    assert not at.exception
    htmls = [h.proto.body for h in at.get("html")[1:]]
    assert len(htmls) == 3
    assert all(h.count('class="genlab-token"') == 20 for h in htmls)
    assert [m.value for m in at.markdown if m.value.startswith("**T =")] == [
        "**T = 0.2**",
        "**T = 1.0**",
        "**T = 2.0**",
    ]
    assert at.session_state["genlab_progress"]["next"]["generated"] == 60


def test_a_link_restores_model_prompt_settings_and_tokens_in_a_new_session():
    at = open_page()
    at.selectbox(key="next_model").set_value("shakespeare-char-gpt").run()
    at.text_input(key="next_prompt").set_value("To be").run()
    at.select_slider(key="next_temperature").set_value(0.7).run()
    at.number_input(key="next_top_k").set_value(5).run()
    at.number_input(key="next_count").set_value(4).run()
    at.button(key="next_generate").click().run()
    link = next(c.value for c in at.code if "next_model=" in c.value)
    assert "me=" not in link and "job_" not in link
    params = dict(parse_qsl(urlsplit(link).query))
    fresh = AppTest.from_file(PAGE, default_timeout=60)
    fresh.query_params.update(params)
    fresh.run()
    assert not fresh.exception
    assert fresh.selectbox(key="next_model").value == "shakespeare-char-gpt"
    assert fresh.text_input(key="next_prompt").value == "To be"
    assert fresh.select_slider(key="next_temperature").value == pytest.approx(0.7)
    assert fresh.number_input(key="next_top_k").value == 5
    ids = [s["id"] for s in fresh.session_state["next_steps"]]
    assert ids == [s["id"] for s in at.session_state["next_steps"]] and len(ids) == 4


@pytest.mark.parametrize("model", ["shakespeare-char-gpt", "portuguese-word-gpt"])
def test_inside_the_gpt_shows_the_flow_and_the_logit_lens(model):
    at = open_page()
    at.selectbox(key="next_model").set_value(model).run()
    at.session_state["next_tab"] = "Inside the GPT"
    at.run()
    assert not at.exception
    flow, lens_chart, reads = charts(at)[1:4]
    layers = load_shipped(model).config.n_layer
    assert len(flow["layout"]["shapes"]) == layers + 3  # tokens, embedding, layers, output
    heat = lens_chart["data"][0]
    assert heat["y"][0] == "embedding" and heat["y"][-1] == f"after layer {layers}"
    final = heat["z"][-1]
    top = final_bars(at)[0]
    assert final[0] == pytest.approx(top, abs=1e-3)  # the last layer's lens: the model's answer
    assert len(reads["data"][0]["y"]) == layers * load_shipped(model).config.n_head


def test_long_prompts_say_that_only_the_last_tokens_are_drawn():
    at = open_page()
    at.text_input(key="next_prompt").set_value("Glauco gosta de comer peras . " * 8).run()
    at.session_state["next_tab"] = "Attention maps"
    at.run()
    assert "Only the last 24 of the 48 tokens are drawn." in [c.value for c in at.caption]


def test_the_bpe_vocabulary_is_readable_and_its_caption_true():
    at = AppTest.from_file(str(ROOT / "rooms" / "text_train.py"), default_timeout=60)
    at.run()
    at.radio(key="text_tokenizer").set_value("bpe").run()
    assert not at.exception
    shown = next(c.value for c in at.code if "␣" in c.value)
    assert "\ufffd" not in shown and "⟨C3⟩" in shown
    assert not any("sorted(set(text))" in c.value for c in at.caption)


def test_draw_1000_times_counts_the_draws_for_the_lessons_check():
    at = open_page()
    at.session_state["next_tab"] = "Draw 1,000 times"
    at.run()
    assert "torch.multinomial(probs, num_samples=1000, replacement=True)" in [
        c.value for c in at.code
    ]
    assert at.session_state["genlab_progress"]["next"]["sampled"] == 1000
    at.button(key="next_samples_again").click().run()
    progress = at.session_state["genlab_progress"]["next"]
    assert progress["sampled"] == 2000
    assert progress["model"] == "portuguese-word-gpt" and progress["temperature"] == 1.0


def test_a_link_with_out_of_range_or_broken_values_opens_clamped():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params.update(
        {"next_top_k": "99999", "next_temperature": "nan", "next_top_p": "7", "next_tokens": "x.1"}
    )
    at.run()
    assert not at.exception
    assert at.number_input(key="next_top_k").value == 503  # the vocabulary of the model
    assert at.select_slider(key="next_temperature").value == 1.0
    assert at.select_slider(key="next_top_p").value == 1.0
    assert [s["id"] for s in at.session_state["next_steps"]] == [1]
