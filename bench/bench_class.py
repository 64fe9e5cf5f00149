"""The whole class trains at once (issue 12): one server, many participants pressing Play together.

GAN phase, for each count of ``--scaling`` (default: ``--participants``): that many Streamlit
sessions over the websocket (bench/stclient.py, as in bench/bench_load.py) open /gan and press Play
within ``--arrival`` s, plus ``--browsers`` real Chromium pages doing the same, plus
``--explorers`` sessions looking around the other rooms; all watch for ``--seconds``. Prints, per
count: errors, sessions that saw "queued", per-participant epochs/s (from the epoch counter of
their own page), redraws/s (a new epoch on their page; in Chromium, a new ring drawn), Play ->
first epoch on the page, the share of rings reaching JS <= 0.10, the explorers' page response
p50/p95, server + workers resident memory at peak, and the peak load average.

Text phase (``--text N``): N default GPT runs (the Train page's default: Shakespeare, characters,
preset "1min") started at once on the server's engine (genlab.jobs, no pages), against the same
runs one after another: every run's step count within its first 10 s, and the sum of tokens/s.

Alone (first): one GAN run through the engine of this tree and, with ``--before DIR``, of another
checkout (the old engine): Play -> first epoch and epochs/s, side by side.

    PYTHONPATH=. .venv/bin/python bench/bench_class.py --before /work/main  # the acceptance run
    PYTHONPATH=. .venv/bin/python bench/bench_class.py --scaling 1,5,10,20,30 --seconds 60
    PYTHONPATH=. .venv/bin/python bench/bench_class.py --participants 5 --seconds 30 --browsers 1 \
        --explorers 2 --text 4 --text-seconds 20                              # a short run
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_gan_live import COUNT_REDRAWS  # noqa: E402
from bench_load import children, explore_once, quantile, rss_kib  # noqa: E402
from stclient import Session  # noqa: E402

from genlab import feed  # noqa: E402
from tests.support.browser import (  # noqa: E402
    CHROMIUM,
    chromium,
    free_port,
    live_chart,
    start_lab,
    stop_lab,
    wait_for_app,
)

TICK = os.sysconf("SC_CLK_TCK")
QUEUED = ("Waiting for a free place", "Aguardando uma vaga")
GOOD_JS = 0.10


@dataclass
class Watch:
    """What one participant saw on their own page."""

    name: str
    pressed: float = 0.0
    first_epoch: float | None = None  # seconds from Play to the first epoch > 0 drawn
    epochs: list = field(default_factory=list)  # (time, epoch) of every new ring drawn
    best_js: float = 1e9
    queued: bool = False
    errors: list = field(default_factory=list)

    def drawn(self, at: float, epoch: float) -> None:
        """A new ring on the participant's layered view (from its feed, or the page's run)."""
        if epoch > 0 and (not self.epochs or epoch > self.epochs[-1][1]):
            self.first_epoch = self.first_epoch or at - self.pressed
            self.epochs.append((at, epoch))

    def rates(self) -> tuple[float, float]:
        """(epochs/s, redraws/s) over the watch, after the first epoch."""
        if len(self.epochs) < 2:
            return 0.0, 0.0
        (t0, e0), (t1, e1) = self.epochs[0], self.epochs[-1]
        span = max(t1 - t0, 1e-9)
        return (e1 - e0) / span, (len(self.epochs) - 1) / span


def number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def read_page(session: Session, watch: Watch) -> None:
    for at, label, value in session.metrics:
        got = number(value)
        if got is None or at < watch.pressed:
            continue
        if label == "JS divergence":
            watch.best_js = min(watch.best_js, got)
    session.metrics.clear()
    watch.queued |= any(text in QUEUED for _, text in session.texts)
    session.texts.clear()


def fetch(http: requests.Session, url: str) -> tuple[int, float, bytes]:
    try:
        answer = http.get(url, timeout=30)
    except requests.RequestException:
        return 0, 1.0, b""
    return answer.status_code, float(answer.headers.get("X-GenLab-Next", 1)), answer.content


async def follow_feed(base: str, session: Session, watch: Watch) -> None:
    """What the layered view's own script does (ui/live_chart): fetch its feed's newer frames at
    the pace the server names; each new frame is a ring drawn."""
    seen, http = -1, requests.Session()  # one connection kept open, as a browser does
    while True:
        if session.feed is None:
            await asyncio.sleep(0.1)
            continue
        url = session.feed
        status, next_s, body = await asyncio.to_thread(fetch, http, f"{base}{url}?seen={seen}")
        if status == 200:
            header, _ = feed.decode(body)
            seen = header["n"]
            watch.drawn(time.perf_counter(), header["epoch"])
        if status == 404 or next_s == 0:
            session.feed = None if session.feed == url else session.feed
        await asyncio.sleep(next_s or 0.5)


async def gan_participant(base: str, name: str, delay: float, seconds: float) -> Watch:
    await asyncio.sleep(delay)
    watch = Watch(name)
    session = Session(base, "/", locale="en-US", name=name)
    await session.connect()
    await session.rerun(page="gan")
    for _ in range(5):  # a page that timed out on a loaded machine is asked again
        if "gan_play" in session.widgets:
            break
        await session.rerun()
    if "gan_play" not in session.widgets:
        watch.errors = ["no Play button"] + [
            f"{p.kind}: {p.detail[:200]}" for p in session.problems
        ]
        await session.close()
        return watch
    watch.pressed = time.perf_counter()
    following = asyncio.create_task(follow_feed(base, session, watch))
    await session.rerun(click="gan_play")
    while time.perf_counter() - watch.pressed < seconds and not session.closed_by_server:
        read_page(session, watch)
        await asyncio.sleep(0.5)
    following.cancel()
    read_page(session, watch)
    await session.rerun(click="gan_stop")
    watch.errors = [f"{p.kind}: {p.detail[:200]}" for p in session.problems]
    await session.close()
    return watch


async def explorer(base: str, name: str, until: float) -> list[float]:
    import random

    session = Session(base, "/", locale="pt-BR", name=name)
    await session.connect()
    await session.rerun()
    rng = random.Random(name)
    while time.perf_counter() < until and not session.closed_by_server:
        await explore_once(session, rng, 1.0)
    await session.close()
    return [seconds for action, _, seconds, _ in session.timings if action != "tick"]


def browser_watch(base: str, seconds: float) -> dict:
    """A real Chromium page: Play, then redraws/s and epochs/s of the ring as drawn."""
    try:
        return _browser_watch(base, seconds)
    except Exception as exc:  # a page that timed out is an error of the run, not of the bench
        return {"redraws": 0.0, "epochs": 0.0, "first": None, "error": repr(exc)[:300]}


def _browser_watch(base: str, seconds: float) -> dict:
    with chromium(CHROMIUM) as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/gan?lang=en")
        wait_for_app(page)
        pressed = time.perf_counter()
        page.get_by_role("button", name="Play", exact=True).click()
        value = page.locator("[data-testid=stMetric]").filter(has_text="Epoch").first
        value = value.locator("[data-testid=stMetricValue]")
        while value.inner_text().strip() in ("0", "") and time.perf_counter() - pressed < 120:
            page.wait_for_timeout(50)
        first = time.perf_counter() - pressed
        plane = live_chart(page)
        plane.evaluate(COUNT_REDRAWS)
        page.wait_for_timeout(max(1.0, seconds - first) * 1000)
        changes = plane.evaluate("window.__redraws")
        page.get_by_role("button", name="Stop", exact=True).click()
        page.close()
    if len(changes) < 2:
        return {"redraws": 0.0, "epochs": 0.0, "first": first}
    (t0, e0), (t1, e1) = changes[0], changes[-1]
    span = (t1 - t0) / 1000
    epochs = (number(e1 or "0") - number(e0 or "0")) / span
    return {"redraws": (len(changes) - 1) / span, "epochs": epochs, "first": first}


def _proc_table() -> dict[int, tuple[int, float]]:
    """{pid: (parent pid, CPU seconds so far)} of every process."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            table[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK)
    return table


