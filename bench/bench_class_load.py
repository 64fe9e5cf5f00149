"""Load test of workshop mode (issue 13): 1 instructor dashboard, open and live, + N participants
following lesson 1 on one GenLab server on this machine.

Each participant is a real Streamlit session over the websocket (bench/stclient.py, as in
bench/bench_load.py): it joins on /join with a code and a nickname, opens each step's room,
answers the step's question in the sidebar's lesson panel, draws tokens and moves the
temperature on /next, and presses Next, with 1-3 s of thinking between actions; the panel's own
fragment ticks every 2 s. The instructor's dashboard ticks every second the whole time.

Measured, first with one participant alone (baseline), then with all of them: errors by kind
(goal 0), the page response (a rerun sent -> its script finished) median and p95 of the
participants' actions, alone and under load, the dashboard's refreshes per second (goal >= 1) and
its tick's p95. Compare the p95 with bench/bench_load.py's on the same machine.

    PYTHONPATH=. .venv/bin/python bench/bench_class_load.py [--participants 30 --arrival 20]
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stclient import Problem, Session  # noqa: E402

from genlab.classroom import lessons, store  # noqa: E402
from genlab.i18n import translate  # noqa: E402
from tests.support.browser import free_port, start_lab, stop_lab  # noqa: E402

CODE = "load-test"
LESSON = lessons.get("1_next_word")
ACTIONS = ("open", "widget", "click")
TEMPERATURES = (0.3, 1.0, 1.8)


def quantile(values: list[float], q: float) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.0f} ms"


async def think(fast: bool) -> None:
    await asyncio.sleep(0.2 if fast else random.uniform(1, 3))


async def dashboard(base: str) -> Session:
    teacher = Session(base, "/class", name="instructor")
    await teacher.connect()
    await teacher.rerun()
    submit = "FormSubmitter:class_sign_in-" + translate("en", "class.instructor_enter")
    await teacher.rerun({"class_instructor_code": CODE}, click=submit)
    return teacher


async def participant(base: str, code: str, name: str, fast: bool) -> Session:
    """Join, then follow lesson 1 to its end."""
    locale = random.choice(("en-US", "pt-BR"))
    me = Session(base, "/join", locale=locale, name=name)
    await me.connect()
    await me.rerun()
    lang = "pt-BR" if locale == "pt-BR" else "en"
    submit = "FormSubmitter:join_form-" + translate(lang, "class.join_button")
    await me.rerun({"join_code": code, "join_nickname": name}, click=submit)
    for index, step in enumerate(LESSON.steps):
        await think(fast)
        await me.rerun(page=step.room)
        if step.room == "next" and "next_temperature" in me.widgets:
            await think(fast)
            await me.rerun({"next_temperature": random.choice(TEMPERATURES)})
            await click(me, "next_draw")
        if step.question is not None:
            widget = f"lesson_answer_{code}_{step.id}_{lang}"
            choice = step.question.labels(lang)[index % 2] if step.question.kind == "choice" else ""
            value = {"choice": choice, "number": "100", "text": f"answer of {name}"}
            if widget in me.widgets:
                await think(fast)
                await me.rerun({widget: value[step.question.kind]})
                await click(me, f"{widget}_send")
        if index < len(LESSON.steps) - 1:
            await click(me, "lesson_next")
    return me


async def click(me: Session, key: str) -> None:
    """Press a button the participant should see (a missing one is an error)."""
    if key in me.widgets:
        await me.rerun(click=key)
    else:
        me.problems.append(Problem("missing", f"no widget {key}", me.page))


def user_timings(sessions: list[Session]) -> list[float]:
    return [s for x in sessions for action, _, s, _ in x.timings if action in ACTIONS]


async def run(base: str, participants: int, arrival: float) -> dict:
    code = store.create(LESSON.id).code
    teacher = await dashboard(base)
    alone = await participant(base, code, "alone", fast=False)
    baseline = user_timings([alone])
    await alone.close()
    started = time.perf_counter()

    async def arrive(i: int) -> Session:
        await asyncio.sleep(arrival * i / participants)
        return await participant(base, code, f"p{i:02d}", fast=False)

    sessions = await asyncio.gather(*(arrive(i) for i in range(participants)))
    ended = time.perf_counter()
    ticks = [s for action, page, s, sent in teacher.timings if action == "tick" and sent >= started]
    for session in (*sessions, teacher):
        await session.close()
    problems = [p for x in (alone, teacher, *sessions) for p in x.problems]
    answered = sum(len(m.answers) for m in store.load(code).members())
    return {
        "baseline": baseline,
        "load": user_timings(sessions),
        "ticks": ticks,
        "seconds": ended - started,
        "problems": problems,
        "answers": answered,
        "joined": len(store.load(code).members()),
    }


def report(r: dict, participants: int) -> bool:
    kinds = Counter(p.kind for p in r["problems"])
    rate = len(r["ticks"]) / r["seconds"]
    print(f"participants: {participants} (+ 1 alone first), joined: {r['joined'] - 1}")
    print(f"answers saved: {r['answers']}, duration under load: {r['seconds']:.0f} s")
    print(f"errors: {sum(kinds.values())} {dict(kinds) or ''}")
    for problem in r["problems"][:5]:
        print(f"  {problem.kind} on /{problem.page}: {problem.detail[:300]}")
    print("| page response | alone | with the class |")
    print("|---|---|---|")
    for label, q in (("median", 0.5), ("p95", 0.95)):
        print(f"| {label} | {ms(quantile(r['baseline'], q))} | {ms(quantile(r['load'], q))} |")
    print(
        f"dashboard: {rate:.2f} refreshes/s (goal >= 1), tick p95 {ms(quantile(r['ticks'], 0.95))}"
    )
    return not r["problems"] and rate >= 1 and r["joined"] - 1 == participants


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--arrival", type=float, default=20.0, help="seconds over which they join")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="genlab-class-load-")
    os.environ["GENLAB_DATA_DIR"] = data
    env = dict(os.environ, GENLAB_DATA_DIR=data, GENLAB_INSTRUCTOR_CODE=CODE)
    for limiter in (store.JOIN_PER_CLASS, store.ANSWER_PER_CLASS):
        assert limiter.count >= 2 * args.participants, (
            "the class's rate limits would refuse the load"
        )
    port = free_port()
    server = start_lab(port, env=env)
    try:
        result = asyncio.run(run(f"http://127.0.0.1:{port}", args.participants, args.arrival))
    finally:
        stop_lab(server)
    sys.exit(0 if report(result, args.participants) else 1)


if __name__ == "__main__":
    main()
