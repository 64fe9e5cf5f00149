"""The GAN's layered view in Chromium: what one redraw costs the browser, with the fed points
painted on a canvas (now) against every trace in Plotly's SVG (before), side by side in one run.

It opens the live chart's own page (ui/live_chart/index.html, served as Streamlit serves it) in
Chromium, without a lab, and hands it what the GAN page does: the layered view of two real
snapshots, alternately, as Streamlit's "render" messages. "canvas": the figure without its points
and a frame (genlab.feed) with them; "svg": the figure with its points and no frame (what the page
sent before the feed). Prints, per variant and pass, Chromium's CPU per redraw (all its
processes, from /proc) and the page's own time per redraw, then the medians and their ratio.

    .venv/bin/python bench/bench_gan_plane.py [--redraws 30] [--passes 3]
"""

import argparse
import base64
import functools
import http.server
import json
import os
import statistics
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import plotly.io as pio  # noqa: E402
from bench_class import _proc_table, descends  # noqa: E402

from genlab import assets, feed  # noqa: E402
from genlab.gan import figures  # noqa: E402
from genlab.gan import jobs as gan_jobs  # noqa: E402
from genlab.gan.config import GanConfig  # noqa: E402
from tests.support.browser import CHROMIUM, chromium  # noqa: E402
from ui.charts import _fed, _live_folder  # noqa: E402

KEEP = """sent => {  // the arguments as Streamlit hands them over: bytes as a Uint8Array
    const bytes = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    window.__sent = sent.map(m => m.frame ? {...m, frame: bytes(m.frame)} : m);
    window.__at = 0;
}"""
REDRAW = """async redraws => {
    // each snapshot's arguments as Streamlit posts them, then Plotly's plot and the next frame
    const chart = document.getElementById('chart');
    const plotted = () => new Promise(r => chart.once('plotly_afterplot', r));
    const t0 = performance.now();
    for (let i = 0; i < redraws; i++) {
        const done = plotted();
        window.postMessage({type: 'streamlit:render', args: window.__sent[window.__at++]}, '*');
        await done;
        await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
    }
    return (performance.now() - t0) / redraws;
}"""


def snapshots() -> list[dict]:
    trainer = gan_jobs.trainer_from({"config": GanConfig().to_dict()})
    real = trainer.data.sample(gan_jobs.VIEW_SAMPLES, seed=1)
    shots = []
    for epochs in (300, 10):
        trainer.train(epochs)
        shots.append(gan_jobs.fields.snapshot(trainer, real))
    return shots


def messages(variant: str, shots: list[dict], count: int) -> list[dict]:
    """The component's arguments for ``count`` redraws, the two snapshots in turn (a frame's
    bytes go as base64 and arrive as a Uint8Array; each frame newer than the last)."""
    labels = {name: name for name in figures.LAYERS}
    out = []
    for n in range(1, count + 1):
        snap = shots[n % 2]
        if variant == "canvas":
            figure = figures.plane(figures.outline(snap), figures.LAYERS, labels, 400)
            figure = {**figure, "data": [_fed(trace) for trace in figure["data"]]}
            frame = base64.b64encode(feed.encode(n, n, figures.frame_arrays(snap))).decode()
        else:
            figure, frame = figures.plane(snap, figures.LAYERS, labels, 400), None
        text = pio.to_json(figure, validate=False, remove_uids=False)
        out.append({"figure": text, "config": "{}", "height": 400, "frame": frame})
    return out


def chromium_cpu(root: int) -> float:
    """CPU seconds so far of every process started by ``root`` (this bench: its Chromium)."""
    table = _proc_table()
    return sum(seconds for pid, (_, seconds) in table.items() if descends(pid, root, table))


class Quiet(http.server.SimpleHTTPRequestHandler):
    """The component's folder, and plotly.js at the lab's address for it (genlab.assets)."""

    def translate_path(self, path: str) -> str:
        if path.split("?")[0] == assets.PLOTLY_PATH:
            return str(assets.PLOTLY_FILE)
        return super().translate_path(path)

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redraws", type=int, default=30)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    shots = snapshots()
    variants = {name: messages(name, shots, args.redraws + 3) for name in ("svg", "canvas")}
    handler = functools.partial(Quiet, directory=str(_live_folder()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    costs: dict[str, list[float]] = {name: [] for name in variants}
    with chromium(CHROMIUM) as browser:
        page = browser.new_page(viewport={"width": 900, "height": 700})
        page.on("pageerror", lambda error: print("page error:", error))
        page.goto(f"http://127.0.0.1:{server.server_port}/index.html")
        page.wait_for_function("() => window.Plotly")
        page.evaluate(KEEP, variants["canvas"])  # (the passes start with "svg": another figure)
        page.evaluate("window.postMessage({type: 'streamlit:render', args: window.__sent[0]}, '*')")
        page.wait_for_function("() => document.getElementById('chart').once")  # a first plot
        for _ in range(args.passes):
            for name, sent in variants.items():
                page.evaluate(KEEP, sent)
                page.evaluate(REDRAW, 2)  # a new kind of figure: plotted anew, not counted
                before = chromium_cpu(os.getpid())
                took = page.evaluate(REDRAW, args.redraws)
                cpu = (chromium_cpu(os.getpid()) - before) / args.redraws * 1000
                costs[name].append(cpu)
                print(f"{name:7} {cpu:6.1f} CPU-ms per redraw (Chromium)  {took:6.1f} ms (page)")
    server.shutdown()
    median = {name: statistics.median(values) for name, values in costs.items()}
    print(json.dumps({k: round(v, 1) for k, v in median.items()}))
    print(f"canvas / svg: {median['canvas'] / median['svg']:.2f}")


if __name__ == "__main__":
    main()
