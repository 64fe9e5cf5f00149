"""Export: coordinates with metadata as CSV/TSV, Projector TSVs, and reading coordinates back."""

import csv
import io

import numpy as np
import pytest

from genlab.embed import export
from genlab.embed.sources import Source
from genlab.errors import UserError


@pytest.fixture
def source():
    tokens = ["king", "a,b", "\n", "tab\there", '"quoted"']
    x = np.arange(15, dtype=np.float32).reshape(5, 3)
    counts = np.array([5, 4, 3, 2, 1])
    return Source("s", tokens, x, "embed.origin_model", {}, ["word"] * 5, counts)


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("tsv", "\t")])
def test_coordinates_round_trip_with_awkward_tokens(source, tmp_path, fmt, delimiter):
    coords = np.array([[0.5, -1.25, 3], [1, 2, 3], [4, 5, 6], [7, 8, 9], [1e-7, 2, 3]])
    text = export.coords_table(source, coords, fmt)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert rows[0] == ["token", "kind", "count", "x", "y", "z"]
    assert [r[0] for r in rows[1:]] == ["king", "a,b", "⏎", "tab⇥here", '"quoted"']
    assert rows[1][2] == "5"
    path = tmp_path / f"map.{fmt}"
    path.write_text(text)
    np.testing.assert_allclose(export.read_coords(path, 5, 3), coords, rtol=1e-4)


def test_unknown_counts_stay_empty_and_2d_has_no_z(source):
    source.counts = None
    rows = list(csv.reader(io.StringIO(export.coords_table(source, np.zeros((5, 2))))))
    assert rows[0][-1] == "y" and rows[1][2] == ""


def test_a_coordinates_file_for_another_model_is_refused(source, tmp_path):
    path = tmp_path / "map.csv"
    path.write_text(export.coords_table(source, np.zeros((5, 2))))
    with pytest.raises(UserError) as err:
        export.read_coords(path, 6, 2)
    assert err.value.key == "embed.err_coords_file"
    with pytest.raises(UserError):
        export.read_coords(path, 5, 3)
    with pytest.raises(UserError) as err:
        export.coords_table(source, np.zeros((5, 2)), "xlsx")
    assert err.value.key == "embed.err_export_format"


def test_projector_files_have_one_line_per_token(source):
    vectors, metadata = export.projector_tsv(source)
    lines = vectors.strip().split("\n")
    assert len(lines) == 5 and lines[1].split("\t") == ["3", "4", "5"]
    meta = metadata.strip().split("\n")
    assert meta[0] == "token\tkind\tcount" and len(meta) == 6 and meta[4].startswith("tab⇥here")
