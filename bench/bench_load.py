"""Load test (issue 7): a class of participants on one GenLab server on this machine.

Starts one server (its own data directory, ``GENLAB_MAX_JOBS`` from ``--max-jobs``), warms it up
as an instructor would (one visit of every room), then measures, in one run:
- baseline: one participant alone, an explorer's round of the rooms, then one training;
- load: ``--participants`` sessions arriving over ``--arrival`` seconds, ``--trainers`` of them
  training a small GPT and watching it live until it is finished, the others exploring the rooms
  (the next-token page and its temperature slider, the GAN preview, a search in the embeddings,
  the text page) with 1-3 s of thinking between actions, until the last training ends.
Each participant is a real Streamlit session over the websocket (bench/stclient.py: the
frontend's messages, XSRF protection on, ``run_every`` fragments re-run at their interval), not a
browser: 30 Chromiums would measure the browsers, not the server.

Prints errors by kind (goal 0), the page response time (a rerun sent -> its script finished)
alone and under load with their ratio, the server's facts (fresh, warm, with every session,
after they left) and per session, the workers' facts at peak, each training's wait in the queue,
duration and final status, and the load average. Exits with 1 on any error or unfinished
training, so that it can serve as a pass/fail check.

    PYTHONPATH=. .venv/bin/python bench/bench_load.py [--participants 30 --trainers 5 --max-jobs 1]
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stclient import Problem, Session  # noqa: E402

from genlab.i18n import LANGUAGES, translate  # noqa: E402
from genlab.jobs import max_jobs  # noqa: E402
from tests.support.browser import start_lab, stop_lab  # noqa: E402

ROOMS = ("next", "gan", "embeddings", "text")
TEMPERATURES = (0.3, 0.7, 1.3, 2.0)
WORDS = ("king", "love", "night", "death", "queen")
LOCALES = ("en-US", "pt-BR")
STATUSES = {
    translate(lang, f"common.status_{status}"): status
    for lang in LANGUAGES
    for status in ("queued", "running", "paused", "finished", "stopped", "failed", "interrupted")
}
ENDED = {"finished", "stopped", "failed", "interrupted"}
SAMPLE_EVERY_S = 0.5
USER_ACTIONS = ("open", "widget", "click")  # what a participant does (not the fragment timers)
WINDOW_S = 30.0


@dataclass
class Training:
    participant: str
    pressed: float = 0.0
    running: float | None = None  # first time the page showed it running
    ended: float | None = None
    status: str = "not started"
    queued_seen: bool = False

    @property
    def wait(self) -> float | None:
        return None if self.running is None else self.running - self.pressed

    @property
    def duration(self) -> float | None:
        return None if self.ended is None or self.running is None else self.ended - self.running


@dataclass
class Phase:
    """What one phase (baseline or load) measured."""

    sessions: list[Session] = field(default_factory=list)
    trainings: list[Training] = field(default_factory=list)

    def timings(self, actions=USER_ACTIONS, page: str | None = None, since=0.0, until=1e12):
        """Seconds of the reruns of these actions (on this page, sent in [since, until))."""
        return [
            s
            for session in self.sessions
            for action, where, s, sent in session.timings
            if action in actions and page in (None, where) and since <= sent < until
        ]

    def problems(self) -> list[Problem]:
        return [p for session in self.sessions for p in session.problems]


# ---------------------------------------------------------------------------- the server


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Sampler:
    """The server's and its workers' facts, sampled in the background."""

    def __init__(self, pid: int):
        self.pid = pid
        self.workers_peak = 0
        self.workers_max = 0
        self.server_peak = 0
        self.load_peak = 0.0

    async def run(self) -> None:
        while True:
            workers = children(self.pid)
            self.workers_peak = max(self.workers_peak, sum(map(rss_kib, workers)))
            self.workers_max = max(self.workers_max, len(workers))
            self.server_peak = max(self.server_peak, rss_kib(self.pid))
            self.load_peak = max(self.load_peak, os.getloadavg()[0])
            await asyncio.sleep(SAMPLE_EVERY_S)


# ---------------------------------------------------------------------------- participants


async def think(rng: random.Random, scale: float) -> None:
    await asyncio.sleep(rng.uniform(1.0, 3.0) * scale)


async def join(base: str, name: str, locale: str, phase: Phase) -> Session:
    session = Session(base, "/", locale=locale, name=name)
    phase.sessions.append(session)
    await session.connect()
    await session.rerun()  # Home
    return session


async def explore_once(session: Session, rng: random.Random, scale: float) -> None:
    """One round of the rooms, as a participant who looks around without training."""
    await think(rng, scale)
    await session.rerun(page="next")
    for _ in range(3):
        await think(rng, scale)
        await session.rerun({"next_temperature": rng.choice(TEMPERATURES)})
    await think(rng, scale)
    await session.rerun(page="gan")  # the preview of the ring, no Play
    await think(rng, scale)
    await session.rerun(page="embeddings")
    await think(rng, scale)
    await session.rerun({"embed_word": rng.choice(WORDS)})
    await think(rng, scale)
    await session.rerun(page="text")


async def explorer(base, name, locale, phase, rng, scale, until: asyncio.Event) -> None:
    session = await join(base, name, locale, phase)
    while not session.closed_by_server:
        await explore_once(session, rng, scale)
        if until.is_set():
            return


async def trainer(base, name, locale, phase, rng, scale, steps, deadline) -> None:
    """Open the text room, make the run short, press Play, watch it live until it ends."""
    session = await join(base, name, locale, phase)
    training = Training(name)
    phase.trainings.append(training)
    await think(rng, scale)
    await session.rerun(page="text")
    await think(rng, scale)
    await session.rerun({"text_steps": steps})
    await think(rng, scale)
    training.pressed = time.perf_counter()
    if await session.rerun(click="text_play") is None:
        return
    training.status = "pressed"
    while time.perf_counter() - training.pressed < deadline and not session.closed_by_server:
        for at, text in session.texts:
            status = STATUSES.get(text) if at >= training.pressed else None
            if status is None:
                continue
            training.status = status
            training.queued_seen |= status == "queued"
            if status == "running" and training.running is None:
                training.running = at
            if status in ENDED:
                training.ended = at
                return
        session.texts.clear()
        await asyncio.sleep(0.25)


async def phase_run(base, args, participants: int, trainers: int) -> Phase:
    """``participants`` sessions arriving over ``args.arrival`` s; the explorers stop after the
    round in which the last training ended (a baseline explorer does one round)."""
    phase = Phase()
    rng = random.Random(args.seed)
    order = ["trainer"] * trainers + ["explorer"] * (participants - trainers)
    rng.shuffle(order)
    training_done = asyncio.Event()
    if trainers == 0:
        training_done.set()

    async def arrive(i: int, role: str):
        await asyncio.sleep(i * args.arrival / participants)
        own = random.Random(args.seed * 1000 + i)
        locale = LOCALES[i % len(LOCALES)]
        if role == "trainer":
            await trainer(base, f"p{i}", locale, phase, own, 1.0, args.steps, args.deadline)
        else:
            await explorer(base, f"p{i}", locale, phase, own, 1.0, training_done)

    tasks = [asyncio.create_task(arrive(i, role)) for i, role in enumerate(order)]
    trainer_tasks = [t for t, role in zip(tasks, order, strict=True) if role == "trainer"]
    if trainer_tasks:
        await asyncio.gather(*trainer_tasks)
        training_done.set()
    await asyncio.gather(*tasks)
    return phase


async def leave(phase: Phase) -> None:
    await asyncio.gather(*(session.close() for session in phase.sessions))


# ---------------------------------------------------------------------------- report


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile (0.5: median, 0.95: 95th percentile), None without values."""
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def ms(values: list[float], q: float) -> str:
    value = quantile(values, q)
    return "-" if value is None else f"{1000 * value:,.0f}"


