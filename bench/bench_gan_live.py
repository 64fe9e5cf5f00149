"""GAN room, live: epochs/s and redraws/s while the page trains in a real browser.

Starts the lab, opens the GAN page in Debian's Chromium (Playwright), presses Play and, for a
while, counts the redraws (a new snapshot drawn in the layered view, checked at every animation
frame; the counters and curves are redrawn with it, the model overview every 0.5 s) and how many
epochs the page's counter reports per second.
Goals (issue 5): at least 300 epochs/s and 5 redraws/s with the browser on the same machine.
GAN Lab for comparison: one epoch per animation frame (at most 60 epochs/s), visuals refreshed
every 50 epochs. Prints the median of the runs next to the goals.

    .venv/bin/python bench/bench_gan_live.py [--seconds 10] [--runs 3]

With --fragment, no browser: where one live tick's time goes on the server, part by part (building
the figure dicts from a real snapshot, and their JSON encoding as st.plotly_chart does it), medians
of 200 repetitions:

    .venv/bin/python bench/bench_gan_live.py --fragment
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser import (  # noqa: E402
    CHROMIUM,
    chromium,
    free_port,
    live_chart,
    start_lab,
    wait_for_app,
)

COUNT_REDRAWS = """() => {
    // Run in the layered view's frame (ui.charts.live). A redraw is a new snapshot drawn: the
    // frame hands only new figures to Plotly.react, which ends each drawing with a
    // 'plotly_afterplot' event (cheap to count: comparing the traces' data at every frame cost
    // a Chromium page a quarter of a core). The epoch is the drawn frame's (window.__frame); a
    // plot of the same frame (the page's run changed its labels) is not a redraw.
    window.__redraws = [];
    document.getElementById('chart').on('plotly_afterplot', () => {
        const epoch = window.__frame && String(window.__frame.epoch);
        const last = window.__redraws[window.__redraws.length - 1];
        if (!last || last[1] !== epoch) window.__redraws.push([performance.now(), epoch]);
    });
}"""


def measure(browser, base: str, seconds: float, speed: str) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{base}/gan?lang=en")
    wait_for_app(page)
    page.get_by_text(speed, exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).click()
    counter = page.locator("[data-testid=stMetric]").filter(has_text="Epoch").first
    value = counter.locator("[data-testid=stMetricValue]")
    deadline = time.time() + 120
    while value.inner_text().strip() in ("0", "") and time.time() < deadline:
        page.wait_for_timeout(250)
    page.wait_for_timeout(2000)  # past the first frames
    plane = live_chart(page)
    plane.evaluate(COUNT_REDRAWS)
    page.wait_for_timeout(seconds * 1000)
    changes = plane.evaluate("window.__redraws")
    page.get_by_role("button", name="Stop", exact=True).click()  # free the worker for the next run
    wait_for_app(page)
    page.close()
    (t0, e0), (t1, e1) = changes[0], changes[-1]
    span = (t1 - t0) / 1000
    return {
        "redraws_per_s": (len(changes) - 1) / span,
        "epochs_per_s": (int(e1.replace(",", "")) - int(e0.replace(",", ""))) / span,
    }


def _median_ms(work, repeat: int = 200) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def fragment_costs() -> None:
    """One live tick's server-side parts, from a snapshot as the worker publishes it."""
    import plotly.io

    from genlab.gan import datasets, fields, figures
    from genlab.gan.config import GanConfig
    from genlab.gan.training import Trainer
    from ui.charts import _Checked

    trainer = Trainer(GanConfig(), datasets.make("ring", None))
    trainer.train(300)
    snap = {**fields.snapshot(trainer, trainer.data.sample(300, seed=1)), "js": 0.1, "kl": 0.2}
    names = "d_loss g_loss js kl d_real d_fake losses divergence predictions epoch floor"
    labels = {name: name for name in (*figures.LAYERS, *names.split())}
    record = {"d_loss": 1.3, "g_loss": 0.7, "d_real": 0.5, "d_fake": 0.5, "kl": 0.2, "js": 0.1}
    log = [{"epoch": i, **record} for i in range(5000)]
    texts = {name: name for name in figures.BOXES}
    parts = {
        "layered view (every 0.1 s)": lambda: figures.plane(snap, figures.LAYERS, labels),
        "curves, 5,000 records (0.5 s)": lambda: figures.metrics(
            log, labels, (1.4, 0.7), 460, 0.02
        ),
        "model overview (0.5 s)": lambda: figures.diagram(texts),
    }
    print(f"{'part':32}{'build ms':>10}{'JSON ms':>10}{'KiB':>8}")
    for name, build in parts.items():
        figure = build()
        encode = lambda f=figure: plotly.io.to_json(_Checked(f), validate=False)  # noqa: E731
        size = len(encode()) / 1024
        print(f"{name:32}{_median_ms(build):10.2f}{_median_ms(encode):10.2f}{size:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fragment", action="store_true", help="server-side parts of a tick")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--speed", default="Full speed", choices=("Slow", "Medium", "Full speed"))
    args = parser.parse_args()
    if args.fragment:
        fragment_costs()
        return
    port = free_port()
    server = start_lab(port)
    try:
        with chromium(CHROMIUM) as browser:
            base = f"http://127.0.0.1:{port}"
            runs = [measure(browser, base, args.seconds, args.speed) for _ in range(args.runs)]
    finally:
        server.terminate()
        server.wait(10)
    epochs = statistics.median(r["epochs_per_s"] for r in runs)
    redraws = statistics.median(r["redraws_per_s"] for r in runs)
    print(
        f"{args.runs} runs of {args.seconds:g} s, ring, default settings, speed {args.speed!r}, "
        "Chromium on this machine"
    )
    for i, r in enumerate(runs):
        print(f"  run {i}: {r['epochs_per_s']:7,.0f} epochs/s  {r['redraws_per_s']:5.1f} redraws/s")
    print(f"{'':24}{'median':>10}{'goal':>8}{'GAN Lab':>10}")
    print(f"{'epochs/s':24}{epochs:10,.0f}{300:8}{'<= 60':>10}")
    print(f"{'redraws/s':24}{redraws:10.1f}{5:8}{'<= 1.2':>10}")


if __name__ == "__main__":
    main()
