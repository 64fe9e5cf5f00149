"""Tiny tasks for the job engine's tests (importable by the worker as tests.jobs_tasks)."""

import os
import time
from pathlib import Path

SAVE_FILE = "count.txt"


def count(ctx):
    """Count up, one step per millisecond, publishing the count and the current rate. With a
    ``run_dir``, the count is saved there every 20 steps (and ``resumed`` continues from it)."""
    i = start = ctx.params.get("start", 0)
    while ctx.checkpoint() and i < ctx.params.get("steps", 10**9):
        for name, args in ctx.commands():
            if name == "jump":
                i += args["by"]
        if not ctx.paused:
            i += 1
            ctx.log(i=i)
            time.sleep(0.001)
            if ctx.params.get("run_dir") and i % 20 == 0:
                (Path(ctx.params["run_dir"]) / SAVE_FILE).write_text(str(i))
        ctx.publish({"i": i, "rate": ctx.params["rate"], "start": start}, force=ctx.paused)
    return {"i": i}


def resumed(params):
    saved = Path(params.get("run_dir") or "/nonexistent") / SAVE_FILE
    return {**params, "start": int(saved.read_text())} if saved.is_file() else None


def solo(ctx):
    """A long step without checkpoints: it gets a worker of its own."""
    time.sleep(0.5)
    ctx.publish({"alone": True}, force=True)
    return {"alone": True}


solo.solo = True


def crash(ctx):
    ctx.publish({"about_to": "fail"}, force=True)
    raise ValueError("boom in the task")


def die(ctx):
    ctx.publish({"about_to": "die"}, force=True)
    os._exit(3)


def hog(ctx):
    """Hold ``mb`` MiB (resident) until stopped."""
    block = b"\x01" * (ctx.params["mb"] * 2**20)
    while ctx.checkpoint():
        ctx.publish({"held": len(block)}, force=True)
        time.sleep(0.01)
    return {"held": len(block)}


def start_and_hang(job_file):
    """Run in a throw-away parent: start a job, write its worker's pid, then wait to be killed."""
    from genlab import jobs

    job = jobs.start("tests.jobs_tasks:count", {"rate": 1})
    with open(job_file, "w") as f:
        f.write(str(job.pid))
    time.sleep(600)


def stubborn(ctx):
    """Busy in one long step that never looks at the page's requests."""
    ctx.publish({"busy": True}, force=True)
    time.sleep(600)


def pause_itself(ctx):
    """Pause on its own after one step, as a training does after a divergence."""
    ctx.publish({"step": 1}, force=True)
    ctx.set_paused(True)
    while ctx.checkpoint():
        ctx.publish({"step": 2, "paused": ctx.paused}, force=True)
