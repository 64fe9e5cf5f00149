"""AppTest: the Embeddings page in both languages: map, neighbours, analogies, 3-D, timeline,
Word2Vec, the optional extra, bad input and the shareable link."""

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from genlab.i18n import translate
from tests.support.app import session_job, shown
from tests.support.embed import TEXT, tiny_lm  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "rooms" / "embeddings.py")


def open_page(lang="en", models=None, corpora=None, **query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    if models:
        at.session_state["text_models"] = models
        at.session_state["text_corpora"] = corpora or {}
    at.run()
    assert not at.exception, at.exception
    return at


def open_tab(at, name: str, lang: str = "en") -> AppTest:
    """Switch to a tab (the page draws only the open one)."""
    at.session_state["embed_tabs"] = translate(lang, f"embed.tab_{name}")
    at.run()
    assert not at.exception, at.exception
    return at


def figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def map_figure(at) -> dict:
    return next(f for f in figures(at) if f["layout"].get("height") == 620)


@pytest.fixture
def tiny_page(tiny_lm):  # noqa: F811
    models = {"tiny": tiny_lm}
    corpora = {"upload:tiny.txt": TEXT}
    return lambda lang="en", **q: open_page(
        lang, models, corpora, **{"e_source": "session:tiny", **q}
    )


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Embeddings: meaning as a map"), ("pt-BR", "Embeddings: o significado como mapa")],
)
def test_the_default_model_opens_as_a_map_in_both_languages(lang, title):
    at = open_page(lang)
    assert at.title[0].value == title
    fig = map_figure(at)
    points = sum(len(tr["x"]) for tr in fig["data"] if tr["type"] == "scattergl")
    assert points > 50


def test_pca_axes_say_how_much_variance_they_show(tiny_page):
    at = tiny_page()
    at.radio(key="embed_method").set_value("pca").run()
    title = map_figure(at)["layout"]["xaxis"]["title"]["text"]
    assert title.startswith("PC1 (") and title.endswith("% of variance)")
    assert any("of the total variance" in c.value for c in at.caption)


def test_searching_a_word_lists_its_neighbours_and_how_many_the_map_keeps(tiny_page):
    at = tiny_page()
    at.text_input(key="embed_word").input("king").run()
    shared = at.metric[0]
    assert shared.label == "Also neighbours on the map" and shared.value.endswith("/10")
    bars = next(f for f in figures(at) if f["data"][0]["type"] == "bar")
    assert sum(len(tr["y"]) for tr in bars["data"]) == 10
    searched = map_figure(at)["data"][-1]
    assert searched["text"] == ["king"]
    assert any("On average this map keeps" in c.value for c in at.caption)


def test_an_unknown_word_gets_a_message_and_the_page_keeps_working(tiny_page):
    at = tiny_page()
    at.text_input(key="embed_word").input("zebra").run()
    assert not at.exception
    assert any("“zebra” is not in this model's vocabulary" in e.value for e in at.error)
    assert map_figure(at)["data"]


def test_analogies_show_both_methods_and_the_rank_of_the_expected_word(tiny_page):
    at = open_tab(tiny_page(), "analogy")
    for key, word in (
        ("embed_a", "king"),
        ("embed_b", "man"),
        ("embed_c", "woman"),
        ("embed_expected", "queen"),
    ):
        at.text_input(key=key).input(word)
    at.run()
    assert [s.value for s in at.subheader] == ["3CosAdd", "3CosMul"]
    assert len(at.dataframe) == 2
    ranks = [m for m in at.metric if m.label == "Rank of “queen”"]
    assert len(ranks) == 2 and all(int(r.value) >= 1 for r in ranks)
    arrows = [tr for f in figures(at) for tr in f["data"] if "lines" in tr.get("mode", "")]
    assert [tr["text"][0] for tr in arrows] == ["man", "woman"]
    at.toggle(key="embed_exclude").set_value(False).run()
    assert not at.exception


