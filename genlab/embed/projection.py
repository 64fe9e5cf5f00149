"""Maps of a vector space: PCA, t-SNE (openTSNE), PaCMAP and, when installed, UMAP; 2-D or 3-D.

Results are cached in memory per (source fingerprint, configuration) and can be precomputed to
``assets/embed/`` by ``python -m genlab embed --all-shipped`` so that a workshop does not wait.
UMAP compiles its numba code on the first fit of a process (see ``UMAP_FIRST_SECONDS``), so
the page runs a UMAP map that is not ready in a worker (``genlab.embed.jobs:projection_task``).
"""

import contextlib
import functools
import importlib.util
import io
import logging
import os
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from genlab.embed.space import spherize
from genlab.errors import UserError
from genlab.settings import Settings, errors

METHODS = ("pca", "tsne", "pacmap", "umap")
UMAP_METRICS = ("cosine", "euclidean")
# UMAP compiles its numba code in every new process (a map's worker is one).
# bench/bench_embed_speed.py, 5,000 points on the 2 shared cores (load 4-8): first fit 55-75 s
# with an empty numba disk cache, then 7.5 s in the same process. Since umap's and pynndescent's
# functions are kept on disk too (``_umap_cached_on_disk``), a later process's first fit took
# 16-19 s instead of 34-36 s (150 points: 2 s instead of 11-12), alternate runs, 2026-12-04; and
# ``./lab`` fills the cache when it installs (``fill_compile_cache``: 70 s here). Participants are
# told to expect the slowest case.
UMAP_FIRST_SECONDS = 60
MIN_POINTS = 5
TSNE_PCA_DIMS = 50
# PCA's axes from a sample of 10,000 rows match those of all rows closely (the variance of each
# direction is an average), and the fit costs a quarter for 40,000 tokens; all rows are projected.
PCA_FIT_ROWS = 10_000
PRECOMPUTED_DIR = Path(__file__).resolve().parents[2] / "assets" / "embed"
CACHE_SIZE = 24

Progress = Callable[[float], None]

# PaCMAP runs on numba, whose parallel loops took 15 s instead of 2 s for 3,000 points when the
# two cores were shared with other work: one thread, like torch (genlab.device).
os.environ.setdefault("NUMBA_NUM_THREADS", os.environ.get("GENLAB_THREADS", "1"))


def available() -> tuple[str, ...]:
    """The methods usable here: UMAP only when ``umap-learn`` is installed."""
    return tuple(m for m in METHODS if m != "umap" or importlib.util.find_spec("umap"))


