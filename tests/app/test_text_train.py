"""AppTest of the text-training page: corpus, tokens, model settings, training, errors."""

import json
import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genlab.i18n import translate
from genlab.text import preset_time
from tests.support.app import session_job
from tests.support.app import shown as shown_text

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "rooms" / "text_train.py")


def open_page(lang: str = "en") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize(
    ("lang", "title", "chars", "size"),
    [
        ("en", "Train a language model", "Characters", "1,131,891"),
        ("pt-BR", "Treine um modelo de linguagem", "Caracteres", "1.131.891"),
    ],
)
def test_opens_on_shakespeare_with_its_size_and_character_vocabulary(lang, title, chars, size):
    at = open_page(lang)
    assert at.title[0].value == title
    assert metric(at, chars) == size
    assert any("'\\n', ' ', '!'" in c.value for c in at.code)
    assert at.button(key="text_play")


def test_word_tokens_show_vocabulary_unknown_share_and_a_lecture_style_batch():
    at = open_page()
    at.radio(key="text_corpus").set_value("portuguese")
    at.radio(key="text_tokenizer").set_value("word").run()
    assert not at.exception
    assert int(metric(at, "Vocabulary size").replace(",", "")) > 300
    codes = [c.value for c in at.code]
    assert any(c.startswith("torch.Size([4, 8])\ntensor([[") for c in codes)
    assert any("  ->  " in c for c in codes)
    freq = charts(at)[0]
    assert freq["data"][0]["y"] == sorted(freq["data"][0]["y"], reverse=True)


def test_heads_that_do_not_divide_the_width_are_explained_and_block_training():
    at = open_page()
    at.number_input(key="text_n_head").set_value(5).run()
    assert "attention heads (5)" in at.error[0].value
    assert "text_play" not in [b.key for b in at.button]
    at.number_input(key="text_n_head").set_value(4).run()
    assert not at.error and "text_play" in [b.key for b in at.button]


def number(at: AppTest, field: str):
    """The number input of a model setting, by its label (its key changes with each preset)."""
    return next(n for n in at.number_input if n.label == translate("en", f"text.{field}"))


def test_preset_fills_the_settings_and_they_stay_editable():
    at = open_page()
    at.selectbox(key="text_preset").set_value("nanogpt-cpu").run()
    assert number(at, "n_embd").value == 128
    assert number(at, "batch_size").value == 12
    assert number(at, "steps").value == 2000
    number(at, "steps").set_value(300).run()
    at.run()
    assert number(at, "steps").value == 300
    assert number(at, "n_embd").value == 128


def test_the_learning_rate_field_takes_either_mark_and_refuses_what_is_not_a_rate():
    at = open_page()
    assert at.text_input(key="text_lr_text").value == "0.0050"  # the default preset's 5e-3
    at.text_input(key="text_lr_text").set_value("0,002").run()
    assert at.session_state["text_lr"] == 0.002
    assert at.text_input(key="text_lr_text").value == "0.0020"
    at.text_input(key="text_lr_text").set_value("0.01").run()
    for bad in ("much", "3"):  # not a number; out of 0.00001..1
        at.text_input(key="text_lr_text").set_value(bad).run()
        expected = f"“{bad}” is not a number from 0.00001 to 1: the value stays 0.0100."
        assert expected in [shown_text(e.value) for e in at.error]
        assert at.session_state["text_lr"] == 0.01  # nothing lost
    at.query_params["lang"] = "pt-BR"  # (AppTest sends choices' labels in English: no clicks)
    at.run()
    assert at.text_input(key="text_lr_text").value == "0,0100"
    assert not at.exception


def test_the_optimizer_follows_the_preset_can_be_changed_and_goes_to_the_run():
    at = open_page()

    def optimizer():
        return next(r for r in at.radio if r.label == translate("en", "text.optimizer"))

    assert optimizer().value == "muon"  # the default preset's
    at.selectbox(key="text_preset").set_value("nanogpt-cpu").run()
    assert optimizer().value == "adamw"  # a preset that names none: TrainConfig's default
    optimizer().set_value("muon").run()
    number(at, "steps").set_value(5).run()
    at.button(key="text_play").click().run()
    job = session_job(at, "text")
    try:
        assert job.params["train"]["optimizer"] == "muon"
        assert job.params["model"]["n_embd"] == 128  # the rest of the preset kept
    finally:
        job.stop(wait=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Glauco gosta de comer peras.", "needs at least"),
        ("a" * 3000, "single token repeated"),
    ],
)
def test_pasted_texts_that_cannot_train_get_a_clear_message(text, message):
    at = open_page()
    at.radio(key="text_corpus").set_value("own").run()
    at.text_area(key="text_pasted").set_value(text).run()
    assert not at.exception
    assert message in at.error[0].value
    assert "text_play" not in [b.key for b in at.button]