def test_switching_to_3d_and_tsne_redraws_the_map(tiny_page):
    at = tiny_page()
    at.radio(key="embed_dims").set_value(3).run()
    assert {tr["type"] for tr in map_figure(at)["data"]} >= {"scatter3d"}
    at.radio(key="embed_method").set_value("tsne").run()
    assert not at.exception
    assert "scene" in map_figure(at)["layout"]
    assert any("Map computed in" in c.value for c in at.caption)


def test_the_training_timeline_is_an_animation_with_one_frame_per_snapshot(tiny_page):
    at = open_tab(tiny_page(), "timeline")
    anim = next(f for f in figures(at) if "frames" in f)
    assert [fr["name"] for fr in anim["frames"]] == ["0", "50", "100"]


def test_the_view_goes_into_the_link_and_comes_back(tiny_page):
    at = tiny_page()
    at.radio(key="embed_method").set_value("tsne").run()
    at.text_input(key="embed_word").input("queen").run()
    assert at.query_params["e_method"] in ("tsne", ["tsne"])
    open_tab(at, "export")
    assert any("e_method=tsne" in c.value and "e_word=queen" in c.value for c in at.code)
    assert len(at.get("download_button")) == 4
    again = tiny_page(e_method="tsne", e_word="queen", e_dims="3")
    assert again.radio(key="embed_method").value == "tsne"
    assert again.text_input(key="embed_word").value == "queen"
    assert "scene" in map_figure(again)["layout"]


def test_a_broken_link_is_ignored_not_fatal(tiny_page):
    at = tiny_page(e_method="magic", e_dims="nine")
    assert at.radio(key="embed_method").value == "pacmap"
    assert at.radio(key="embed_dims").value == 2
    far = tiny_page(e_method="pca", e_pcx="500")
    assert far.number_input(key="embed_pcx").value == 16


def test_the_optional_sentence_encoder_says_how_to_install_it(monkeypatch):
    from genlab.embed import sources

    monkeypatch.setattr(sources, "sentence_encoder_available", lambda: False)
    at = open_page("pt-BR", e_source="sentences")
    assert "opcional" in at.info[0].value
    assert at.code[0].value == ".venv/bin/pip install -r requirements-embed.txt"


def test_word2vec_trains_in_a_worker_and_becomes_the_source(tiny_page):
    at = tiny_page(e_source="word2vec")
    assert "Play" in at.info[0].value or "Iniciar" in at.info[0].value
    at.selectbox(key="embed_w2v_corpus").set_value("upload:tiny.txt").run()
    at.button(key="embed_play").click().run()
    job = session_job(at, "embed")
    assert job.wait(60), job.error
    time.sleep(0.2)
    at.run()
    assert not at.exception
    assert any("Word2Vec vectors learned from “tiny.txt”" in shown(c.value) for c in at.caption)
    assert map_figure(at)["data"]


def test_umap_of_a_shipped_model_is_precomputed_and_drawn_at_once():
    at = open_page(e_method="umap", e_dims="3")
    assert at.radio(key="embed_method").value == "umap"
    assert at.selectbox(key="embed_map_metric").value == "cosine"
    assert at.select_slider(key="embed_min_dist").value == 0.1
    assert map_figure(at)["data"][0]["type"] == "scatter3d"
    assert any("computed in advance" in c.value for c in at.caption)
    assert not any("in the background" in i.value for i in at.info) and not at.get("progress")


def test_a_new_umap_map_is_drawn_in_a_worker_with_a_notice_and_its_progress(tiny_page):

    at = tiny_page()
    at.radio(key="embed_method").set_value("umap").run()
    assert not at.exception
    assert "UMAP is drawing this map in the background" in at.info[0].value
    first = session_job(at, "embed_map")
    assert first.params["config"]["method"] == "umap"
    assert at.get("progress") or first.result is not None
    at.number_input(key="embed_seed").set_value(3).run()
    assert not at.exception
    second = session_job(at, "embed_map")
    assert second.id != first.id and second.params["config"]["seed"] == 3
    assert first.wait(10)  # the map of the old settings is abandoned, its worker ended
    second.stop()


