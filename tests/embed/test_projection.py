"""PCA, t-SNE and PaCMAP maps: what they keep, their settings, their cache and precomputed files."""

import numpy as np
import pytest

from genlab.embed import export, projection
from genlab.embed.projection import ProjectionConfig
from genlab.embed.sources import Source
from genlab.errors import UserError
from tests.support.embed import clusters, knn_purity


def test_pca_reports_the_share_of_variance_of_the_chosen_components():
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (300, 10)) * np.array([10, 5, 3, 1, 1, 1, 1, 1, 1, 1])
    result = projection.project(x, ProjectionConfig(method="pca", components=(2, 3, 1)))
    centred = x - x.mean(0)
    s = np.linalg.svd(centred, compute_uv=False)
    ratios = s**2 / (s**2).sum()
    np.testing.assert_allclose(result.variance, ratios[[1, 2]], rtol=1e-4)
    assert result.coords.shape == (300, 2)
    assert np.var(result.coords[:, 0]) > np.var(result.coords[:, 1])


def test_pca_of_a_plane_in_20_dimensions_keeps_all_its_variance():
    rng = np.random.default_rng(1)
    plane = rng.normal(0, 1, (200, 2)) @ rng.normal(0, 1, (2, 20))
    result = projection.project(plane, ProjectionConfig(method="pca", dims=3))
    assert sum(result.variance[:2]) == pytest.approx(1.0, abs=1e-5)
    assert result.coords.shape == (200, 3)


@pytest.mark.parametrize(
    "cfg",
    [ProjectionConfig(method="tsne", iterations=250), ProjectionConfig(method="pacmap")],
    ids=["tsne", "pacmap"],
)
def test_nonlinear_maps_keep_clusters_apart(cfg):
    x, labels = clusters()
    seen = []
    result = projection.project(x, cfg, progress=seen.append)
    assert result.coords.shape == (150, 2) and result.coords.dtype == np.float32
    assert knn_purity(result.coords, labels) > 0.95
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_tsne_reports_progress_along_the_way_and_draws_3d():
    x, _ = clusters(20)
    seen = []
    result = projection.project(
        x, ProjectionConfig(method="tsne", dims=3, iterations=200), seen.append
    )
    assert result.coords.shape == (60, 3)
    assert len([f for f in seen if 0 < f < 1]) >= 3


def test_tsne_lowers_the_perplexity_for_few_points_and_says_so():
    x, _ = clusters(7)
    result = projection.project(x, ProjectionConfig(method="tsne", perplexity=30, iterations=100))
    assert result.used["perplexity"] < 30
    assert np.isfinite(result.coords).all()


def test_a_map_is_reproducible_with_the_same_seed():
    x, _ = clusters(20)
    cfg = ProjectionConfig(method="pacmap", seed=3)
    np.testing.assert_array_equal(
        projection.project(x, cfg).coords, projection.project(x, cfg).coords
    )


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"method": "mds"}, "embed.err_method"),
        ({"dims": 4}, "embed.err_dims"),
        ({"components": (1, 1, 2)}, "embed.err_components"),
        ({"perplexity": 500}, "embed.err_perplexity"),
        ({"neighbours": 1}, "embed.err_neighbours"),
    ],
)
def test_bad_settings_are_refused_with_a_message(kwargs, key):
    with pytest.raises(UserError) as err:
        ProjectionConfig(**kwargs).validate()
    assert err.value.key == key


def test_too_few_points_components_out_of_range_and_infinities_are_refused():
    cases = [
        (np.ones((4, 3)), ProjectionConfig(), "embed.err_too_few_points"),
        (
            np.random.default_rng(0).normal(size=(9, 3)),
            ProjectionConfig(components=(1, 5)),
            "embed.err_component_range",
        ),
        (np.full((9, 3), np.inf), ProjectionConfig(), "embed.err_not_finite"),
    ]
    for data, cfg, key in cases:
        with pytest.raises(UserError) as err:
            projection.project(data, cfg)
        assert err.value.key == key


def test_umap_is_offered_only_when_installed():
    import importlib.util

    installed = importlib.util.find_spec("umap") is not None
    assert ("umap" in projection.available()) == installed
    if not installed:
        with pytest.raises(UserError) as err:
            ProjectionConfig(method="umap").validate()
        assert err.value.key == "embed.err_umap_missing"


def test_the_cache_key_holds_only_the_settings_the_method_uses():
    pca = ProjectionConfig(method="pca", perplexity=10)
    assert pca.slug() == ProjectionConfig(method="pca", perplexity=50).slug()
    assert (
        ProjectionConfig(method="tsne", perplexity=10).slug()
        != ProjectionConfig(method="tsne").slug()
    )
    assert ProjectionConfig(spherize=True).slug() != pca.slug()
    again = ProjectionConfig.from_dict(ProjectionConfig(method="tsne", dims=3).to_dict())
    assert again == ProjectionConfig(method="tsne", dims=3)


def test_cached_project_computes_once_and_reads_precomputed_files(tmp_path, monkeypatch):
    x, _ = clusters(10)
    cfg = ProjectionConfig(method="pacmap")
    calls = []
    real = projection.project
    monkeypatch.setattr(projection, "project", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = projection.cached_project(x, "fp-test-1", cfg, root=tmp_path)
    second = projection.cached_project(x, "fp-test-1", cfg, root=tmp_path)
    assert second is first and len(calls) == 1 and not first.precomputed

    source = Source("s", [f"t{i}" for i in range(30)], x, "embed.origin_model", {}, ["word"] * 30)
    path = projection.precomputed_path("fp-test-2", cfg, tmp_path)
    path.write_text(export.coords_table(source, first.coords))
    stored = projection.cached_project(x, "fp-test-2", cfg, root=tmp_path)
    assert stored.precomputed and len(calls) == 1
    np.testing.assert_allclose(stored.coords, first.coords, rtol=1e-4, atol=1e-4)


def test_pca_of_many_tokens_fits_on_a_sample_but_matches_the_full_fit():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(7)
    x = (rng.normal(0, 1, (12_000, 30)) * np.r_[6, 3, np.ones(28)]).astype(np.float32)
    ours = projection.project(x, ProjectionConfig(method="pca"))
    full = PCA(2).fit(x)
    np.testing.assert_allclose(ours.variance, full.explained_variance_ratio_, rtol=0.05)
    reference = full.transform(x)
    for k in range(2):
        assert abs(np.corrcoef(ours.coords[:, k], reference[:, k])[0, 1]) > 0.99
