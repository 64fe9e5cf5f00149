"""Tokens/s generating 200 tokens with the shipped GPTs, as the page's "Generate" does.

Side by side in one run (median of 5 runs each): the page's generation (sampling pipeline,
probability and top alternatives recorded for every token) and the lecture's bare loop
(softmax + torch.multinomial, ``genlab.text.models.generate``).

    .venv/bin/python bench/bench_next_generate.py
"""

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from genlab import device
from genlab.text import models, probe
from genlab.text.checkpoint import load_shipped, shipped
from genlab.text.sampling import SamplingConfig

TOKENS = 200
RUNS = 5
PROMPTS = {"portuguese": "Glauco gosta de comer", "shakespeare": "Now is the winter of our"}


def rate(fn) -> float:
    times = []
    for run in range(RUNS):
        torch.manual_seed(run)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return TOKENS / statistics.median(times)


def main() -> None:
    device.configure()
    config = SamplingConfig(temperature=0.8, top_k=40, top_p=0.95, repetition_penalty=1.2)
    print(f"{TOKENS} tokens, median of {RUNS} runs; page settings: {config.to_dict()}\n")
    print(
        f"{'model':26} {'params':>9} {'page tokens/s':>14} {'bare loop tokens/s':>19} {'ratio':>6}"
    )
    for name in shipped():
        lm = load_shipped(name)
        if lm.config.model != "gpt":
            continue
        ids = probe.read_prompt(lm, PROMPTS.get(lm.meta.get("corpus"), "a")).ids
        page = rate(lambda lm=lm, ids=ids: list(probe.generate(lm, ids, config, TOKENS)))
        idx = torch.tensor([ids])
        bare = rate(lambda lm=lm, idx=idx: models.generate(lm.model, lm.config, idx, TOKENS))
        params = sum(p.numel() for p in lm.model.parameters())
        print(f"{name:26} {params:>9,} {page:>14.0f} {bare:>19.0f} {bare / page:>5.2f}x")


if __name__ == "__main__":
    main()
