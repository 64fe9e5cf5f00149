"""Runs on disk: a participant's own, found again after a reload, cleaned when old or too big."""

import numpy as np
import pytest

from genlab import runs

ANA, BRUNO = runs.new_owner(), runs.new_owner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("GENLAB_DATA_DIR", str(tmp_path))
    return tmp_path


def test_a_run_is_found_again_by_its_owner_only():
    run = runs.create(ANA, "text", "mine", {"corpus": "upload:a.txt", "text": "olá", "n": 1})
    assert [r.id for r in runs.listing(ANA)] == [run.id]
    assert runs.load(ANA, run.id).title == "mine"
    assert runs.listing(BRUNO) == [] and runs.load(BRUNO, run.id) is None
    assert run.params() == {"corpus": "upload:a.txt", "text": "olá", "n": 1}


def test_keys_that_could_reach_outside_the_data_directory_are_refused():
    run = runs.create(ANA, "gan", "ring", {})
    for bad in ("", "..", "../" + ANA, ANA + "/..", "a" * 8, "x" * 65):
        assert runs.listing(bad) == []
        assert runs.load(bad, run.id) is None and runs.load(ANA, bad) is None
    with pytest.raises(ValueError):
        runs.create("../../etc", "text", "t", {})


def test_runs_are_listed_newest_first_and_by_kind():
    old = runs.create(ANA, "text", "old", {})
    gan = runs.create(ANA, "gan", "ring", {})
    new = runs.create(ANA, "text", "new", {})
    assert [r.id for r in runs.listing(ANA, "text")] == [new.id, old.id]
    assert [r.id for r in runs.listing(ANA)] == [new.id, gan.id, old.id]


def test_bytes_are_not_kept_in_the_parameters_and_files_are_written_whole(data_dir):
    points = np.array([[0.5, 1.0], [2.0, -1.5]], dtype=np.float32)
    params = {"checkpoint": b"\x00" * 10, "config": {"a": 1}, "points": points}
    run = runs.create(ANA, "gan", "ring", params)
    assert run.params() == {"config": {"a": 1}, "points": [[0.5, 1.0], [2.0, -1.5]]}
    runs.keep({"run_dir": str(run.dir)}, {"gan.safetensors": b"weights"})
    runs.keep({}, {"gan.safetensors": b"ignored: this job has no run"})
    assert run.file("gan.safetensors").read_bytes() == b"weights"
    assert run.file("missing.safetensors") is None
    assert not [p for p in run.dir.iterdir() if p.name.startswith(".")]  # no temporary files


def test_status_and_progress_are_saved():
    run = runs.create(ANA, "text", "t", {})
    run.save(status="finished", progress={"step": 5, "steps": 5})
    again = runs.load(ANA, run.id)
    assert again.status == "finished" and again.progress == {"step": 5, "steps": 5}


def at_time(monkeypatch, when: float) -> None:
    monkeypatch.setattr(runs.time, "time", lambda: when)


def test_runs_past_their_keeping_time_are_cleaned(monkeypatch):
    monkeypatch.setenv("GENLAB_KEEP_DAYS", "14")
    at_time(monkeypatch, 1_000_000.0)
    old = runs.create(ANA, "text", "old", {})
    at_time(monkeypatch, 1_000_000.0 + 10 * 86400)
    recent = runs.create(ANA, "text", "recent", {})
    assert runs.clean(now=1_000_000.0 + 14 * 86400 + 1) == 1
    assert [r.id for r in runs.listing(ANA)] == [recent.id]
    assert not old.dir.exists()


def test_over_the_size_limit_the_oldest_ended_runs_go_first(monkeypatch):
    monkeypatch.setenv("GENLAB_DATA_MB", "1.5")
    made = {}
    for i, (title, owner, status) in enumerate(
        [("old ended", ANA, "stopped"), ("old going", BRUNO, "running"), ("new", ANA, "finished")]
    ):
        at_time(monkeypatch, 1_000_000.0 + i)
        made[title] = runs.create(owner, "text", title, {"text": "x" * 600_000}).save(status=status)
    assert runs.clean(now=1_000_010.0) == 1
    left = {r.title for r in runs.listing(ANA) + runs.listing(BRUNO)}
    assert left == {"old going", "new"}  # a run still going is never deleted for size
    runs.delete(ANA, made["new"].id)
    assert runs.listing(ANA) == []


def test_a_file_deleted_while_the_size_is_counted_counts_zero(monkeypatch, data_dir):
    (data_dir / "a").mkdir()
    (data_dir / "a" / "kept.bin").write_bytes(b"x" * 100)
    (data_dir / "a" / "gone.bin").write_bytes(b"x" * 50)
    stat = runs.os.stat

    def vanishing(path, *args, **kwargs):
        if str(path).endswith("gone.bin"):
            raise FileNotFoundError(path)
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(runs.os, "stat", vanishing)
    assert runs._size(data_dir / "a") == 100
