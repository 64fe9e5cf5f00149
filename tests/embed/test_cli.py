"""``python -m genlab embed``: coordinates of a checkpoint or of Word2Vec, and the shipped maps."""

import csv

import numpy as np
import pytest

from genlab.cli import main
from genlab.embed import export, projection
from genlab.embed.cli import PRECOMPUTE
from genlab.embed.sources import from_language_model
from genlab.text.checkpoint import load_shipped, save_lm, shipped
from tests.support.embed import synthetic_corpus


def test_embed_writes_the_coordinates_of_a_checkpoint(tiny_lm, tmp_path, capsys):
    ckpt = tmp_path / "tiny.safetensors"
    save_lm(tiny_lm, ckpt)
    out = tmp_path / "coords.tsv"
    code = main(
        ["embed", "--checkpoint", str(ckpt), "--method", "pca", "--dims", "3", "--out", str(out)]
    )
    assert code == 0
    rows = list(csv.reader(out.open(), delimiter="\t"))
    assert rows[0] == ["token", "kind", "count", "x", "y", "z"]
    assert len(rows) == tiny_lm.config.vocab_size + 1
    assert "pca-3d" in capsys.readouterr().err


def test_embed_draws_a_umap_map_with_its_settings(tiny_lm, tmp_path, capsys):
    ckpt = tmp_path / "tiny.safetensors"
    save_lm(tiny_lm, ckpt)
    args = ["embed", "--checkpoint", str(ckpt), "--method", "umap", "--dims", "3"]
    args += ["--metric", "euclidean", "--min-dist", "0.3", "--epochs", "30", "--seed", "4"]
    assert main(args) == 0
    captured = capsys.readouterr()
    lines = captured.out.strip().split("\n")
    assert lines[0] == "token,kind,count,x,y,z" and len(lines) == tiny_lm.config.vocab_size + 1
    assert "umap-3d-neighbours10-min_dist0.3-metriceuclidean-epochs30-seed4" in captured.err


def test_embed_trains_word2vec_on_a_text_file(tmp_path, capsys):
    corpus = tmp_path / "animals.txt"
    corpus.write_text(synthetic_corpus(200))
    assert (
        main(["embed", "--source", "word2vec", "--corpus", str(corpus), "--method", "pacmap"]) == 0
    )
    lines = capsys.readouterr().out.strip().split("\n")
    assert lines[0] == "token,kind,count,x,y" and len(lines) > 10


def test_embed_without_a_checkpoint_explains_what_to_give(capsys):
    assert main(["embed"]) == 2
    assert "--checkpoint" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(shipped()))
def test_every_shipped_checkpoint_has_its_precomputed_maps(name):
    """Otherwise a workshop waits: regenerate with `python -m genlab embed --all-shipped`."""
    source = from_language_model(name, load_shipped(name))
    for cfg in PRECOMPUTE:
        path = projection.precomputed_path(source.fingerprint, cfg)
        assert path.exists(), f"missing {path.name}: run python -m genlab embed --all-shipped"
        coords = export.read_coords(path, source.size[0], cfg.dims)
        assert np.isfinite(coords).all()