@dataclass(frozen=True)
class ProjectionConfig(Settings):
    """How to draw the map. ``components`` are the principal components (1 = the first) that PCA
    puts on x, y and z; ``perplexity`` is t-SNE's, ``neighbours`` PaCMAP's and UMAP's;
    ``min_dist``, ``metric`` and ``epochs`` (0: UMAP's default, 500 below 10,000 points, else 200)
    are UMAP's."""

    method: str = "pca"
    dims: int = 2
    components: tuple[int, ...] = (1, 2, 3)
    perplexity: float = 30.0
    iterations: int = 500
    neighbours: int = 10
    min_dist: float = 0.1
    metric: str = "cosine"
    epochs: int = 0
    spherize: bool = False
    seed: int = 0

    ERRORS = errors("embed.err_settings")

    def validate(self) -> "ProjectionConfig":
        if self.method not in METHODS:
            raise UserError("embed.err_method", method=self.method)
        if self.method not in available():
            raise UserError("embed.err_umap_missing")
        if self.dims not in (2, 3):
            raise UserError("embed.err_dims", dims=self.dims)
        if len(self.components) < self.dims or len(set(self.components[: self.dims])) < self.dims:
            raise UserError("embed.err_components")
        if min(self.components) < 1:
            raise UserError("embed.err_components")
        if not 2 <= self.perplexity <= 100:
            raise UserError("embed.err_perplexity", low=2, high=100, value=self.perplexity)
        if not 100 <= self.iterations <= 5000:
            raise UserError("embed.err_iterations", low=100, high=5000, value=self.iterations)
        if not 2 <= self.neighbours <= 100:
            raise UserError("embed.err_neighbours", low=2, high=100, value=self.neighbours)
        if not 0 <= self.min_dist <= 1:
            raise UserError("embed.err_min_dist", low=0, high=1, value=self.min_dist)
        if self.metric not in UMAP_METRICS:
            raise UserError("embed.err_map_metric", metric=self.metric)
        if self.epochs != 0 and not 10 <= self.epochs <= 2000:
            raise UserError("embed.err_epochs", low=10, high=2000, value=self.epochs)
        return self

    def relevant(self) -> dict:
        """Only the settings the chosen method uses (the cache key and the file name)."""
        used = {
            "pca": ("components",),
            "tsne": ("perplexity", "iterations", "seed"),
            "pacmap": ("neighbours", "seed"),
            "umap": ("neighbours", "min_dist", "metric", "epochs", "seed"),
        }
        keep = [k for k in used[self.method] if k != "epochs" or self.epochs]  # 0: the default
        out = {"method": self.method, "dims": self.dims, "spherize": self.spherize}
        out.update({k: getattr(self, k) for k in keep})
        if self.method == "pca":
            out["components"] = tuple(self.components[: self.dims])
        return out

    def slug(self) -> str:
        parts = [f"{self.method}-{self.dims}d"]
        parts += [
            f"{k}{'_'.join(map(str, v)) if isinstance(v, tuple) else v}"
            for k, v in self.relevant().items()
            if k not in ("method", "dims", "spherize")
        ]
        if self.spherize:
            parts.append("sph")
        return "-".join(parts)


@dataclass
class Projection:
    """The map: ``coords[N, dims]``; for PCA, the share of variance of each shown component and of
    all components together; ``used`` holds settings adjusted to the data (e.g. perplexity)."""

    coords: np.ndarray
    config: ProjectionConfig
    variance: list[float] | None = None
    seconds: float = 0.0
    used: dict = field(default_factory=dict)
    precomputed: bool = False


def _pca(x: np.ndarray, cfg: ProjectionConfig) -> Projection:
    from sklearn.decomposition import PCA

    wanted = cfg.components[: cfg.dims]
    k = max(wanted)
    if k > min(x.shape):
        raise UserError("embed.err_component_range", high=min(x.shape), value=k)
    rows = x
    if len(x) > PCA_FIT_ROWS:
        picks = np.random.default_rng(cfg.seed).choice(len(x), PCA_FIT_ROWS, replace=False)
        rows = x[np.sort(picks)]
    pca = PCA(n_components=k, random_state=cfg.seed).fit(rows)
    coords = pca.transform(x)[:, [c - 1 for c in wanted]]
    ratios = pca.explained_variance_ratio_
    return Projection(coords, cfg, [float(ratios[c - 1]) for c in wanted])


def _reduce(x: np.ndarray, dims: int, seed: int) -> np.ndarray:
    """PCA down to ``dims`` first: the usual, much faster start for neighbour-based maps."""
    if x.shape[1] <= dims or len(x) <= dims:
        return x
    from sklearn.decomposition import PCA

    return PCA(n_components=dims, random_state=seed).fit_transform(x)


