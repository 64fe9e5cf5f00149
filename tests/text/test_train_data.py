"""Batches as the lecture shows them, and the tables behind the count-bigram heat map."""

import pytest
import torch

from genlab.text.data import (
    bigram_probabilities,
    describe_batch,
    fixed_batches,
    get_batch,
    pairs,
    prepare,
)
from genlab.text.tokenizers import build_tokenizer


def test_targets_are_the_inputs_shifted_by_one():
    data = torch.arange(100)
    x, y = get_batch(data, 4, 8, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 8)
    assert torch.equal(y[:, :-1], x[:, 1:])
    assert torch.equal(y[:, -1], x[:, -1] + 1)


def test_fixed_batches_are_the_same_every_time():
    data = torch.arange(1000)
    a, b = fixed_batches(data, 2, 5, 3, seed=7), fixed_batches(data, 2, 5, 3, seed=7)
    assert all(torch.equal(p[0], q[0]) for p, q in zip(a, b, strict=True))


def test_one_row_hides_one_example_per_position():
    assert pairs([5, 6, 7], [6, 7, 8]) == [([5], 6), ([5, 6], 7), ([5, 6, 7], 8)]


def test_describe_batch_decodes_inputs_targets_and_pairs():
    tok = build_tokenizer("char", "abcdefgh")
    x, y = torch.tensor([[0, 1, 2]]), torch.tensor([[1, 2, 3]])
    view = describe_batch(tok, x, y)
    assert view["inputs_text"] == [["a", "b", "c"]]
    assert view["targets_text"] == [["b", "c", "d"]]
    assert view["pairs"][-1] == (["a", "b", "c"], "d")


def test_bigram_probabilities_rows_sum_to_one_over_the_kept_tokens():
    ids = torch.tensor([0, 1, 0, 1, 0, 2, 2, 1])
    probs, keep = bigram_probabilities(ids, 3)
    assert keep == [0, 1, 2]
    assert torch.allclose(probs.sum(1), torch.ones(3))
    assert probs[0, 1].item() == pytest.approx(2 / 3)
    top, kept = bigram_probabilities(ids, 3, top=2)
    assert kept == [0, 1] and top.shape == (2, 2)


def test_prepare_reports_vocabulary_split_and_unknown_share():
    text = "a b c a b c a b c d e f g h i j k l m n o p q r s t u v w x y z\n" * 3 + "zz yy"
    prep = prepare(text, "word")
    assert len(prep.train_ids) + len(prep.val_ids) == len(prep.ids)
    assert len(prep.val_ids) == len(prep.ids) - int(len(prep.ids) * 0.9)
    assert prep.frequencies[0][1] >= prep.frequencies[-1][1]
    assert prep.unknown_share > 0 and "zz" in prep.unknown_examples
