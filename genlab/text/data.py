"""Splitting a token sequence and cutting it into (inputs, targets) batches, as in the lecture."""

from dataclasses import dataclass

import torch

from genlab.text.tokenizers import Tokenizer, build_tokenizer, frequencies, unknown_share

VAL_FRACTION = 0.1


def split(ids_or_text):
    """(train, validation): validation is always the LAST 10 %."""
    n = int(len(ids_or_text) * (1 - VAL_FRACTION))
    return ids_or_text[:n], ids_or_text[n:]


def get_batch(data: torch.Tensor, batch_size: int, block_size: int, generator=None):
    """``batch_size`` windows of ``block_size`` tokens and the same windows shifted by one."""
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)
    x = torch.stack([data[i : i + block_size] for i in starts.tolist()])
    y = torch.stack([data[i + 1 : i + 1 + block_size] for i in starts.tolist()])
    return x, y


def fixed_batches(data: torch.Tensor, batch_size: int, block_size: int, count: int, seed: int = 0):
    """``count`` batches drawn once with a fixed seed, so evaluations are comparable over time."""
    g = torch.Generator().manual_seed(seed)
    return [get_batch(data, batch_size, block_size, g) for _ in range(count)]


def pairs(x_row: list[int], y_row: list[int]) -> list[tuple[list[int], int]]:
    """The (context -> target) examples hidden in one row of a batch."""
    return [(x_row[: t + 1], y_row[t]) for t in range(len(x_row))]


def describe_batch(tokenizer, x: torch.Tensor, y: torch.Tensor) -> dict:
    """A batch as the lecture shows it: ids, the same rows decoded, and one row's pairs."""
    tokens = tokenizer.tokens
    row_x, row_y = x[0].tolist(), y[0].tolist()
    return {
        "inputs": x.tolist(),
        "targets": y.tolist(),
        "inputs_text": [[tokens[i] for i in row] for row in x.tolist()],
        "targets_text": [[tokens[i] for i in row] for row in y.tolist()],
        "pairs": [
            ([tokens[i] for i in ctx], tokens[target]) for ctx, target in pairs(row_x, row_y)
        ],
    }


def bigram_probabilities(ids: torch.Tensor, vocab_size: int, top: int | None = None):
    """(P(next | current) table, token ids it covers) from counts; ``top`` keeps the most frequent.

    Rows are normalised over the kept tokens so that each row of the heat map sums to one.
    """
    keep = torch.bincount(ids, minlength=vocab_size).argsort(descending=True)
    keep = keep[:top].sort().values if top else torch.arange(vocab_size)
    counts = (
        torch.bincount(ids[:-1] * vocab_size + ids[1:], minlength=vocab_size**2)
        .view(vocab_size, vocab_size)[keep][:, keep]
        .float()
    )
    return counts / counts.sum(dim=1, keepdim=True).clamp_min(1), keep.tolist()


@dataclass
class Prepared:
    """A text turned into tokens, with what the page shows about them."""

    tokenizer: Tokenizer
    ids: torch.Tensor
    train_ids: torch.Tensor
    val_ids: torch.Tensor
    frequencies: list[tuple[str, int]]
    unknown_share: float
    unknown_examples: list[str]


def prepare(text: str, kind: str, vocab_size: int | None = None) -> Prepared:
    """Learn a vocabulary on ``text``, encode it, split it and measure unknown validation pieces."""
    tok = build_tokenizer(kind, text, vocab_size)
    ids = torch.tensor(tok.encode(text), dtype=torch.long)
    train_ids, val_ids = split(ids)
    train_text, val_text = split(text)
    share, examples = unknown_share(kind, train_text, val_text, vocab_size)
    return Prepared(tok, ids, train_ids, val_ids, frequencies(tok, ids.tolist()), share, examples)
