"""The presets' expected time: a few steps timed, scaled to the whole run."""

import sys

from genlab.text import corpora, preset_time, training

TINY = (
    {"n_layer": 1, "n_head": 2, "n_embd": 16, "block_size": 16, "dropout": 0.0},
    {"batch_size": 4, "lr": 1e-3, "min_lr": 1e-4, "warmup": 5, "steps": 100},
)


def test_expected_time_counts_every_step_evaluation_and_sample(monkeypatch):
    monkeypatch.setitem(training.GPT_PRESETS, "tiny", TINY)
    timed = []
    monkeypatch.setattr(preset_time, "_timed", lambda action: (action(), timed.append(1), 1.0)[2])
    text = corpora.load_corpus("shakespeare")[:20_000]
    # 100 steps, an evaluation every 2 steps (51 with the first), a sample every 12 (9): 1 s each
    assert preset_time.measure("tiny", text, steps=3) == 100 + 51 + 9
    assert len(timed) == 3 + 2  # the timed steps, one evaluation, one sample: not a whole run


def test_figures_come_from_a_worker_once_and_are_kept(monkeypatch):
    monkeypatch.setenv("GENLAB_PRESET_TIMING", "1")
    script = "print('[\"1min\", 95.5]', flush=True); print('[\"5min\", 400.0]')"
    monkeypatch.setattr(preset_time, "WORKER", [sys.executable, "-c", script])
    monkeypatch.setattr(preset_time, "_thread", None)
    monkeypatch.setattr(preset_time, "_results", {})
    first = preset_time.expected_seconds()
    assert set(first) <= {"1min", "5min"}  # what is known so far, without waiting
    thread = preset_time._thread
    thread.join(timeout=60)
    assert preset_time.expected_seconds() == {"1min": 95.5, "5min": 400.0}
    assert preset_time._thread is thread  # measured once


def test_turned_off_it_measures_nothing(monkeypatch):
    monkeypatch.setenv("GENLAB_PRESET_TIMING", "0")
    monkeypatch.setattr(preset_time, "WORKER", [sys.executable, "-c", "raise SystemExit(3)"])
    monkeypatch.setattr(preset_time, "_thread", None)
    assert preset_time.expected_seconds() is None
    assert preset_time._thread is None
