"""``python -m genlab``: every room's subcommand is there; bad input is a message, not a trace."""

import subprocess
import sys

from genlab.cli import main, parser
from genlab.jobs import ROOT


def test_every_room_registers_its_subcommand():
    subcommands = parser()._subparsers._group_actions[0].choices
    assert {"train-lm", "next", "gan", "embed"} <= set(subcommands)


def test_a_bad_checkpoint_is_reported_as_a_message_with_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "model.safetensors"
    bad.write_bytes(b"\x80\x04not really a model")
    assert main(["next", "--checkpoint", str(bad), "--prompt", "hello", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert "pickle" in err
    assert "Traceback" not in err


def test_the_module_runs_as_a_program():
    done = subprocess.run(
        [sys.executable, "-m", "genlab", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0
    assert "train-lm" in done.stdout
