"""How long each GPT preset takes on this server: a few of its steps timed once, in the background.

The Train page shows these times beside the presets instead of fixed names ("1 minute" took over
6 minutes on a loaded 2-core machine). ``expected_seconds()`` starts the measurement the first
time a page asks: a worker process (``python -m genlab.text.preset_time``, one thread like a
training worker) times one preset after another, a few seconds each, and prints each figure as a
JSON line; it returns what is known so far. The figures are kept for the server's life.
``GENLAB_PRESET_TIMING=0`` turns it off (the page then shows no times): the measurement costs about
20 CPU seconds, which a test server starting many times over does not need to spend.
"""

import atexit
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from genlab.text import corpora
from genlab.text.tokenizers import build_tokenizer
from genlab.text.training import GPT_PRESETS, Trainer, preset

TIMED_STEPS = 3
TEXT_CHARS = 50_000  # of Shakespeare, with character tokens: the page's default text

WORKER = [sys.executable, "-m", "genlab.text.preset_time"]
_lock = threading.Lock()
_results: dict[str, float] = {}
_thread: threading.Thread | None = None


def _timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(name: str, text: str, steps: int = TIMED_STEPS) -> float:
    """Expected seconds of a whole run of preset ``name`` on ``text`` (character tokens), from
    ``steps`` training steps timed after a first one, one evaluation and one sample, multiplied by
    how many of each the run makes."""
    tok = build_tokenizer("char", text)
    model_cfg, train_cfg = preset("gpt", tok.vocab_size, name)
    trainer = Trainer(text, tok, model_cfg, train_cfg, "timing")
    trainer.run_for(0)  # the first evaluation and sample
    trainer.run_for(0)  # a first step (allocations)
    step_s = sum(_timed(lambda: trainer.run_for(0)) for _ in range(steps)) / steps
    eval_s = _timed(trainer.evaluate)
    sample_s = _timed(trainer.sample)
    total = train_cfg.steps
    evals = total // trainer.eval_every + 1
    samples = total // trainer.sample_every + 1
    return total * step_s + evals * eval_s + samples * sample_s


def _read_worker(results: dict[str, float]) -> None:
    """Run the measuring worker and keep its figures in ``results`` as they come."""
    worker = subprocess.Popen(
        WORKER,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    atexit.register(worker.kill)
    for line in worker.stdout:
        name, seconds = json.loads(line)
        results[name] = seconds
    worker.wait()


def enabled() -> bool:
    return os.environ.get("GENLAB_PRESET_TIMING", "1") != "0"


def expected_seconds() -> dict[str, float] | None:
    """The presets measured so far ({name: seconds}); the first call starts the measurement.
    None when the timing is turned off."""
    global _thread
    if not enabled():
        return None
    with _lock:
        if _thread is None:
            _thread = threading.Thread(
                target=_read_worker, args=(_results,), name="preset-timing", daemon=True
            )
            _thread.start()
    return dict(_results)


if __name__ == "__main__":
    os.nice(10)  # the pages come first
    text = corpora.load_corpus("shakespeare")[:TEXT_CHARS]
    for name in GPT_PRESETS:
        print(json.dumps([name, measure(name, text)]), flush=True)
