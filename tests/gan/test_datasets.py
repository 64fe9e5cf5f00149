"""Real data: built-in shapes, drawings and uploaded CSVs (with clear errors for bad files)."""

import numpy as np
import pytest

from genlab.errors import UserError
from genlab.gan import datasets
from genlab.gan.config import DATASETS


@pytest.mark.parametrize("name", DATASETS)
def test_builtin_datasets_are_reproducible_and_fit_the_view(name):
    data = datasets.builtin(name)
    a, b = data.sample(5000, seed=3), data.sample(5000, seed=3)
    assert a.shape == (5000, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert np.abs(a).max() < datasets.VIEW[1]
    assert not np.array_equal(a, data.sample(5000, seed=4))


def test_ring_is_a_ring():
    radius = np.linalg.norm(datasets.builtin("ring").sample(10_000), axis=1)
    assert abs(np.median(radius) - 0.7) < 0.02
    assert (radius > 0.4).mean() > 0.99  # nothing in the hole


def test_gaussian_mixtures_have_the_right_number_of_modes():
    for name, modes in (("gaussians8", 8), ("gaussians25", 25), ("two_gaussians", 2)):
        pts = datasets.builtin(name).sample(20_000)
        # points snapped to a fine grid fall into as many clusters as there are modes
        from scipy.cluster.vq import kmeans2

        _, labels = kmeans2(pts.astype(float), modes, seed=1, minit="++")
        sizes = np.bincount(labels, minlength=modes)
        assert sizes.min() > 0.5 * len(pts) / modes, name


def test_a_drawing_becomes_points_along_the_strokes():
    # an "L" drawn on a canvas (y grows downwards)
    strokes = [[(10, 10), (10, 110)], [(10, 110), (60, 110)]]
    data = datasets.from_strokes(strokes)
    pts = data.sample(4000, seed=0)
    assert np.abs(pts).max() <= datasets.EXTENT + 0.1
    # twice as much ink on the vertical stroke as on the horizontal one
    vertical = np.abs(pts[:, 0] - pts[:, 0].min()) < 0.1
    assert 0.55 < vertical.mean() < 0.78
    # the vertical stroke was at the top-left on screen: low y (screen) means high y (plane)
    assert pts[vertical, 1].max() > pts[~vertical, 1].max()


def test_canvas_json_paths_become_strokes():
    json_data = {
        "objects": [
            {"type": "Path", "path": [["M", 1, 2], ["Q", 1, 2, 3, 4], ["L", 5, 6]]},
            {"type": "path", "path": [["M", 7, 8]]},
            {"type": "Rect", "left": 0},
        ]
    }
    assert datasets.strokes_from_canvas(json_data) == [
        [(1.0, 2.0), (3.0, 4.0), (5.0, 6.0)],
        [(7.0, 8.0)],
    ]
    assert datasets.strokes_from_canvas(None) == []


def test_an_empty_drawing_is_refused():
    for strokes in ([], [[(5, 5)]], [[(5, 5), (5, 5)]]):
        with pytest.raises(UserError) as err:
            datasets.from_strokes(strokes)
        assert err.value.key == "gan.err_drawing_empty"


def test_csv_with_header_and_semicolons_and_decimal_commas():
    text = "x;y\n" + "\n".join(f"{i},5;{-i},25" for i in range(20))
    pts = datasets.parse_csv(text.encode())
    assert pts.shape == (20, 2)
    assert pts[3].tolist() == [3.5, -3.25]


def test_csv_points_are_rescaled_to_fit_the_square():
    rows = "\n".join(f"{1000 + 10 * i},{-50 + i}" for i in range(50))
    data = datasets.from_csv(rows.encode())
    assert np.isclose(np.abs(data.points).max(), datasets.EXTENT)


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"", "gan.err_csv_empty"),
        (b"\x89PNG\x00\x00binary", "gan.err_csv_unreadable"),
        (b"a,b\nhello,world\nfoo,bar\n", "gan.err_csv_columns"),
        (b"x\n1\n2\n3\n", "gan.err_csv_columns"),
        (b"x,y\n1,2\n3,4\n", "gan.err_csv_too_few"),
        (("x,y\n" + "1,1\n" * 30).encode(), "gan.err_csv_same_point"),
    ],
)
def test_bad_csvs_are_refused_with_a_clear_error(content, key):
    with pytest.raises(UserError) as err:
        datasets.parse_csv(content)
    assert err.value.key == key


def test_user_data_needs_points():
    with pytest.raises(UserError) as err:
        datasets.make("drawn", None)
    assert err.value.key == "gan.err_no_user_data"
