"""The view as a shareable link: to query parameters and back; bad values are dropped, not fatal."""

from genlab.embed.settings import EXAMPLES, View


def test_a_view_survives_the_round_trip_through_the_link():
    view = View(
        source="shipped:x", method="tsne", dims=3, spherize=True, word="king", k=15, a="rei"
    )
    query = view.to_query()
    assert query["e_method"] == "tsne" and query["e_spherize"] == "1" and query["e_dims"] == "3"
    again, ignored = View.from_query(query)
    assert again == view and ignored == []


def test_defaults_are_left_out_of_the_link():
    assert View().to_query() == {}
    assert set(View(method="pacmap", word="rei").to_query()) == {"e_word"}


def test_bad_values_in_a_link_are_ignored_and_named():
    view, ignored = View.from_query(
        {"e_method": "magic", "e_dims": "three", "e_spherize": "yes", "e_k": "12", "lang": "pt-BR"}
    )
    assert view.method == "pacmap" and view.dims == 2 and not view.spherize and view.k == 12
    assert sorted(ignored) == ["dims", "method", "spherize"]


def test_examples_exist_for_both_builtin_corpora():
    assert (
        EXAMPLES["portuguese"]["word"] == "peras" and EXAMPLES["shakespeare"]["expected"] == "queen"
    )


def test_umap_settings_go_into_the_link_and_bad_ones_are_dropped():
    view = View(method="umap", min_dist=0.35, map_metric="euclidean", seed=7)
    query = view.to_query()
    assert query["e_min_dist"] == "0.35" and query["e_map_metric"] == "euclidean"
    assert View.from_query(query) == (view, [])
    bad, ignored = View.from_query({"e_min_dist": "near", "e_map_metric": "manhattan"})
    assert (bad.min_dist, bad.map_metric) == (0.1, "cosine")
    assert sorted(ignored) == ["map_metric", "min_dist"]


def test_examples_fit_the_vocabulary_words_then_characters_then_nothing():
    from genlab.embed.settings import CHARACTERS, EXAMPLES, examples

    words = [w.strip() for text in EXAMPLES["shakespeare"].values() for w in text.split(",")]
    assert examples("shakespeare", [*words, "the"]) == EXAMPLES["shakespeare"]
    letters = [*"abcdefghiou", *"ABCDE", " ", "\n"]
    assert examples("shakespeare", letters) == CHARACTERS
    assert set(examples("portuguese", ["olá", "mundo"]).values()) == {""}
