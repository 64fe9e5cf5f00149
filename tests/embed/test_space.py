"""Neighbours, analogies, custom axes, spherize and token kinds on vectors with planted answers."""

import numpy as np
import pytest

from genlab.embed import space
from genlab.errors import UserError

WORDS = ["king", "queen", "man", "woman", "apple", "pear", "stone", "river"]


@pytest.fixture
def planted():
    """Random 50-D words where queen = king - man + woman (plus noise) holds by construction."""
    rng = np.random.default_rng(1)
    v = {w: rng.normal(0, 1, 50) for w in WORDS}
    gender = rng.normal(0, 1, 50)
    v["woman"] = v["man"] + gender
    v["queen"] = v["king"] + gender + rng.normal(0, 0.1, 50)
    return np.stack([v[w] for w in WORDS]).astype(np.float32)


def test_cosine_neighbours_ignore_length_but_euclidean_does_not():
    x = np.array([[1, 0], [10, 0.5], [0.9, -0.9], [0, 1]], dtype=np.float32)
    index = space.Index(x)
    assert index.nearest(0, 1, "cosine")[0][0] == 1
    assert index.nearest(0, 1, "euclidean")[0][0] == 2


def test_nearest_excludes_the_token_itself_and_is_sorted_best_first(planted):
    index = space.Index(planted)
    found = index.nearest(0, 7)
    assert 0 not in [i for i, _ in found]
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and len(found) == 7


def test_an_unknown_metric_is_a_user_error(planted):
    with pytest.raises(UserError) as err:
        space.Index(planted).nearest(0, 3, "manhattan")
    assert err.value.key == "embed.err_metric"


@pytest.mark.parametrize("method", space.ANALOGY_METHODS)
def test_the_planted_analogy_is_found_by_both_methods(planted, method):
    index = space.Index(planted)
    king, queen, man, woman = (WORDS.index(w) for w in ("king", "queen", "man", "woman"))
    result = space.analogy(index, king, man, woman, method, True, expected=queen)
    assert result.answers[0][0] == queen
    assert result.expected_rank == 1
    assert not result.top_is_input


def test_without_exclusion_a_long_input_vector_wins_and_ranks_the_answer_lower():
    rng = np.random.default_rng(2)
    king, man, other = rng.normal(0, 1, (3, 30))
    small = 0.2 * rng.normal(0, 1, 30)
    x = np.stack([king, man, man + small, king + small + 0.3 * other]).astype(np.float32)
    index = space.Index(x)
    kept = space.analogy(index, 0, 1, 2, "3cosadd", exclude_inputs=False, expected=3)
    dropped = space.analogy(index, 0, 1, 2, "3cosadd", exclude_inputs=True, expected=3)
    assert kept.top_is_input and kept.answers[0][0] == 0
    assert kept.expected_rank > dropped.expected_rank == 1


def test_custom_axis_orders_tokens_from_one_word_set_to_the_other():
    rng = np.random.default_rng(3)
    direction = rng.normal(0, 1, 40)
    base = rng.normal(0, 1, (6, 40))
    shifts = np.array([-2, -1, 0, 1, 2, 3])[:, None]
    x = (base * 0.1 + shifts * direction).astype(np.float32)
    coords = space.custom_axes(space.Index(x), ([0, 1], [4, 5]), None)
    assert coords.shape == (6, 2)
    assert list(np.argsort(coords[:, 0])) == [0, 1, 2, 3, 4, 5]


def test_custom_axis_refuses_empty_or_identical_ends(planted):
    index = space.Index(planted)
    for axis, key in ((([], [1]), "embed.err_axis_empty"), (([1], [1]), "embed.err_axis_same")):
        with pytest.raises(UserError) as err:
            space.custom_axes(index, axis, None)
        assert err.value.key == key


def test_spherize_centres_and_normalises_and_removes_the_common_lean():
    rng = np.random.default_rng(4)
    leaning = (rng.normal(0, 1, (500, 20)) + 5).astype(np.float32)
    assert space.mean_random_cosine(leaning) > 0.8
    sph = space.spherize(leaning)
    np.testing.assert_allclose(np.linalg.norm(sph, axis=1), 1, rtol=1e-5)
    assert abs(space.mean_random_cosine(sph)) < 0.05


