"""``python -m genlab train-lm``: JSON lines per evaluation, a final "done" line, a checkpoint."""

import argparse
import json

import pytest

from genlab.errors import UserError
from genlab.text import cli_train
from genlab.text.checkpoint import load_lm


def run_cli(argv, capsys):
    root = argparse.ArgumentParser()
    cli_train.register(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(["train-lm", *argv])
    code = args.func(args)
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_train_lm_prints_json_per_evaluation_and_writes_a_checkpoint(tmp_path, capsys):
    out = tmp_path / "pt.safetensors"
    code, lines = run_cli(
        [
            "--corpus",
            "portuguese",
            "--tokenizer",
            "word",
            "--model",
            "bigram",
            "--steps",
            "40",
            "--eval-interval",
            "20",
            "--lr",
            "0.05",
            "--warmup",
            "5",
            "--seed",
            "3",
            "--out",
            str(out),
            "--json",
        ],
        capsys,
    )
    assert code == 0
    assert [line["step"] for line in lines] == [0, 20, 40, 40]
    for line in lines:
        assert {"step", "elapsed_s", "train_loss", "val_loss", "tokens_per_s"} <= set(line)
    assert lines[-1]["done"] is True and "done" not in lines[-2]
    assert lines[-2]["val_loss"] < lines[0]["val_loss"]
    lm = load_lm(out)
    assert lm.meta["corpus"] == "portuguese" and lm.meta["seed"] == 3 and lm.meta["steps"] == 40
    assert lm.meta["train"]["lr"] == 0.05 and lm.meta["train"]["warmup"] == 5


def test_train_lm_reads_a_latin1_file_given_as_a_path(tmp_path, capsys):
    path = tmp_path / "meu texto.txt"
    path.write_bytes(
        ("Glauco gosta de comer peras, não pregos. Ação e emoção!\n" * 60).encode("latin-1")
    )
    code, lines = run_cli(
        [
            "--corpus",
            str(path),
            "--model",
            "count-bigram",
            "--json",
            "--out",
            str(tmp_path / "c.safetensors"),
        ],
        capsys,
    )
    assert code == 0 and lines[-1]["done"] is True
    lm = load_lm(tmp_path / "c.safetensors")
    assert lm.meta["corpus"] == "upload:meu texto.txt"
    assert "ç" in lm.tokenizer.tokens


def test_train_lm_refuses_a_binary_file(tmp_path, capsys):
    path = tmp_path / "binary.txt"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(UserError):
        run_cli(["--corpus", str(path), "--json"], capsys)


def test_train_lm_builds_the_model_shape_asked_for_on_the_cpu(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GENLAB_DEVICE", "auto")
    out = tmp_path / "gpt.safetensors"
    shape = ["--layers", "1", "--heads", "2", "--width", "24", "--context", "12"]
    common = [
        "--corpus",
        "portuguese",
        "--model",
        "gpt",
        "--steps",
        "3",
        "--json",
        "--out",
        str(out),
    ]
    code, _ = run_cli([*common, *shape, "--device", "cpu"], capsys)
    cfg = load_lm(out).config
    assert code == 0 and (cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.block_size) == (1, 2, 24, 12)


def test_train_lm_on_cuda_without_a_gpu_is_refused(capsys):
    if cli_train.torch.cuda.is_available():
        pytest.skip("this machine has a CUDA GPU")
    assert run_cli(["--corpus", "portuguese", "--device", "cuda"], capsys)[0] == 2


def test_train_lm_on_machado_learns_its_words(tmp_path, capsys):
    out = tmp_path / "machado.safetensors"
    argv = ["--corpus", "machado", "--tokenizer", "word", "--vocab-size", "4000"]
    code, lines = run_cli([*argv, "--model", "count-bigram", "--out", str(out), "--json"], capsys)
    assert code == 0 and lines[-1]["done"] is True
    lm = load_lm(out)
    assert lm.meta["corpus"] == "machado" and lm.tokenizer.vocab_size == 4000
    assert {"Capitu", "Rubião", "Quincas", "Virgília"} <= set(lm.tokenizer.tokens)
    assert lines[-1]["val_loss"] < lm.meta["refs"]["uniform"]  # it learnt something