def descends(pid: int, ancestor: int, table: dict) -> bool:
    """Whether ``pid`` is a child, grandchild... of ``ancestor`` (``table``: ``_proc_table()``)."""
    for _ in range(10):
        pid = table[pid][0] if pid in table else 0
        if pid == ancestor:
            return True
    return False


def _busy_cpu() -> float:
    """CPU seconds the whole machine has been busy (all cores)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / TICK  # without idle and iowait


class Sampler:
    """Peak resident memory of the server and its workers, the peak load average, and where the
    machine's CPU went: the server process, its workers, this bench's sessions (their websocket
    clients), its Chromium pages, and the rest of the machine."""

    def __init__(self, pid: int):
        self.pid, self.peak_kib, self.load = pid, 0, 0.0
        self.cpu: dict[int, tuple[str, float, float]] = {}  # pid -> (part, first, last seen)
        # a process alive at the start counts from its CPU then, a later one from 0
        self.start = {pid: seconds for pid, (_, seconds) in _proc_table().items()}
        self.busy = _busy_cpu()

    def part(self, pid: int, table: dict) -> str | None:
        if pid == self.pid:
            return "server"
        if descends(pid, self.pid, table):
            return "workers"
        if pid == os.getpid():
            return "sessions"
        return "Chromium" if descends(pid, os.getpid(), table) else None

    def sample(self) -> dict[int, tuple[int, float]]:
        """Each process's CPU so far; returns the process table."""
        table = _proc_table()
        for pid, (_, seconds) in table.items():
            if pid in self.cpu:
                part, first, _ = self.cpu[pid]
                self.cpu[pid] = (part, first, seconds)
            elif part := self.part(pid, table):
                self.cpu[pid] = (part, self.start.get(pid, 0.0), seconds)
        return table

    def split(self) -> dict[str, float]:
        """CPU seconds per part since the start, and the rest of the machine's."""
        parts: dict[str, float] = {}
        for part, first, last in self.cpu.values():
            parts[part] = parts.get(part, 0.0) + last - first
        parts["rest of the machine"] = max(0.0, _busy_cpu() - self.busy - sum(parts.values()))
        return parts

    async def run(self) -> None:
        while True:
            table = self.sample()
            workers = [pid for pid, (parent, _) in table.items() if parent == self.pid]
            total = rss_kib(self.pid) + sum(map(rss_kib, workers))
            self.peak_kib = max(self.peak_kib, total)
            self.load = max(self.load, os.getloadavg()[0])
            await asyncio.sleep(1.0)


