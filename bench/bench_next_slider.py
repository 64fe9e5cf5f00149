"""Server time of one sampling-control change on the next-token page (goal: under 150 ms).

Runs the real page under AppTest (the whole script, as a slider change does) for every shipped
model and a word GPT with a 5,000-word vocabulary, and prints side by side in one run:
the median script time when the logits come from the page's cache (what a slider does), the
same with the "Inside the GPT" tab open (flow, logit lens, what the last token reads), and
when the model has to run again (caches emptied before each run), plus the pieces of a run.
Each page time is given twice: wall milliseconds (what a participant waits for, which grows
with the machine's load) and the CPU milliseconds of this process (the server's work, steadier
on a shared machine); the load average is printed at the start and at the end.

    .venv/bin/python bench/bench_next_slider.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

import plotly.graph_objects as go
import torch
from streamlit import config as st_config
from streamlit import logger as st_logger
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genlab import device  # noqa: E402
from genlab.text import corpora, lens, probe, sampling  # noqa: E402
from genlab.text import figures_next as figures  # noqa: E402
from genlab.text.checkpoint import LanguageModel, load_shipped, shipped  # noqa: E402
from genlab.text.models import LMConfig, build_model  # noqa: E402
from genlab.text.sampling import SamplingConfig  # noqa: E402
from genlab.text.tokenizers import build_tokenizer  # noqa: E402

REPEATS = int(os.environ.get("REPEATS", 15))
TEMPERATURES = [0.2, 0.7, 1.3, 2.0, 0.5]
GOAL_MS = 150


def shakespeare_model(kind: str, vocab_size: int | None) -> LanguageModel:
    """A GPT of the shipped '1min' shape on Shakespeare (untrained weights: timing only)."""
    text = corpora.load_corpus("shakespeare")
    tok = build_tokenizer(kind, text, vocab_size)
    cfg = LMConfig(
        model="gpt", vocab_size=tok.vocab_size, block_size=64, n_layer=3, n_head=4, n_embd=96
    )
    torch.manual_seed(0)
    return LanguageModel(build_model(cfg).eval(), tok, cfg, {"corpus": "shakespeare"})


PROMPTS = {"portuguese": "Glauco gosta de comer", "shakespeare": "Now is the winter of our"}


def cases() -> dict[str, tuple[LanguageModel, str]]:
    chosen = {}
    for name in shipped():
        lm = load_shipped(name)
        chosen[name] = (lm, PROMPTS.get(lm.meta.get("corpus"), "a"))
    chosen["word 5,000, untrained GPT"] = (
        shakespeare_model("word", 5000),
        "Now is the winter of our",
    )
    return chosen


def median_ms(times: list[float]) -> float:
    return 1000 * statistics.median(times)


def load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def page_times(lm: LanguageModel, prompt: str) -> list[tuple[float, float]]:
    """Median (wall ms, CPU ms) per temperature change: cached logits, the same with the inside
    tab open, and with the model run again."""
    at = AppTest.from_file(str(ROOT / "rooms" / "text_next.py"), default_timeout=120)
    at.session_state["text_models"] = {"bench": lm}
    at.run()
    box = at.selectbox(key="next_model")
    box.select_index(box.options.index(next(o for o in box.options if "bench" in o))).run()
    at.text_input(key="next_prompt").set_value(prompt).run()
    assert not at.exception and not at.error, (at.exception, at.error)
    results = []
    for tab, clear in ((None, False), ("Inside the GPT", False), (None, True)):
        if tab:
            at.session_state["next_tab"] = tab
        at.run()
        walls, cpus = [], []
        for i in range(REPEATS):
            if clear:
                at.session_state["next_logits"] = {}
                at.session_state["next_inside"] = {}
            slider = at.slider(key="next_temperature").set_value(TEMPERATURES[i % 5])
            start, cpu = time.perf_counter(), time.process_time()
            slider.run()
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        assert not at.exception, at.exception
        results.append((median_ms(walls), median_ms(cpus)))
        at.session_state["next_tab"] = "Draw 1,000 times"
    return results


def piece_times(lm: LanguageModel, prompt: str) -> dict[str, float]:
    ids = probe.read_prompt(lm, prompt).ids
    config = SamplingConfig(temperature=0.7, top_k=50, top_p=0.9)
    logits = probe.next_logits(lm, ids)
    top_n = None if lm.tokenizer.kind == "char" else 12
    pipe = sampling.run(logits, config, ids)
    titles = ["1", "2", "3", "4", "5"]
    fig = figures.pipeline_figure(pipe, lm.tokenizer.tokens, titles, "o", top_n)
    gpt = lm.config.model == "gpt"
    steps = {
        "model forward": lambda: probe.next_logits(lm, ids),
        "look inside": (lambda: lens.look_inside(lm, ids)) if gpt else (lambda: None),
        "sampling pipeline": lambda: sampling.run(logits, config, ids),
        "figure dict": lambda: figures.pipeline_figure(
            pipe, lm.tokenizer.tokens, titles, "o", top_n
        ),
        "plotly validation": lambda: go.Figure(**fig).to_dict(),
    }
    out = {}
    for name, fn in steps.items():
        times = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        out[name] = median_ms(times)
    return out


def main() -> None:
    device.configure()
    # AppTest runs the page outside a Streamlit server: one harmless warning per widget call.
    # The config is parsed once (its hook sets Streamlit's log level), then the level is raised.
    st_config.get_config_options()
    st_logger.set_log_level("error")
    print(f"median of {REPEATS} slider changes per case; goal < {GOAL_MS} ms per change")
    print(f"start: {load()} (2 cores here)\n")
    print(f"{'wall ms / CPU ms':>37} {'cached logits':>15} {'inside tab':>15} {'model re-run':>15}")
    print(f"{'case':30} {'vocab':>6}")
    rows = []
    for name, (lm, prompt) in cases().items():
        times = page_times(lm, prompt)
        rows.append((name, lm, prompt))
        ok = "yes" if max(wall for wall, _ in times[:2]) < GOAL_MS else "NO"
        cells = " ".join(f"{wall:>7.1f} /{cpu:>6.1f}" for wall, cpu in times)
        print(f"{name:30} {lm.tokenizer.vocab_size:>6} {cells}  goal met (wall): {ok}")
    print("\npieces of one change (median ms):")
    print(f"{'case':30} " + " ".join(f"{k:>17}" for k in piece_times(*rows[0][1:])))
    for name, lm, prompt in rows:
        print(f"{name:30} " + " ".join(f"{v:>17.2f}" for v in piece_times(lm, prompt).values()))
    print(f"\nend: {load()}")


if __name__ == "__main__":
    main()
