"""The PyTorch shown beside each step of the pipeline carries the pipeline's own numbers."""

import math

import torch

from genlab.text import explain, sampling
from genlab.text.sampling import SamplingConfig

TOKENS = ["peras", "melancia", "pregos", "cimento", "Glauco"]


class Notes(dict):
    def __missing__(self, key):
        return key.upper()


def test_softmax_code_writes_exp_and_the_division_by_the_sum():
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0, 3.0])
    pipe = sampling.run(logits, SamplingConfig(repetition_penalty=2.0), previous=[4])
    code = explain.softmax_code(pipe, TOKENS, Notes())
    total = sum(math.exp(v) for v in logits.tolist())
    assert f"e.sum() = {total:.6g}" in code
    # the model's own top score first (Glauco), even though the penalty pushed it down
    first = code.splitlines()[3]
    assert first == f"# 'Glauco': exp = {math.exp(3.0):.6g}, / sum = {math.exp(3.0) / total:.4f}"


def test_temperature_and_penalty_code_show_the_changed_scores():
    logits = torch.tensor([2.0, 1.0, 0.0, -1.0, 3.0])
    pipe = sampling.run(logits, SamplingConfig(temperature=0.5, repetition_penalty=2.0), [4])
    assert "# 'Glauco': 3.000 -> 1.500" in explain.penalty_code(pipe, TOKENS, 2.0, Notes())
    code = explain.temperature_code(pipe, TOKENS, 0.5, Notes())
    assert "F.softmax(logits / T, dim=-1)" in code
    assert f"# 'peras': 2.000 / 0.5 = 4.000 -> {float(pipe.tempered[0]):.4f}" in code


def test_draw_code_names_the_drawn_index():
    pipe = sampling.run(torch.tensor([2.0, 1.0, 0.0, -1.0, 3.0]), SamplingConfig())
    code = explain.draw_code(pipe, TOKENS, 1, Notes())
    assert "torch.multinomial(probs, num_samples=1)" in code
    assert f"# next_id = 1 -> 'melancia' ({float(pipe.final[1]):.4f})" in code