async def gan_phase(base: str, pid: int, args, count: int) -> dict:
    sampler = Sampler(pid)
    started = time.perf_counter()
    sampling = asyncio.create_task(sampler.run())
    until = time.perf_counter() + args.seconds + args.arrival
    spread = args.arrival / max(1, count + args.browsers)
    watchers = [gan_participant(base, f"p{i}", i * spread, args.seconds) for i in range(count)]
    browsers = [asyncio.to_thread(browser_watch, base, args.seconds) for _ in range(args.browsers)]
    explorers = [explorer(base, f"x{i}", until) for i in range(args.explorers)]
    results = await asyncio.gather(
        asyncio.gather(*watchers), asyncio.gather(*browsers), asyncio.gather(*explorers)
    )
    sampling.cancel()
    sampler.sample()
    watches, pages, timings = results
    return {
        "cpu": sampler.split(),
        "span": time.perf_counter() - started,
        "count": count,
        "watches": watches,
        "pages": pages,
        "responses": [s for ts in timings for s in ts],
        "peak_mib": sampler.peak_kib / 1024,
        "load": sampler.load,
    }


def fmt(values: list[float], spec: str = ".0f") -> str:
    if not values:
        return "-"
    return f"{min(values):{spec}}/{statistics.median(values):{spec}}"


def print_gan(rows: list[dict]) -> None:
    print("\nGAN: min/median per participant (sessions); Chromium pages separately")
    head = ("n", "errors", "queued", "epochs/s", "redraws/s", "Chromium redraws/s", "Play->1st s")
    more = ("JS<=0.10", "explore p50/p95 ms", "RSS MiB", "load")
    print(" | ".join(head + more))
    for row in rows:
        watches = row["watches"]
        rates = [w.rates() for w in watches]
        firsts = [w.first_epoch for w in watches if w.first_epoch is not None]
        firsts += [p["first"] for p in row["pages"] if p["first"] is not None]
        good = sum(w.best_js <= GOOD_JS for w in watches)
        responses = row["responses"]
        p50, p95 = quantile(responses, 0.5), quantile(responses, 0.95)
        explore = f"{p50 * 1000:.0f}/{p95 * 1000:.0f}" if responses else "-"
        cells = (
            str(row["count"]),
            str(sum(len(w.errors) for w in watches) + sum("error" in p for p in row["pages"])),
            str(sum(w.queued for w in watches)),
            fmt([r[0] for r in rates]),
            fmt([r[1] for r in rates], ".2f"),
            fmt([p["redraws"] for p in row["pages"]], ".2f"),
            f"{statistics.median(firsts):.2f} (max {max(firsts):.2f})" if firsts else "-",
            f"{100 * good / max(1, len(watches)):.0f} %",
            explore,
            f"{row['peak_mib']:,.0f}",
            f"{row['load']:.1f}",
        )
        print(" | ".join(cells))
        for w in watches:
            for error in w.errors[:3]:
                print(f"    {w.name}: {error}")
        for page in row["pages"]:
            if "error" in page:
                print(f"    Chromium: {page['error']}")
    print("\nWhere the machine's CPU went (cores used on average over the phase)")
    parts = ("server", "workers", "sessions", "Chromium", "rest of the machine")
    print(" | ".join(("n", *parts)))
    for row in rows:
        cores = [row["cpu"].get(part, 0.0) / row["span"] for part in parts]
        print(" | ".join((str(row["count"]), *(f"{c:.2f}" for c in cores))))


