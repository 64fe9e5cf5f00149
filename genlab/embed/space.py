"""Questions asked of a vector space: neighbours, analogies, custom axes, spherize, token kinds.

Everything here works on the full-dimensional vectors (``[N, D]`` float arrays), as the Embedding
Projector does: the 2-D/3-D map is only a picture of the space, and can mislead.
"""

import unicodedata
from dataclasses import dataclass

import numpy as np

from genlab.errors import UserError

METRICS = ("cosine", "euclidean")
ANALOGY_METHODS = ("3cosadd", "3cosmul")
KINDS = ("letter", "digit", "punctuation", "space", "word", "subword", "special", "sentence")
COSMUL_EPS = 1e-3
BLOCK_ROWS = 4096


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def spherize(x: np.ndarray) -> np.ndarray:
    """The Projector's spherize: subtract the mean vector, then scale every vector to length 1."""
    return unit_rows(x - x.mean(axis=0, keepdims=True))


class Index:
    """Nearest-neighbour queries over a fixed set of vectors (unit rows precomputed for cosine)."""

    def __init__(self, vectors: np.ndarray):
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.unit = unit_rows(self.vectors)
        self.sq_norms = np.einsum("ij,ij->i", self.vectors, self.vectors)
        # how far |x|^2 - 2x.q + |q|^2 in float32 can be off, per unit of |x|^2 + |q|^2
        self.rounding = 2 * (self.vectors.shape[1] + 4) * float(np.finfo(np.float32).eps)

    def __len__(self) -> int:
        return len(self.vectors)

    def scores(self, query: np.ndarray, metric: str = "cosine") -> np.ndarray:
        """Similarity of every vector to ``query``: the cosine, or minus the Euclidean distance."""
        if metric == "cosine":
            norm = np.linalg.norm(query)
            return self.unit @ (query / norm if norm else query)
        if metric == "euclidean":
            return -np.sqrt(self.squared_distances(query))
        raise UserError("embed.err_metric", metric=metric)

    def squared_distances(self, query: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """|x - q|^2 as a direct difference (exact to a relative rounding error, also for points
        close together far from the origin), in blocks of rows that stay in the CPU's cache."""
        rows = np.arange(len(self)) if rows is None else rows
        query = np.asarray(query, dtype=np.float32)
        out = np.empty(len(rows), dtype=np.float32)
        for start in range(0, len(rows), BLOCK_ROWS):
            diff = self.vectors[rows[start : start + BLOCK_ROWS]] - query
            out[start : start + BLOCK_ROWS] = np.einsum("ij,ij->i", diff, diff)
        return out

    def nearest(self, i: int, k: int = 10, metric: str = "cosine") -> list[tuple[int, float]]:
        """The ``k`` nearest rows to row ``i`` (itself excluded), best first, with their score."""
        if metric == "euclidean":
            return self._nearest_euclidean(i, k)
        scores = self.scores(self.vectors[i], metric)
        scores[i] = -np.inf
        return top_k(scores, k)

    def _nearest_euclidean(self, i: int, k: int) -> list[tuple[int, float]]:
        """|x|^2 - 2x.q + |q|^2 (fast) picks the rows that can be among the ``k`` nearest given
        its rounding error; their distances are then computed exactly. In float32 alone, points
        0.005 apart 21 units from the origin were all at distance 0 (the token id decided)."""
        k = min(k, len(self) - 1)
        if k <= 0:
            return []
        approx = self.sq_norms - 2 * (self.vectors @ self.vectors[i]) + self.sq_norms[i]
        slack = self.rounding * (self.sq_norms + self.sq_norms[i])
        approx[i] = np.inf
        kth = np.partition(approx, k - 1)[k - 1]
        reach = kth + slack[approx <= kth].max()
        rows = np.flatnonzero(approx - slack <= reach)
        exact = -np.sqrt(self.squared_distances(self.vectors[i], rows))
        return [(int(rows[j]), score) for j, score in top_k(exact, k)]


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The indices of the ``k`` highest finite scores, best first, with the scores."""
    k = min(k, int(np.isfinite(scores).sum()))
    if k <= 0:
        return []
    part = np.argpartition(-scores, k - 1)[:k]
    order = part[np.lexsort((part, -scores[part]))]  # equal scores: the lower index first
    return [(int(j), float(scores[j])) for j in order]


def shared_neighbours(full: list[int], mapped: list[int]) -> float:
    """The fraction of the full-space neighbours that are also neighbours on the map."""
    return len(set(full) & set(mapped)) / len(full) if full else 0.0


@dataclass
class NeighbourReport:
    """A token's nearest neighbours in the full space and on the map, and the share they have in
    common (1 = the map keeps this neighbourhood, 0 = it is a different one)."""

    full: list[tuple[int, float]]
    mapped: list[int]
    shared: float


def compare_neighbours(
    index: Index, coords: np.ndarray, i: int, k: int = 10, metric: str = "cosine"
) -> NeighbourReport:
    full = index.nearest(i, k, metric)
    mapped = [j for j, _ in Index(coords).nearest(i, k, "euclidean")]
    return NeighbourReport(full, mapped, shared_neighbours([j for j, _ in full], mapped))


def map_trust(
    index: Index, coords: np.ndarray, k: int = 10, sample: int = 200, metric: str = "cosine"
) -> float:
    """Average shared-neighbour fraction over a deterministic sample of points: how much the map
    keeps of each point's real neighbourhood (1 = perfectly, about k/N = not at all)."""
    n = len(index)
    picks = np.linspace(0, n - 1, min(sample, n)).astype(int)
    flat = Index(coords)
    total = 0.0
    for i in picks:
        full = [j for j, _ in index.nearest(int(i), k, metric)]
        mapped = [j for j, _ in flat.nearest(int(i), k, "euclidean")]
        total += shared_neighbours(full, mapped)
    return total / len(picks)


def find(tokens: list[str], word: str) -> int:
    """The index of ``word`` among ``tokens``: exact match first, then ignoring case and spaces."""
    exact = {tok: i for i, tok in enumerate(tokens)}
    if word in exact:
        return exact[word]
    wanted = word.strip().casefold()
    for i, tok in enumerate(tokens):
        if tok.strip().casefold() == wanted:
            return i
    raise UserError("embed.err_unknown_word", word=word)


def find_known(tokens: list[str], words: str) -> tuple[list[int], list[str]]:
    """The indices of the known words of a comma-separated list, and the unknown words."""
    known, unknown = [], []
    for word in (w.strip() for w in words.split(",")):
        if word:
            try:
                known.append(find(tokens, word))
            except UserError:
                unknown.append(word)
    return known, unknown


def search(tokens: list[str], text: str, limit: int = 50) -> list[int]:
    """Tokens containing ``text`` (ignoring case): the exact token first, then the same word in
    other cases, then tokens starting with it, then the rest; shorter first within each group."""
    wanted = text.strip().casefold()
    if not wanted:
        return []
    hits = [i for i, tok in enumerate(tokens) if wanted in tok.casefold()]

    def rank(i: int) -> tuple:
        tok = tokens[i].strip().casefold()
        return (tokens[i] != text.strip(), tok != wanted, not tok.startswith(wanted), len(tok), i)

    return sorted(hits, key=rank)[:limit]


@dataclass
class Analogy:
    """The answers to ``a - b + c`` (for "king - man + woman": a=king, b=man, c=woman)."""

    inputs: tuple[int, int, int]
    method: str
    excluded: bool
    answers: list[tuple[int, float]]
    expected_rank: int | None  # 1 = the best answer; None when no expected word was given

    @property
    def top_is_input(self) -> bool:
        return bool(self.answers) and self.answers[0][0] in self.inputs


def analogy_scores(index: Index, a: int, b: int, c: int, method: str) -> np.ndarray:
    """Score of every vector as the answer to ``a - b + c``.

    3CosAdd: cos(x, a) - cos(x, b) + cos(x, c). 3CosMul (Levy & Goldberg 2014):
    cos'(x, a) * cos'(x, c) / (cos'(x, b) + 0.001), with cosines shifted to [0, 1].
    """
    cos_a, cos_b, cos_c = (index.unit @ index.unit[i] for i in (a, b, c))
    if method == "3cosadd":
        return cos_a - cos_b + cos_c
    if method == "3cosmul":
        return ((cos_a + 1) / 2) * ((cos_c + 1) / 2) / ((cos_b + 1) / 2 + COSMUL_EPS)
    raise UserError("embed.err_analogy_method", method=method)


def analogy(
    index: Index,
    a: int,
    b: int,
    c: int,
    method: str = "3cosadd",
    exclude_inputs: bool = True,
    expected: int | None = None,
    k: int = 10,
) -> Analogy:
    """Solve ``a - b + c``; without exclusion the answer is often ``a`` or ``c`` itself."""
    scores = analogy_scores(index, a, b, c, method)
    if exclude_inputs:
        scores[[a, b, c]] = -np.inf
    rank = None
    if expected is not None:
        rank = int((scores > scores[expected]).sum()) + 1 if np.isfinite(scores[expected]) else None
    return Analogy((a, b, c), method, exclude_inputs, top_k(scores, k), rank)


def axis_direction(index: Index, left: list[int], right: list[int]) -> np.ndarray:
    """Unit direction from the centroid of the ``left`` words to the centroid of the ``right``."""
    if not left or not right:
        raise UserError("embed.err_axis_empty")
    direction = index.unit[right].mean(axis=0) - index.unit[left].mean(axis=0)
    norm = np.linalg.norm(direction)
    if norm < 1e-9:
        raise UserError("embed.err_axis_same")
    return direction / norm


def custom_axes(
    index: Index, x_axis: tuple[list[int], list[int]], y_axis: tuple[list[int], list[int]] | None
) -> np.ndarray:
    """2-D coordinates along custom axes, as the Projector's custom projection.

    x: position along left->right of ``x_axis``. y: along ``y_axis`` when given, else along the
    direction of greatest spread once the x direction is removed.
    """
    x_dir = axis_direction(index, *x_axis)
    vectors = index.unit - index.unit.mean(axis=0)
    if y_axis is not None:
        y_dir = axis_direction(index, *y_axis)
    else:
        rest = vectors - np.outer(vectors @ x_dir, x_dir)
        y_dir = np.linalg.svd(rest, full_matrices=False)[2][0]
    return np.stack([vectors @ x_dir, vectors @ y_dir], axis=1).astype(np.float32)


def mean_random_cosine(x: np.ndarray, pairs: int = 2000, seed: int = 0) -> float:
    """Average cosine between random pairs of distinct tokens: near 0 for an isotropic space,
    clearly above 0 when all vectors lean the same way (spherize removes that)."""
    n = len(x)
    if n < 2:
        raise UserError("embed.err_too_few_points", n=n, low=2)
    rng = np.random.default_rng(seed)
    i = rng.integers(0, n, pairs)
    j = (i + rng.integers(1, n, pairs)) % n
    unit = unit_rows(x)
    return float(np.einsum("ij,ij->i", unit[i], unit[j]).mean())


def token_kind(token: str, tokenizer_kind: str = "word") -> str:
    """letter, digit, punctuation, space, word, subword or special (``<unk>``).

    A BPE piece that starts with a space begins a word; one that does not is a sub-word.
    """
    if token.startswith("<") and token.endswith(">") and len(token) > 2:
        return "special"
    core = token.strip()
    if not core:
        return "space"
    if all(unicodedata.category(ch)[0] in "PS" for ch in core):
        return "punctuation"
    if core.isdigit():
        return "digit"
    if len(core) == 1 and core.isalpha() and tokenizer_kind != "word":
        return "letter"
    if tokenizer_kind == "bpe" and token[0] != " ":
        return "subword"
    return "word"
