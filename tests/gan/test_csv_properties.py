"""Property-based tests (hypothesis): a GAN CSV gives points or a message, never a crash."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from genlab.errors import UserError
from genlab.gan import datasets

FAST = settings(max_examples=150, deadline=None, database=None)
coordinate = st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 4))
pairs = st.lists(st.tuples(coordinate, coordinate), min_size=datasets.MIN_POINTS, max_size=80)
cells = st.sampled_from(["1", "-2.5", "3,5", "nan", "inf", "x", "", "1e400", '"', "\t", " "])


def assert_points_or_message(data: bytes) -> None:
    try:
        pts = datasets.parse_csv(data)
    except UserError as err:
        assert err.key.startswith("gan.err_csv_")
        return
    assert pts.ndim == 2 and pts.shape[1] == 2 and len(pts) >= datasets.MIN_POINTS
    assert np.isfinite(pts).all()
    assert np.isfinite(datasets.normalise(pts)).all()


@FAST
@given(st.binary(max_size=3000))
def test_any_bytes_give_points_or_a_message(data):
    assert_points_or_message(data)


@FAST
@given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=40))
def test_any_grid_of_odd_cells_gives_points_or_a_message(rows):
    for sep in (",", ";", "\t"):
        assert_points_or_message("\n".join(sep.join(r) for r in rows).encode())


@FAST
@given(pairs, st.sampled_from(["comma", "semicolon", "tab"]), st.booleans())
def test_numbers_written_by_a_spreadsheet_are_read_back(points, style, header):
    pts = np.array(points)
    assume((pts.min(0) != pts.max(0)).any())
    sep, decimal = {"comma": (",", "."), "semicolon": (";", ","), "tab": ("\t", ".")}[style]
    lines = [sep.join(f"{v}".replace(".", decimal) for v in row) for row in points]
    text = "\n".join((["x" + sep + "y"] if header else []) + lines)
    assert np.allclose(datasets.parse_csv(text.encode()), pts)