def test_map_neighbours_agree_fully_when_the_map_is_the_space_itself():
    rng = np.random.default_rng(5)
    x = rng.normal(0, 1, (200, 2)).astype(np.float32)
    index = space.Index(x)
    same = space.compare_neighbours(index, x, 7, 10, "euclidean")
    assert same.shared == 1.0
    shuffled = space.compare_neighbours(index, rng.permutation(x), 7, 10, "euclidean")
    assert shuffled.shared < 0.5
    assert space.map_trust(index, x, 5, metric="euclidean") == 1.0


def test_map_distances_far_from_the_origin_keep_tiny_differences():
    # A map point at |q| = 21 with neighbours 0.0001 to 0.0017 away (the shipped word map's
    # 'ADRIAN'): |x|^2 - 2x.q + |q|^2 in float32 made them all 0, so the token id decided.
    offsets = np.arange(17, 0, -1) * 1e-4
    coords = np.array([[21.0, 0.0], *[[21.0 + d, 0.0] for d in offsets], [40.0, 0.0]])
    nearest = space.Index(coords.astype(np.float32)).nearest(0, 10, "euclidean")
    assert [j for j, _ in nearest] == list(range(17, 7, -1))
    assert all(score < 0 for _, score in nearest)


@pytest.mark.parametrize("offset", [0.0, 1000.0])
def test_euclidean_neighbours_are_those_of_the_exact_distance(offset):
    rng = np.random.default_rng(3)
    x = (offset + rng.normal(0, 1e-2 if offset else 1.0, (3000, 48))).astype(np.float32)
    index = space.Index(x)
    for i in (0, 1234, 2999):
        exact = np.linalg.norm(x.astype(np.float64) - x[i].astype(np.float64), axis=1)
        exact[i] = np.inf
        assert [j for j, _ in index.nearest(i, 10, "euclidean")] == list(np.argsort(exact)[:10])


def test_the_shipped_word_map_ranks_adrians_neighbours_by_their_real_distance():
    from genlab.embed import sources
    from genlab.embed.export import read_coords
    from genlab.embed.projection import ProjectionConfig, precomputed_path
    from genlab.text.checkpoint import load_shipped

    source = sources.from_language_model("w", load_shipped("shakespeare-word-gpt"))
    cfg = ProjectionConfig(method="pacmap", dims=2).validate()
    coords = read_coords(precomputed_path(source.fingerprint, cfg), len(source.tokens), 2)
    i = source.tokens.index("ADRIAN")
    exact = np.linalg.norm(coords.astype(np.float64) - coords[i].astype(np.float64), axis=1)
    exact[i] = np.inf
    nearest = space.Index(coords).nearest(i, 10, "euclidean")
    assert [j for j, _ in nearest] == list(np.argsort(exact, kind="stable")[:10])
    assert np.allclose([-s for _, s in nearest], np.sort(exact)[:10], rtol=1e-5, atol=0)


def test_find_prefers_the_exact_token_then_ignores_case():
    tokens = ["King", "king", "KINGS", "\n"]
    assert space.find(tokens, "King") == 0
    assert space.find(tokens, "\n") == 3
    assert space.find(tokens, " kings ") == 2
    assert space.find_known(tokens, "king, queen,, KING") == ([1, 0], ["queen"])
    with pytest.raises(UserError) as err:
        space.find(tokens, "queen")
    assert err.value.key == "embed.err_unknown_word" and err.value.params == {"word": "queen"}


def test_search_lists_exact_then_prefix_then_substring_matches():
    tokens = ["Treinar", "rei", "reino", "reis", "grei", "KING", "King", "king"]
    assert space.search(tokens, "REI") == [1, 3, 2, 4, 0]
    assert space.search(tokens, "king") == [7, 5, 6]
    assert space.search(tokens, "  ") == []


@pytest.mark.parametrize(
    ("token", "kind", "expected"),
    [
        ("a", "char", "letter"),
        ("7", "char", "digit"),
        ("!", "char", "punctuation"),
        ("\n", "char", "space"),
        ("king", "word", "word"),
        ("I", "word", "word"),
        ("...", "word", "punctuation"),
        ("<unk>", "word", "special"),
        (" the", "bpe", "word"),
        ("ing", "bpe", "subword"),
        ("1999", "word", "digit"),
    ],
)
def test_token_kind(token, kind, expected):
    assert space.token_kind(token, kind) == expected
