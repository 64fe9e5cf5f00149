"""``python -m genlab gan``: JSON evaluations, dumps, saved models."""

import json

import numpy as np

from genlab.cli import main
from genlab.gan.training import Trainer


def test_json_lines_report_progress_and_dump_writes_points(tmp_path, capsys):
    dump, model = tmp_path / "points.npz", tmp_path / "model.safetensors"
    args = ["gan", "--dataset", "gaussians8", "--epochs", "200", "--eval-every", "0.05"]
    code = main([*args, "--json", "--seed", "3", "--dump", str(dump), "--save", str(model)])
    assert code == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) >= 2
    for key in ("epoch", "elapsed_s", "d_loss", "g_loss", "kl", "js"):
        assert key in records[-1]
    assert records[-1]["epoch"] == 200
    assert [r["epoch"] for r in records] == sorted(r["epoch"] for r in records)
    arrays = np.load(dump)
    assert arrays["real"].shape == arrays["fake"].shape == (20_000, 2)
    assert Trainer.load(model).cfg.dataset == "gaussians8"


def test_settings_and_csv_data_from_the_command_line(tmp_path, capsys):
    csv = tmp_path / "pts.csv"
    csv.write_text("\n".join(f"{i},{i % 5}" for i in range(40)))
    code = main(
        ["gan", "--dataset", "csv", "--csv", str(csv), "--epochs", "20", "--set", "loss=hinge"]
    )
    assert code == 0
    assert "JS" in capsys.readouterr().out


def test_a_bad_setting_is_an_error_message_not_a_traceback(capsys):
    assert main(["gan", "--epochs", "5", "--set", "g_layers=99"]) == 2
    assert "g_layers" in capsys.readouterr().err