def test_count_bigram_shows_the_character_heat_map():
    at = open_page()
    at.radio(key="text_model").set_value("count-bigram").run()
    heat = next(c for c in charts(at) if c["data"][0]["type"] == "heatmap")
    assert len(heat["data"][0]["z"]) == 78
    assert all(abs(sum(row) - 1) < 0.01 for row in heat["data"][0]["z"] if any(row))


def test_train_a_bigram_then_sample_it_with_a_seed():
    at = open_page()
    at.radio(key="text_corpus").set_value("portuguese")
    at.radio(key="text_tokenizer").set_value("word")
    at.radio(key="text_model").set_value("bigram").run()
    at.number_input(key="text_bigram_steps").set_value(60).run()
    at.button(key="text_play").click().run()
    deadline = time.time() + 60
    while not at.session_state["text_models"] and time.time() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception
    (name,) = at.session_state["text_models"]
    assert "bigram" in name
    loss = next(c for c in charts(at) if c["layout"]["title"]["text"].startswith("Loss"))
    val = next(trace for trace in loss["data"] if trace["name"] == "validation")
    assert val["x"][-1] == 60 and val["y"][-1] < val["y"][0]
    assert len(loss["data"][0]["x"]) == 60
    assert at.get("download_button")
    at.number_input(key="text_seed").set_value(7)
    at.button(key="text_generate").click().run()
    first = at.session_state["text_generated"]
    at.button(key="text_generate").click().run()
    assert at.session_state["text_generated"] == first and len(first.split()) > 20


def test_a_stopped_run_is_listed_and_resumes_from_where_it_stopped():
    at = open_page()
    at.radio(key="text_corpus").set_value("portuguese")
    at.radio(key="text_model").set_value("bigram").run()
    at.number_input(key="text_bigram_steps").set_value(20000).run()
    at.button(key="text_play").click().run()
    job = session_job(at, "text")
    deadline = time.time() + 60
    while (job.snapshot is None or job.snapshot["step"] < 50) and time.time() < deadline:
        time.sleep(0.2)
    job.stop()
    assert job.wait(30) and job.status == "stopped"
    stopped_at = job.snapshot["step"]
    at.run()
    resume = next(b for b in at.button if b.key and b.key.endswith("_resume"))
    assert any(
        "Stopped · " in m.value and f"step {stopped_at:,} of 20,000" in m.value for m in at.markdown
    )
    resume.click().run()
    again = session_job(at, "text")
    assert again is not job
    try:
        deadline = time.time() + 60
        while (
            again.snapshot is None or again.snapshot["step"] <= stopped_at
        ) and time.time() < deadline:
            time.sleep(0.2)
        first = again.log[0]["step"] if again.log else None
        assert again.snapshot["step"] > stopped_at
        assert first is None or first > stopped_at  # it went on, it did not start again
        assert again.params["run_dir"] == job.params["run_dir"]
    finally:
        again.stop(wait=True)


def digits(text: str) -> str:
    """A message's digits only (thousands separators differ between languages)."""
    return re.sub(r"[^\d]", "", text)


def wait_for_model(at: AppTest) -> None:
    deadline = time.time() + 90
    while not at.session_state["text_models"] and time.time() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception and at.session_state["text_models"]


def test_a_count_bigram_says_what_it_counted_and_its_run_is_named_in_plain_words():
    at = open_page()
    at.radio(key="text_corpus").set_value("portuguese")
    at.radio(key="text_tokenizer").set_value("word")
    at.radio(key="text_model").set_value("count-bigram").run()
    at.button(key="text_play").click().run()
    wait_for_model(at)
    (name,) = at.session_state["text_models"]
    assert name == "Lecture sentences · words · count bigram #1"
    at.query_params["lang"] = "pt-BR"  # after the clicks: AppTest formats widget values in English
    at.run()
    tokens = int(digits(metric(at, "Tokens no texto")))
    pairs = int(tokens * 0.9) - 1  # the training part's neighbouring pairs
    counted = next(i.value for i in at.info if "contou os" in i.value)
    assert str(pairs) in digits(counted)
    assert not at.get("progress")  # no "Step 1 of 1", no tokens per second
    assert "Velocidade (tokens/s)" not in [m.label for m in at.metric]
    reported = at.session_state["genlab_progress"]["text"]
    assert reported["corpus"] == "portuguese" and reported["tokenizer"] == "word"
    assert reported["model"] == "count-bigram" and reported["steps"] == 1
    assert reported["uploaded"] is False and reported["running"] is False
    assert 0 < reported["val_loss"] < 10