def ratio(load: list[float], base: list[float], q: float) -> str:
    a, b = quantile(load, q), quantile(base, q)
    return "-" if a is None or not b else f"{a / b:.1f}x"


def server_errors(log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if "Traceback" in line or " ERROR " in line]


def report(args, base: Phase, load: Phase, facts: dict, sampler: Sampler, log: Path) -> int:
    mib = 1024
    n = args.participants
    print(
        f"\n{n} participants ({args.trainers} training a {args.steps}-step GPT, "
        f"{n - args.trainers} exploring), GENLAB_MAX_JOBS={args.max_jobs}, "
        f"arrival over {args.arrival:g} s, {os.cpu_count()} cores; think time 1-3 s"
    )
    print("\nPage response (rerun sent -> script finished), ms")
    head = f"{'':22}{'alone':>16}{'under load':>16}{'ratio':>16}{'reruns':>10}"
    print(head + f"\n{'':22}" + f"{'median':>8}{'p95':>8}" * 3)
    rows = [("all actions", None, USER_ACTIONS)]
    rows += [(f"  {page or 'home'}", page, USER_ACTIONS) for page in ("", *ROOMS)]
    rows += [("live ticks (fragment)", None, ("tick",))]
    for label, page, actions in rows:
        b, lo = base.timings(actions, page), load.timings(actions, page)
        print(
            f"{label:22}{ms(b, 0.5):>8}{ms(b, 0.95):>8}{ms(lo, 0.5):>8}{ms(lo, 0.95):>8}"
            f"{ratio(lo, b, 0.5):>8}{ratio(lo, b, 0.95):>8}{len(lo):>10}"
        )
    windows = []
    for start in range(0, int(facts["load_s"]) + 1, int(WINDOW_S)):
        since = facts["began"] + start
        part = load.timings(since=since, until=since + WINDOW_S)
        if part:
            windows.append(f"{start}-{start + WINDOW_S:g} s: {ms(part, 0.5)} / {ms(part, 0.95)}")
    print(f"  under load, by {WINDOW_S:g}-s window (median / p95 ms): " + "; ".join(windows))

    print("\nServer memory (RSS), MiB")
    per_session = (facts["with_sessions"] - facts["warm"]) / n
    rows = (
        ("fresh (no session yet)", facts["fresh"]),
        ("warm (after warm-up and baseline)", facts["warm"]),
        (f"with {n} sessions (at the end)", facts["with_sessions"]),
        ("peak during the load", sampler.server_peak),
        (f"{args.linger:g} s after they left (*)", facts["after"]),
    )
    for label, kib in rows:
        print(f"  {label:36}{kib / mib:8.0f}")
    print(f"  {'per session':36}{per_session / mib:8.1f}")
    print("  (*) Streamlit keeps a closed session 2 min, for a reconnection")
    print(
        f"Workers: at most {sampler.workers_max} at once, {sampler.workers_peak / mib:.0f} MiB "
        "in total at peak"
    )
    print(
        f"Load average (1 min): {facts['load_before']:.1f} before the run (other users), "
        f"peak {sampler.load_peak:.1f} during the load; this client used "
        f"{facts['client_cpu']:.0f} CPU-s ({facts['client_cpu'] / facts['load_s']:.2f} core) "
        f"over the {facts['load_s']:.0f} s of load"
    )

    print("\nTrainings (s)")
    print(f"  {'who':8}{'queued?':>9}{'wait':>8}{'duration':>10}  status")
    for phase_name, phase in (("alone", base), ("load", load)):
        for tr in phase.trainings:
            wait = "-" if tr.wait is None else f"{tr.wait:.1f}"
            took = "-" if tr.duration is None else f"{tr.duration:.1f}"
            who = f"{phase_name}:{tr.participant}"
            queued = "yes" if tr.queued_seen else "no"
            print(f"  {who:8}{queued:>9}{wait:>8}{took:>10}  {tr.status}")
    errors, details = Counter(), Counter()
    for phase_name, phase in (("alone", base), ("load", load)):
        for problem in phase.problems():
            errors[problem.kind] += 1
            details[f"{phase_name} /{problem.page}: {problem.kind}: {problem.detail}"] += 1
        for tr in phase.trainings:
            if tr.status != "finished":
                kind = tr.status if tr.status in ENDED else "unfinished"
                errors[f"training_{kind}"] += 1
                details[f"{phase_name} {tr.participant}: training {tr.status}"] += 1
    logged = server_errors(log)
    errors["server_log"] += len(logged)
    details.update(f"server log: {line}" for line in logged)
    errors = +errors
    print("\nErrors (goal 0): " + (", ".join(f"{k} {v}" for k, v in errors.items()) or "0"))
    for line, count in details.most_common(15):
        print(f"  {count:4} x {line[:300]}")
    if logged:
        print(f"  server log kept at {log}")
    return 1 if errors else 0