# ---------------------------------------------------------------------------- text phase


def text_params() -> dict:
    from genlab.text import corpora, tokenizers, training

    text = corpora.load_corpus("shakespeare")
    vocab = tokenizers.build_tokenizer("char", text, None).vocab_size
    model_cfg, train_cfg = training.preset("gpt", vocab)
    return {
        "corpus": "shakespeare",
        "text": None,
        "tokenizer": "char",
        "vocab_size": None,
        "model": model_cfg.to_dict(),
        "train": train_cfg.to_dict(),
        "title": "bench",
    }


def tokens_per_s(started: list, seconds: float, per_step: int) -> tuple[float, list[int], float]:
    """Run the started jobs for ``seconds`` (wall clock); (sum of their tokens/s over the last
    ``seconds`` - 10, each one's step count at 10 s, the workers' resident MiB while they ran)."""
    from genlab import jobs

    def steps() -> list[int]:
        return [(job.snapshot or {}).get("step", 0) for job in started]

    begin = time.perf_counter()
    while time.perf_counter() - begin < 10:
        time.sleep(0.25)
    early, mark = steps(), time.perf_counter()
    while time.perf_counter() - begin < max(seconds, 15):
        time.sleep(0.25)
    gained = sum(b - a for a, b in zip(early, steps(), strict=True))
    total = gained * per_step / (time.perf_counter() - mark)
    rss = sum(rss_kib(pid) for pid in jobs.pids()) / 1024  # before they stop: freed after
    for job in started:
        job.stop()
    for job in started:
        job.wait(30)
        if job.error:
            print(f"  a run failed: {job.error[-300:]}")
    return total, early, rss


def text_phase(args) -> None:
    from genlab import jobs

    params = text_params()
    jobs.warm(wait=120)
    n_workers = jobs.workers()
    per_step = params["train"]["batch_size"] * params["model"]["block_size"]
    first = [jobs.start("genlab.text.training:run", params)]
    alone, _, _ = tokens_per_s(first, args.text_seconds, per_step)
    # one after another on each worker: the workers together deliver n_workers x one run's rate
    sequential = alone * n_workers
    started = [
        jobs.start("genlab.text.training:run", params, owner=f"p{i}") for i in range(args.text)
    ]
    together, early, rss = tokens_per_s(started, args.text_seconds, per_step)
    print(f"\nText: {args.text} default GPT runs at once on {n_workers} workers")
    print(f"  one run alone: {alone:,.0f} tokens/s; one after another: {sequential:,.0f} tokens/s")
    share = 100 * together / max(sequential, 1e-9)
    print(f"  all at once: {together:,.0f} tokens/s = {share:.0f} % of that (goal 80 %)")
    print(f"  runs that trained within their first 10 s: {sum(s > 0 for s in early)}/{len(early)}")
    print(f"  workers' resident memory while the {args.text} runs trained: {rss:,.0f} MiB")
    jobs.shutdown()


ALONE = """
import json, sys, time
sys.path.insert(0, {root!r})
from genlab import jobs
from genlab.gan import jobs as gan_jobs  # imported by the GAN room before anyone presses Play
from genlab.gan.config import GanConfig
if hasattr(jobs, "warm"):
    assert jobs.warm(wait=300), "the workers did not start within 300 s"
pressed = time.perf_counter()
job = jobs.start("genlab.gan.jobs:run", {{"config": GanConfig().to_dict()}})
while not (job.snapshot and job.snapshot.get("epoch")):
    time.sleep(0.005)
first = time.perf_counter() - pressed
time.sleep(2)
t0, e0 = time.perf_counter(), job.snapshot["epoch"]
time.sleep({seconds})
rate = (job.snapshot["epoch"] - e0) / (time.perf_counter() - t0)
job.stop(wait=True)
print(json.dumps({{"first": first, "epochs": rate}}))
"""