def _tsne(x: np.ndarray, cfg: ProjectionConfig, progress: Progress) -> Projection:
    from openTSNE import TSNE

    n = len(x)
    perplexity = min(cfg.perplexity, max(1.0, (n - 1) / 3 - 1))
    exaggeration_iter = min(250, cfg.iterations // 3)
    every = 25
    total = cfg.iterations // every
    calls = [0]

    def tick(iteration, error, embedding):
        calls[0] += 1
        progress(min(calls[0] / total, 1.0))

    tsne = TSNE(
        n_components=cfg.dims,
        perplexity=perplexity,
        early_exaggeration_iter=exaggeration_iter,
        n_iter=cfg.iterations - exaggeration_iter,
        # FFT interpolation costs the same for 65 points as for 10,000 (15 s for a character
        # vocabulary); openTSNE's "auto" keeps Barnes-Hut below 10,000 points. FFT is 2-D only.
        negative_gradient_method="auto" if cfg.dims == 2 else "bh",
        random_state=cfg.seed,
        callbacks=tick,
        callbacks_every_iters=every,
        n_jobs=1,
    )
    coords = np.asarray(tsne.fit(_reduce(x, TSNE_PCA_DIMS, cfg.seed)))
    return Projection(coords, cfg, used={"perplexity": round(perplexity, 1)})


def _threads() -> int:
    return int(os.environ.get("GENLAB_THREADS", "1"))


def few_threads():
    """BLAS limited like torch (genlab.device): with 2 threads on 2 busy cores, PCA ran 5x and a
    20-snapshot timeline 100x slower than with one."""
    return threadpool_limits(limits=_threads())


def _pacmap(x: np.ndarray, cfg: ProjectionConfig) -> Projection:
    import numba
    import pacmap

    logging.getLogger("pacmap").setLevel(logging.ERROR)  # "not thoroughly tested" notes in 3-D

    numba.set_num_threads(min(numba.config.NUMBA_NUM_THREADS, _threads()))
    neighbours = min(cfg.neighbours, len(x) - 2)
    model = pacmap.PaCMAP(n_components=cfg.dims, n_neighbors=neighbours, random_state=cfg.seed)
    notes = io.StringIO()  # PaCMAP prints notes on every fit
    with contextlib.redirect_stdout(notes), contextlib.redirect_stderr(notes):
        coords = model.fit_transform(x)
    return Projection(coords, cfg, used={"neighbours": neighbours})


class _EpochBar(io.TextIOBase):
    """Where UMAP's tqdm bar writes (format ``"{n} {total}"``): the epochs done, as progress."""

    FORMAT = "{n} {total}"

    def __init__(self, progress: Progress):
        self.progress = progress

    def write(self, text: str) -> int:
        parts = text.split()
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            done, total = map(int, parts)
            self.progress(min(done / max(total, 1), 1.0))
        return len(text)


@functools.cache
def _umap_cached_on_disk() -> None:
    """Let numba keep umap's and pynndescent's compiled functions on disk, as ``cache=True`` does
    (umap-learn 0.5 leaves it off for most): a new process then loads them instead of compiling
    them again (see ``UMAP_FIRST_SECONDS``)."""
    import sys

    from numba.core.registry import CPUDispatcher

    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("umap", "pynndescent"):
            for function in vars(module).values():
                if isinstance(function, CPUDispatcher):
                    function.enable_caching()


def _umap(x: np.ndarray, cfg: ProjectionConfig, progress: Progress) -> Projection:
    import numba
    import umap
    from numba.core.errors import NumbaWarning

    _umap_cached_on_disk()
    numba.set_num_threads(min(numba.config.NUMBA_NUM_THREADS, _threads()))
    neighbours = min(cfg.neighbours, len(x) - 2)
    model = umap.UMAP(
        n_components=cfg.dims,
        n_neighbors=neighbours,
        min_dist=cfg.min_dist,
        metric=cfg.metric,
        n_epochs=cfg.epochs or None,
        random_state=cfg.seed,
        n_jobs=1,  # a seed makes UMAP single-threaded anyway (and it warns unless told)
        tqdm_kwds={"disable": False, "file": _EpochBar(progress), "bar_format": _EpochBar.FORMAT},
    )
    with warnings.catch_warnings():  # two of pynndescent's functions cannot be kept: it says so
        warnings.filterwarnings("ignore", "Cannot cache compiled function", NumbaWarning)
        coords = model.fit_transform(x)
    return Projection(coords, cfg, used={"neighbours": neighbours})


def fill_compile_cache() -> None:
    """Fit small maps once so that numba's disk cache holds what PaCMAP and UMAP compile, both of
    UMAP's neighbour searches (exact below 4,096 points, NNDescent above) and both metrics.
    ``./lab`` runs it after installing (``python -m genlab embed --fill-cache``): a workshop's first
    UMAP map then loads its code instead of compiling it for about a minute."""
    rng = np.random.default_rng(0)
    maps = [(60, ProjectionConfig(method="pacmap"))]
    if "umap" in available():
        maps += [(60, ProjectionConfig(method="umap", metric=m, epochs=10)) for m in UMAP_METRICS]
        maps.append((4_100, ProjectionConfig(method="umap", epochs=10)))
    for n, cfg in maps:
        project(rng.normal(size=(n, 8)).astype(np.float32), cfg)


def project(vectors: np.ndarray, cfg: ProjectionConfig, progress: Progress | None = None):
    """Project ``vectors`` ([N, D]) with ``cfg``; ``progress(fraction)`` is called as work goes."""
    cfg.validate()
    progress = progress or (lambda fraction: None)
    n = len(vectors)
    if n < MIN_POINTS:
        raise UserError("embed.err_too_few_points", n=n, low=MIN_POINTS)
    x = np.asarray(vectors, dtype=np.float32)
    if not np.isfinite(x).all():
        raise UserError("embed.err_not_finite")
    if cfg.spherize:
        x = spherize(x)
    start = time.perf_counter()
    progress(0.0)
    with few_threads():
        if cfg.method == "pca":
            result = _pca(x, cfg)
        elif cfg.method == "tsne":
            result = _tsne(x, cfg, progress)
        elif cfg.method == "pacmap":
            result = _pacmap(x, cfg)
        else:
            result = _umap(x, cfg, progress)
    progress(1.0)
    result.coords = np.ascontiguousarray(result.coords, dtype=np.float32)
    result.seconds = time.perf_counter() - start
    return result


_CACHE: OrderedDict = OrderedDict()


def precomputed_path(fingerprint: str, cfg: ProjectionConfig, root: Path = PRECOMPUTED_DIR) -> Path:
    return root / f"{fingerprint}-{cfg.slug()}.csv"


def cached_project(
    vectors: np.ndarray,
    fingerprint: str,
    cfg: ProjectionConfig,
    progress: Progress | None = None,
    root: Path = PRECOMPUTED_DIR,
    cache: OrderedDict | None = None,
) -> Projection:
    """``project`` with a memory cache per (fingerprint, settings), read first from a precomputed
    file under ``root`` when one matches. ``cache`` defaults to one for the whole process (for
    the shipped models); pass a participant's own for their vectors."""
    from genlab.embed.export import read_coords

    store = _CACHE if cache is None else cache
    key = _key(fingerprint, cfg)
    if key in store:
        store.move_to_end(key)
        return store[key]
    path = precomputed_path(fingerprint, cfg, root)
    if path.exists():
        result = Projection(read_coords(path, len(vectors), cfg.dims), cfg, precomputed=True)
    else:
        result = project(vectors, cfg, progress)
    return remember(fingerprint, result, store)


def _key(fingerprint: str, cfg: ProjectionConfig) -> tuple:
    return fingerprint, tuple(sorted(cfg.relevant().items()))


def remember(fingerprint: str, result: Projection, cache: OrderedDict | None = None) -> Projection:
    """Keep ``result`` (e.g. computed by a worker) in the memory cache of ``cached_project``."""
    store = _CACHE if cache is None else cache
    store[_key(fingerprint, result.config)] = result
    while len(store) > CACHE_SIZE:
        store.popitem(last=False)
    return result


def ready(
    fingerprint: str,
    cfg: ProjectionConfig,
    root: Path = PRECOMPUTED_DIR,
    cache: OrderedDict | None = None,
) -> bool:
    """True when ``cached_project`` answers at once: in the memory cache or precomputed."""
    store = _CACHE if cache is None else cache
    return _key(fingerprint, cfg) in store or precomputed_path(fingerprint, cfg, root).exists()