# ---------------------------------------------------------------------------- main


async def main_async(args, base_url: str, pid: int, log: Path) -> int:
    facts = {"fresh": rss_kib(pid), "load_before": os.getloadavg()[0]}
    warm = Phase()
    await explore_once(await join(base_url, "warm-up", "en-US", warm), random.Random(0), 0.0)
    await leave(warm)
    print(f"warm-up done, {len(warm.problems())} problems", flush=True)
    alone = await phase_run(base_url, args, 1, 0)
    single = await phase_run(base_url, args, 1, 1)
    baseline = Phase(alone.sessions + single.sessions, single.trainings)
    await leave(baseline)
    facts["warm"] = rss_kib(pid)
    print(f"baseline done: {len(baseline.timings())} reruns", flush=True)
    sampler = Sampler(pid)
    sampling = asyncio.create_task(sampler.run())
    began, cpu = time.perf_counter(), time.process_time()
    load = await phase_run(base_url, args, args.participants, args.trainers)
    facts["with_sessions"] = rss_kib(pid)
    facts["load_s"] = time.perf_counter() - began
    facts["began"] = began
    facts["client_cpu"] = time.process_time() - cpu
    await leave(load)
    await asyncio.sleep(args.linger)
    facts["after"] = rss_kib(pid)
    sampling.cancel()
    return report(args, baseline, load, facts, sampler, log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--trainers", type=int, default=5)
    parser.add_argument(
        "--max-jobs", type=int, default=max_jobs(), help="GENLAB_MAX_JOBS (default: the lab's)"
    )
    parser.add_argument("--steps", type=int, default=100, help="GPT steps of each training")
    parser.add_argument("--arrival", type=float, default=10.0, help="s over which they arrive")
    parser.add_argument("--deadline", type=float, default=300.0, help="s for each training")
    parser.add_argument("--linger", type=float, default=5.0, help="s before the last facts read")
    parser.add_argument("--port", type=int, default=8611)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    started = time.perf_counter()
    log = Path(tempfile.gettempdir()) / f"genlab-load-{args.port}.log"
    with tempfile.TemporaryDirectory(prefix="genlab-load-") as tmp:
        data = str(Path(tmp) / "data")
        env = dict(os.environ, GENLAB_DATA_DIR=data, GENLAB_MAX_JOBS=str(args.max_jobs))
        server = start_lab(args.port, env, log.open("wb"))
        try:
            code = asyncio.run(main_async(args, f"http://127.0.0.1:{args.port}", server.pid, log))
        finally:
            stop_lab(server, 15)
    print(f"\nwhole run {time.perf_counter() - started:.0f} s; exit code {code}")
    sys.exit(code)


if __name__ == "__main__":
    main()