def alone(root: str, seconds: float) -> dict:
    """One GAN run through the engine of the tree at ``root``: Play -> first epoch, epochs/s."""
    import json

    code = ALONE.format(root=root, seconds=seconds)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def fragment_costs(repeats: int = 20) -> None:
    """What a redraw of the layered view costs the server, side by side: building the figure
    and encoding it to JSON (a fragment run's drawing, before the feed), against encoding the
    snapshot's frame (genlab.feed: once per snapshot, for every chart fetching it)."""
    import plotly.io as pio

    from genlab import feed
    from genlab.gan import figures
    from genlab.gan import jobs as gan_jobs
    from genlab.gan.config import GanConfig
    from genlab.gan.metrics import Evaluator

    params = {"config": GanConfig().to_dict()}
    trainer = gan_jobs.trainer_from(params)
    trainer.train(200)
    labels = {name: name for name in figures.LAYERS}
    evaluator = Evaluator(trainer.data, samples=gan_jobs.METRIC_SAMPLES)
    real = trainer.data.sample(gan_jobs.VIEW_SAMPLES, seed=1)
    costs: dict[str, list[float]] = {"snapshot (worker)": [], "figure + JSON": [], "frame": []}
    sizes = {}
    for i in range(repeats):
        t0 = time.perf_counter()
        snap = gan_jobs.fields.snapshot(trainer, real)
        snap.update(evaluator(trainer.generate(gan_jobs.METRIC_SAMPLES)))
        t1 = time.perf_counter()
        figure = figures.plane(snap, figures.LAYERS, labels)
        sizes["JSON"] = len(pio.to_json(figure, validate=False))
        t2 = time.perf_counter()
        sizes["frame"] = len(feed.encode(i, 200, figures.frame_arrays(snap)))
        t3 = time.perf_counter()
        for name, took in zip(costs, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            costs[name].append(took)
    print("\nA redraw of the GAN's layered view, the server's part (medians of this process):")
    for name, took in costs.items():
        print(f"  {name:18} {statistics.median(took) * 1000:7.2f} ms")
    kib = {name: f"{size / 1024:.1f} KiB" for name, size in sizes.items()}
    print(f"  sent: {kib['JSON']} of figure JSON (before), a frame of {kib['frame']} (now)")


def alone_phase(args) -> None:
    print(f"\nOne participant alone, engine only (no page), {args.alone_seconds:g} s each")
    print("tree | Play -> first epoch s | epochs/s")
    for name, root in (("before", args.before), ("after", str(ROOT))):
        if root:
            got = alone(root, args.alone_seconds)
            print(f"{name} ({root}) | {got['first']:.2f} | {got['epochs']:,.0f}")


async def warm_up(base: str, pid: int) -> None:
    """The instructor opens the lab first: its workers start and load torch and the tasks."""
    session = Session(base, "/", locale="en-US", name="instructor")
    await session.connect()
    await session.rerun()
    deadline = time.perf_counter() + 180
    while time.perf_counter() < deadline:
        workers = children(pid)
        if len(workers) >= (os.cpu_count() or 1) and min(map(rss_kib, workers)) > 200 * 1024:
            break
        await asyncio.sleep(1)
    await asyncio.sleep(3)  # the tasks' imports, after torch's
    await session.close()


async def main_async(args, base: str, pid: int) -> None:
    # a thread per participant's feed and Chromium page (the default pool has cores + 4)
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=64))
    await warm_up(base, pid)
    counts = [int(c) for c in args.scaling.split(",")] if args.scaling else [args.participants]
    rows = []
    for count in counts:
        rows.append(await gan_phase(base, pid, args, count))
        await asyncio.sleep(3)  # the stopped runs leave
    print_gan(rows)


def server_phase(args) -> None:
    port = args.port or free_port()
    with tempfile.TemporaryDirectory() as data:
        env = dict(os.environ, GENLAB_DATA_DIR=data)
        log = Path(data) / "server.log"
        server = start_lab(port, env, log.open("wb"))
        try:
            asyncio.run(main_async(args, f"http://127.0.0.1:{port}", server.pid))
        finally:
            stop_lab(server)
    print(f"machine: {os.cpu_count()} cores; load average now {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--scaling", default="", help="counts of participants, e.g. 1,5,10,20,30")
    parser.add_argument("--seconds", type=float, default=180.0, help="s each participant watches")
    parser.add_argument("--arrival", type=float, default=10.0, help="s over which they press Play")
    parser.add_argument("--browsers", type=int, default=2)
    parser.add_argument("--explorers", type=int, default=3)
    parser.add_argument("--text", type=int, default=30, help="text runs at once (0: skip)")
    parser.add_argument("--text-seconds", type=float, default=40.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--before", default="", help="a checkout of the old engine to compare")
    parser.add_argument("--alone-seconds", type=float, default=10.0)
    args = parser.parse_args()
    alone_phase(args)
    fragment_costs()
    if args.participants or args.scaling:
        server_phase(args)
    if args.text:
        text_phase(args)


if __name__ == "__main__":
    main()