def test_custom_axes_draw_the_word_groups_and_name_unknown_words(tiny_page):
    at = open_tab(tiny_page(), "axis")
    for key, words in (
        ("embed_axl", "man, he"),
        ("embed_axr", "woman, zebra"),
        ("embed_ayl", ""),
        ("embed_ayr", ""),
    ):
        at.text_input(key=key).input(words)
    at.run()
    assert any("left out: he, zebra" in c.value for c in at.caption)
    axis = next(f for f in figures(at) if f["layout"]["uirevision"].endswith("-axis"))
    assert axis["layout"]["xaxis"]["title"]["text"] == "man, he → woman, zebra"
    assert sorted(axis["data"][-1]["text"]) == ["man", "woman"]


def test_settings_of_hidden_widgets_survive_switching_methods(tiny_page):
    at = tiny_page()
    at.radio(key="embed_method").set_value("tsne").run()
    at.slider(key="embed_perplexity").set_value(7).run()
    at.radio(key="embed_method").set_value("pca").run()
    at.radio(key="embed_method").set_value("pca").run()
    assert not at.exception
    at.radio(key="embed_method").set_value("tsne").run()
    assert at.slider(key="embed_perplexity").value == 7


def test_a_character_model_gets_example_letters_not_words_it_does_not_know():
    at = open_page()
    assert at.text_input(key="embed_word").value == "king"
    at.selectbox(key="embed_source").set_value("shipped:shakespeare-char-gpt").run()
    assert not at.exception and not at.error and not at.warning
    assert at.text_input(key="embed_word").value == "e"
    open_tab(at, "analogy")
    assert [at.text_input(key=f"embed_{k}").value for k in "abc"] == ["a", "A", "B"]
    assert not at.error and [s.value for s in at.subheader] == ["3CosAdd", "3CosMul"]
    open_tab(at, "axis")
    assert not at.error and not any("vocabulary" in c.value for c in at.caption)


def test_a_lessons_link_to_a_word_and_an_analogy_keeps_them_and_opens_the_analogy():
    at = open_page(
        e_source="shipped:shakespeare-word-gpt", e_word="queen", e_a="prince", e_tab="analogy"
    )
    assert [s.value for s in at.subheader] == ["3CosAdd", "3CosMul"]  # opened on the analogy
    assert at.text_input(key="embed_a").value == "prince"
    open_tab(at, "map")
    assert at.text_input(key="embed_word").value == "queen"
    open_tab(at, "analogy")
    assert at.text_input(key="embed_b").value == "man"  # the rest: the source's examples


def test_the_source_is_described_in_portuguese_only():
    at = open_page("pt-BR")
    caption = next(shown(c.value) for c in at.caption if "Tabela de tokens" in c.value)
    assert "modelo GPT (um token por palavra)" in caption and "“Shakespeare”" in caption
    assert not {"word", "gpt", "steps", "shakespeare"} & set(caption.replace("(", " ").split())


def test_the_link_to_send_never_carries_the_participants_key():
    at = open_page(me="secret-key-123", job_embed="abc")
    open_tab(at, "export")
    link = at.code[0].value
    assert "e_source=" in link and "lang=en" in link
    assert "me=" not in link and "secret" not in link and "job_" not in link


def test_the_page_reports_what_the_participant_did(tiny_page):
    at = tiny_page()
    at.text_input(key="embed_word").input("queen").run()
    done = at.session_state["genlab_progress"]["embed"]
    assert done["source"] == "session:tiny" and done["method"] == "pacmap" and done["dims"] == 2
    assert done["query"] == "queen" and done["neighbours"] is True
    assert not {"analogy", "axis", "timeline"} & set(done)
    open_tab(at, "analogy")
    for key, word in (("embed_a", "king"), ("embed_b", "man"), ("embed_c", "woman")):
        at.text_input(key=key).input(word)
    at.run()
    open_tab(at, "axis")
    at.text_input(key="embed_axl").input("man").run()
    at.text_input(key="embed_axr").input("woman").run()
    open_tab(at, "timeline")
    done = at.session_state["genlab_progress"]["embed"]
    assert done["analogy"] is True and done["axis"] is True and done["timeline"] is True
