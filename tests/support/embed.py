"""Small language models, vector sets and corpora for the embedding room's tests."""

import numpy as np
import pytest
import torch

from genlab.text.checkpoint import LanguageModel
from genlab.text.models import LMConfig, build_model
from genlab.text.tokenizers import build_tokenizer

TEXT = (
    "the king loves the queen . the queen loves the king .\n"
    "a man and a woman walk to the castle , and the king sees them .\n"
    "1 2 3 ! the woman speaks ; the man listens .\n"
) * 20


@pytest.fixture(scope="session")
def tiny_lm() -> LanguageModel:
    """A tiny word-level GPT with a three-snapshot timeline (random start to final)."""
    torch.manual_seed(0)
    tok = build_tokenizer("word", TEXT)
    cfg = LMConfig(
        model="gpt", vocab_size=tok.vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=16
    )
    model = build_model(cfg).eval()
    final = model.token_embeddings().detach().clone()
    start = torch.randn_like(final)
    timeline = [(0, start), (50, 0.5 * (start + final)), (100, final)]
    meta = {"corpus": "upload:tiny.txt", "steps": 100, "title": "tiny"}
    return LanguageModel(model, tok, cfg, meta, timeline)


def clusters(n_per: int = 50, dims: int = 20, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three well separated Gaussian blobs and their labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, (3, dims))
    x = np.concatenate([c + rng.normal(0, 1, (n_per, dims)) for c in centres])
    return x.astype(np.float32), np.repeat(np.arange(3), n_per)


def knn_purity(coords: np.ndarray, labels: np.ndarray, k: int = 5) -> float:
    """Share of each point's k nearest map neighbours that carry its label."""
    d = ((coords[:, None, :] - coords[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nearest = np.argsort(d, axis=1)[:, :k]
    return float((labels[nearest] == labels[:, None]).mean())


SYNONYMS = {"cat": "animal", "dog": "animal", "car": "vehicle", "truck": "vehicle"}


def synthetic_corpus(n: int = 600, seed: int = 0) -> str:
    """Animals are fed and pet; vehicles are driven and parked: Word2Vec should see it."""
    rng = np.random.default_rng(seed)
    frames = {
        "animal": ["i fed the {} today", "the {} slept on the sofa", "we pet the {} gently"],
        "vehicle": ["i drove the {} today", "the {} was parked outside", "we washed the {} slowly"],
    }
    words = list(SYNONYMS)
    lines = []
    for _ in range(n):
        word = words[rng.integers(len(words))]
        templates = frames[SYNONYMS[word]]
        lines.append(templates[rng.integers(len(templates))].format(word) + ".")
    return "\n".join(lines)
