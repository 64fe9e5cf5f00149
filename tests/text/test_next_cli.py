"""`python -m genlab next`: the next-token distribution of a checkpoint, as JSON or a table."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from genlab import cli
from genlab.text import probe
from genlab.text.checkpoint import save_lm

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def checkpoint(word_gpt, tmp_path_factory):
    path = tmp_path_factory.mktemp("next") / "tiny.safetensors"
    save_lm(word_gpt, path)
    return path


def run_next(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(["next", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_prints_raw_and_final_distributions_over_the_whole_vocabulary(checkpoint, word_gpt):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "genlab",
            "next",
            "--checkpoint",
            str(checkpoint),
            "--prompt",
            "Glauco gosta de comer",
            "--temperature",
            "0.5",
            "--top-k",
            "2",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert list(result) == ["tokens", "raw_probs", "probs"]
    assert result["tokens"] == word_gpt.tokenizer.tokens
    assert sum(result["raw_probs"]) == pytest.approx(1.0)
    assert sum(result["probs"]) == pytest.approx(1.0)
    kept = {result["tokens"][i] for i, p in enumerate(result["probs"]) if p > 0}
    assert kept == {"peras", "melancia"}
    ids = word_gpt.tokenizer.encode("Glauco gosta de comer")
    expected = torch.softmax(probe.next_logits(word_gpt, ids).double(), dim=-1)
    torch.testing.assert_close(torch.tensor(result["raw_probs"], dtype=torch.float64), expected)


def test_cli_without_sampling_flags_prints_the_raw_softmax_twice(checkpoint, capsys):
    code, out, _ = run_next(
        capsys, "--checkpoint", str(checkpoint), "--prompt", "Ana gosta de", "--json"
    )
    result = json.loads(out)
    assert code == 0
    assert result["probs"] == pytest.approx(result["raw_probs"])


def test_cli_without_json_prints_a_readable_table(checkpoint, capsys):
    code, out, _ = run_next(
        capsys,
        "--checkpoint",
        str(checkpoint),
        "--prompt",
        "Glauco gosta de comer",
        "--min-p",
        "0.5",
    )
    lines = out.splitlines()
    assert code == 0
    assert "raw" in lines[0] and "final" in lines[0]
    assert "'peras'" in lines[1]


def test_cli_explains_bad_input(checkpoint, tmp_path, capsys):
    code, _, err = run_next(
        capsys, "--checkpoint", str(checkpoint), "--prompt", "Ana", "--top-p", "0"
    )
    assert code == 2 and "top_p" in err
    code, _, err = run_next(
        capsys, "--checkpoint", str(tmp_path / "none.safetensors"), "--prompt", "Ana"
    )
    assert code == 2 and "No checkpoint" in err


def test_cli_lens_prints_one_row_per_stage_ending_on_the_models_answer(capsys):
    code, out, _ = run_next(
        capsys, "--checkpoint", "portuguese-word-gpt", "--prompt", "Glauco gosta de comer", "--lens"
    )
    lines = out.splitlines()
    assert code == 0
    assert [line.split()[0] for line in lines] == ["embedding", "layer", "layer", "layer"]
    assert lines[-1].split()[2] == "'peras'"
    code, _, err = run_next(
        capsys, "--checkpoint", "shakespeare-char-bigram", "--prompt", "To be", "--lens"
    )
    assert code == 2 and "GPT" in err