def test_an_own_text_training_is_reported_as_uploaded_while_it_runs():
    at = open_page()
    at.radio(key="text_corpus").set_value("own").run()
    at.text_area(key="text_pasted").set_value("Glauco gosta de comer peras. " * 200).run()
    at.radio(key="text_model").set_value("bigram").run()
    at.number_input(key="text_bigram_steps").set_value(20000).run()
    at.button(key="text_play").click().run()
    job = session_job(at, "text")
    try:
        at.run()
        reported = at.session_state["genlab_progress"]["text"]
        assert reported["uploaded"] is True and reported["running"] is True
        assert reported["model"] == "bigram" and reported["tokenizer"] == "char"
    finally:
        job.stop(wait=True)


def test_presets_show_the_time_measured_on_this_server(monkeypatch):
    monkeypatch.setattr(preset_time, "expected_seconds", lambda: {"1min": 95.0, "5min": 400.0})
    for lang, expected in (
        ("en", ["Small GPT: about 1 min 35 s", "Medium GPT: about 6 min 40 s", "being timed..."]),
        ("pt-BR", ["GPT pequeno: cerca de 1 min 35 s", "GPT médio: cerca de 6 min 40 s"]),
    ):
        at = open_page(lang)
        caption = next(
            shown_text(c.value) for c in at.caption if "GPT" in c.value and "·" in c.value
        )
        assert all(part in caption for part in expected), caption
        assert "1 minute" not in at.selectbox(key="text_preset").options[0]


def test_with_the_timing_turned_off_no_time_is_promised():
    # the suite's own setting (tests/conftest.py): GENLAB_PRESET_TIMING=0
    at = open_page("en")
    assert at.selectbox(key="text_preset").options
    assert not [c.value for c in at.caption if "GPT" in c.value and "·" in c.value]


def test_unknown_words_are_quoted_and_a_batch_row_counts_its_examples():
    at = open_page()
    at.radio(key="text_tokenizer").set_value("word").run()
    unknown = next(c.value for c in at.caption if c.value.startswith("Unknown in validation"))
    assert re.fullmatch(r"Unknown in validation, for example: “[^”]+”(, “[^”]+”)+", unknown)
    assert any(c.value.startswith("The first row alone holds 8 examples") for c in at.caption)


def test_the_text_uploader_states_the_lab_s_own_20_mb_limit():
    at = open_page()
    at.radio(key="text_corpus").set_value("own").run()
    (uploader,) = [u for u in at.get("file_uploader") if u.proto.id.endswith("text_upload")]
    assert uploader.proto.max_upload_size_mb == 20


def test_machado_corpus_is_offered_with_its_source_in_both_languages():
    at = open_page()
    at.radio(key="text_corpus").set_value("machado").run()
    for lang, label, about in (
        ("en", "Portuguese: Machado de Assis (3 novels)", "Public domain"),
        ("pt-BR", "Português: Machado de Assis (3 romances)", "Domínio público"),
    ):
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception
        radio = at.radio(key="text_corpus")
        assert label in radio.options and "shakespeare" not in radio.options
        assert any(about in c.value for c in at.caption)
        assert digits(metric(at, "Characters" if lang == "en" else "Caracteres")) == "1170567"


def test_the_gan_csv_uploader_states_its_5_mb_limit():
    at = AppTest.from_file(str(ROOT / "rooms" / "gan.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.selectbox(key="gan_dataset").set_value("csv").run()
    assert not at.exception, at.exception
    csv = translate("en", "gan.upload_csv")
    (uploader,) = [u for u in at.get("file_uploader") if u.proto.label == csv]
    assert uploader.proto.max_upload_size_mb == 5


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
def test_the_sentence_encoder_hint_uses_the_lab_s_own_pip(lang):
    assert ".venv/bin/pip install -r requirements-embed.txt" in translate(
        lang, "embed.err_extra_missing"
    )
