"""UMAP maps: what they keep, their settings, the worker that draws them, and the ready check the
page uses to decide between drawing at once and drawing in a worker."""

from pathlib import Path

import numpy as np
import pytest

from genlab import jobs
from genlab.embed import projection
from genlab.embed.projection import ProjectionConfig
from genlab.errors import UserError
from tests.support.embed import clusters, knn_purity

SHORT = {"method": "umap", "epochs": 50}  # the default 500 epochs are not needed for 150 points


def test_umap_keeps_clusters_apart_the_same_way_for_the_same_seed():
    x, labels = clusters()
    seen = []
    cfg = ProjectionConfig(**SHORT)
    first = projection.project(x, cfg, progress=seen.append)
    assert first.coords.shape == (150, 2) and first.coords.dtype == np.float32
    assert knn_purity(first.coords, labels) > 0.95
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    np.testing.assert_array_equal(projection.project(x, cfg).coords, first.coords)
    other = projection.project(x, ProjectionConfig(**SHORT, seed=1)).coords
    assert not np.allclose(other, first.coords)


def test_umap_s_compiled_code_goes_to_numba_s_disk_cache():
    # without it each map's worker compiled it again: 10-12 CPU-s for 150 points, more than the fit
    import umap.umap_

    x, _ = clusters(10)
    projection.project(x, ProjectionConfig(**SHORT))
    stats = umap.umap_.smooth_knn_dist.stats
    assert stats.cache_path is not None
    assert sum(stats.cache_hits.values()) + sum(stats.cache_misses.values()) >= 1
    assert list(Path(stats.cache_path).glob("umap_.smooth_knn_dist-*.nbi"))


def test_umap_draws_3d_with_the_euclidean_distance_too():
    x, labels = clusters(40)
    cfg = ProjectionConfig(**SHORT, dims=3, metric="euclidean", min_dist=0.5, neighbours=8)
    result = projection.project(x, cfg)
    assert result.coords.shape == (120, 3)
    assert knn_purity(result.coords, labels) > 0.95
    assert result.used["neighbours"] == 8


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"min_dist": 1.5}, "embed.err_min_dist"),
        ({"metric": "manhattan"}, "embed.err_map_metric"),
        ({"epochs": 3}, "embed.err_epochs"),
    ],
)
def test_bad_umap_settings_are_refused_with_a_message(kwargs, key):
    with pytest.raises(UserError) as err:
        ProjectionConfig(method="umap", **kwargs).validate()
    assert err.value.key == key


def test_umap_settings_name_its_files_and_survive_a_round_trip():
    default = ProjectionConfig(method="umap")
    assert default.slug() == "umap-2d-neighbours10-min_dist0.1-metriccosine-seed0"
    assert ProjectionConfig(method="umap", epochs=50).slug() != default.slug()
    assert ProjectionConfig(method="umap", metric="euclidean").slug() != default.slug()
    assert ProjectionConfig(method="pacmap", min_dist=0.5).slug() == "pacmap-2d-neighbours10-seed0"
    text = {"method": "umap", "min_dist": "0.25", "epochs": "40", "seed": "2", "dims": "3"}
    again = ProjectionConfig.from_dict(text)
    assert (again.min_dist, again.epochs, again.seed, again.dims) == (0.25, 40, 2, 3)


def test_a_map_remembered_from_a_worker_is_ready_and_served_from_the_cache(tmp_path):
    x, _ = clusters(10)
    cfg = ProjectionConfig(method="umap", seed=7)
    assert not projection.ready("fp-umap-ready", cfg, tmp_path)
    result = projection.Projection(np.zeros((30, 2), np.float32), cfg, seconds=1.0)
    projection.remember("fp-umap-ready", result)
    assert projection.ready("fp-umap-ready", cfg, tmp_path)
    assert projection.cached_project(x, "fp-umap-ready", cfg, root=tmp_path) is result
    assert not projection.ready("fp-umap-ready", ProjectionConfig(method="umap", seed=8), tmp_path)


def test_the_map_task_returns_the_map_from_a_worker_or_the_participants_error():
    x, _ = clusters(10)
    good = jobs.start(
        "genlab.embed.jobs:projection_task",
        {"config": ProjectionConfig(method="pca").to_dict(), "vectors": x},
    )
    bad = jobs.start(
        "genlab.embed.jobs:projection_task",
        {"config": {"method": "umap", "metric": "manhattan"}, "vectors": x},
    )
    assert good.wait(60) and bad.wait(60), (good.error, bad.error)
    proj = good.result["projection"]
    np.testing.assert_allclose(
        proj.coords, projection.project(x, ProjectionConfig(method="pca")).coords, atol=1e-4
    )
    assert good.snapshot["fraction"] == 1.0
    assert bad.result == {"error": "embed.err_map_metric", "params": {"metric": "manhattan"}}
