"""Long work in a worker process, streamed back to the page as snapshots.

DESIGN.md measured why: training inside the Streamlit process shares the GIL with the server and
the figure building (66 epochs/s), while a worker process reached 245 epochs/s. A worker also gives
what users expect of long work: stop at any time, a crash does not take the page down, a cap on
concurrent trainings, and a run that outlives a page reload.

The worker is ``python -m genlab.jobs``; parent and worker exchange pickled messages over the
worker's stdin and stdout (our own processes only; nothing from users is unpickled). The worker
ends when its stdin closes, so it never outlives the server that started it.

Worker side: a task is ``run(ctx: JobContext) -> dict | None``, named ``"package.module:function"``.
Page side: ``start(task, params)`` returns a :class:`Job`.
"""

import collections
import importlib
import os
import pickle
import queue
import subprocess
import sys
import threading
import time
import traceback
import uuid
from pathlib import Path

from genlab.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 5.0
REGISTRY_SIZE = 100
TERMINAL = ("finished", "stopped", "failed")


def idle_seconds() -> float:
    """After how long unwatched a job may give its place to a new one (``GENLAB_IDLE_S``)."""
    return float(os.environ.get("GENLAB_IDLE_S", "60"))


def max_jobs() -> int:
    """How many jobs may run at once on this server (``GENLAB_MAX_JOBS``, default: the cores)."""
    return int(os.environ.get("GENLAB_MAX_JOBS", os.cpu_count() or 1))


# --------------------------------------------------------------------------- worker side


class JobContext:
    """What a task sees: its parameters, the page's requests, and a way to publish snapshots."""

    def __init__(self, params: dict, interval: float, send):
        self.params = dict(params)
        self.interval = interval
        self.paused = False
        self.stopping = False
        self._send = send
        self._inbox: queue.Queue = queue.Queue()
        self._wake = threading.Event()
        self._updates: dict = {}
        self._commands: list = []
        self._records: list = []
        self._last_publish = 0.0

    def _receive(self, message: tuple) -> None:
        self._inbox.put(message)
        self._wake.set()

    def _drain(self) -> bool:
        """Apply pending messages; True if the job has just been paused."""
        just_paused = False
        while True:
            try:
                kind, *args = self._inbox.get_nowait()
            except queue.Empty:
                return just_paused
            if kind == "stop":
                self.stopping = True
            elif kind in ("pause", "resume"):
                just_paused = kind == "pause" and not self.paused
                self.set_paused(kind == "pause")
            elif kind == "update":
                self.params.update(args[0])
                self._updates.update(args[0])
            elif kind == "command":
                self._commands.append((args[0], args[1]))

    def checkpoint(self) -> bool:
        """Apply the page's requests; block while paused with nothing to do.

        Returns False once a stop has been asked: the task should then return. Right after a
        pause it returns once without blocking, so the task can publish where it stopped.
        """
        if self._drain():
            return True
        while self.paused and not (self.stopping or self._commands or self._updates):
            if self._records:
                self.publish(None, force=True)
            self._wake.wait(0.25)
            self._wake.clear()
            self._drain()
        return not self.stopping

    def set_paused(self, paused: bool) -> None:
        """Pause or resume from the task itself (after a divergence, say); the page sees it."""
        if paused != self.paused:
            self.paused = paused
            self._send(("status", "paused" if paused else "running"))

    def updates(self) -> dict:
        """Parameters changed by the page since the last call (already merged into params)."""
        changed, self._updates = self._updates, {}
        return changed

    def commands(self) -> list[tuple[str, dict]]:
        """Custom commands sent by the page since the last call, oldest first."""
        pending, self._commands = self._commands, []
        return pending

    def log(self, **record) -> None:
        """Append a small record (a point of a curve); sent with the next snapshot."""
        self._records.append(record)

    def due(self) -> bool:
        """Whether a snapshot would be sent now (check before building an expensive one)."""
        return time.monotonic() - self._last_publish >= self.interval

    def publish(self, snapshot: dict | None, force: bool = False) -> bool:
        """Send the latest snapshot (and pending records) if the interval has passed."""
        if not (force or self.due()):
            return False
        self._last_publish = time.monotonic()
        records, self._records = self._records, []
        self._send(("snapshot", snapshot, records))
        return True

    def take_records(self) -> list:
        records, self._records = self._records, []
        return records


def resolve(task: str):
    """The function named ``"package.module:function"``."""
    module, _, name = task.partition(":")
    return getattr(importlib.import_module(module), name)


def _read_commands(stream, ctx: JobContext) -> None:
    """Forward the page's messages to the task; on end of input (server gone) stop, then exit."""
    try:
        while True:
            ctx._receive(pickle.load(stream))
    except (EOFError, OSError, pickle.UnpicklingError):
        ctx._receive(("stop",))
        time.sleep(STOP_GRACE_S)
        os._exit(0)


def worker_main() -> None:
    """Entry point of ``python -m genlab.jobs``: run one task, talking over stdin/stdout."""
    from genlab.device import configure

    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    lock = threading.Lock()

    def send(message: tuple) -> None:
        with lock:
            pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()

    stream = sys.stdin.buffer
    spec = pickle.load(stream)
    ctx = JobContext(spec["params"], spec["interval"], send)
    threading.Thread(target=_read_commands, args=(stream, ctx), daemon=True).start()
    configure()
    try:
        result = resolve(spec["task"])(ctx)
        send(("done", result, ctx.take_records(), "stopped" if ctx.stopping else "finished"))
    except Exception:
        send(("error", traceback.format_exc(), ctx.take_records()))
    out.close()


# --------------------------------------------------------------------------- page side


class Job:
    """A task running in its own worker process, seen from the server."""

    def __init__(self, task: str, params: dict, interval: float = 0.1):
        self.id = uuid.uuid4().hex[:12]
        self.task = task
        self.params = dict(params)
        self.status = "running"
        self.snapshot: dict | None = None
        self.snapshots = 0
        self.log: list[dict] = []
        self.result = None
        self.error: str | None = None
        self.started = time.time()
        self.ended: float | None = None
        self._stop_asked = False
        self.seen = time.time()
        self._stderr: collections.deque = collections.deque(maxlen=40)
        self._lock = threading.Lock()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "genlab.jobs"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self._send({"task": task, "params": self.params, "interval": interval})
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return self.status not in TERMINAL

    @property
    def elapsed(self) -> float:
        return (self.ended or time.time()) - self.started

    def _send(self, message) -> None:
        with self._lock:
            try:
                pickle.dump(message, self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass

    def _read_stderr(self) -> None:
        for line in self._proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def _read(self) -> None:
        stream = self._proc.stdout
        try:
            while True:
                self._handle(pickle.load(stream))
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        code = self._proc.wait()
        if self.alive and self._stop_asked:
            self.status = "stopped"
        elif self.alive:
            self.status = "failed"
            self.error = f"exit code {code}\n" + "".join(self._stderr)
        self.ended = self.ended or time.time()

    def _handle(self, message: tuple) -> None:
        kind, *args = message
        if kind == "snapshot":
            snapshot, records = args
            self.log.extend(records)
            if snapshot is not None:
                self.snapshot = snapshot
                self.snapshots += 1
        elif kind == "status" and self.alive:
            self.status = args[0]
        elif kind == "done":
            self.result, records, status = args
            self.log.extend(records)
            self.status = status
            self.ended = time.time()
        elif kind == "error":
            self.error, records = args
            self.log.extend(records)
            self.status = "failed"
            self.ended = time.time()

    def touch(self) -> None:
        """A page is looking at this job (an abandoned one can be reclaimed at the cap)."""
        self.seen = time.time()

    def pause(self) -> None:
        if self.alive:
            self.status = "paused"
            self._send(("pause",))

    def resume(self) -> None:
        if self.alive:
            self.status = "running"
            self._send(("resume",))

    def update(self, **params) -> None:
        """Change parameters while the job runs (the task reads them with ``ctx.updates()``)."""
        self.params.update(params)
        self._send(("update", params))

    def command(self, name: str, **args) -> None:
        """Send a custom command (``ctx.commands()`` on the worker side)."""
        self._send(("command", name, args))

    def stop(self, wait: bool = False, timeout: float = STOP_GRACE_S) -> None:
        """Ask the task to stop; kill the worker if it has not ended after ``timeout`` seconds."""
        self._stop_asked = True
        self._send(("stop",))
        killer = threading.Thread(target=self._kill_after, args=(timeout,), daemon=True)
        killer.start()
        if wait:
            killer.join()

    def _kill_after(self, timeout: float) -> None:
        try:
            self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends; True if it did within ``timeout``."""
        deadline = None if timeout is None else time.time() + timeout
        while self.alive:
            if deadline is not None and time.time() > deadline:
                return False
            time.sleep(0.02)
        return True


_registry: dict[str, Job] = {}
_registry_lock = threading.Lock()


def running() -> int:
    """How many jobs are running (or paused) on this server, not counting those asked to stop."""
    return sum(job.alive and not job._stop_asked for job in _registry.values())


def _reclaim_idle() -> None:
    """Stop the jobs no page has looked at for ``idle_seconds()`` (their tab was closed)."""
    cutoff = time.time() - idle_seconds()
    for job in list(_registry.values()):
        if job.alive and not job._stop_asked and job.seen < cutoff:
            job.stop()


def start(task: str, params: dict, interval: float = 0.1) -> Job:
    """Start ``task`` in a new worker; refused with a message when the server is at its cap.

    At the cap, jobs that no page has looked at for a while are stopped to make room first.
    """
    with _registry_lock:
        limit = max_jobs()
        if running() >= limit:
            _reclaim_idle()
        if running() >= limit:
            raise UserError("common.err_too_many_jobs", limit=limit)
        job = Job(task, params, interval)
        _registry[job.id] = job
        finished = [k for k, j in _registry.items() if not j.alive]
        for key in finished[: max(0, len(_registry) - REGISTRY_SIZE)]:
            del _registry[key]
    return job


def get(job_id: str | None) -> Job | None:
    """A job of this server by id (for a page that comes back or is reloaded); marks it seen."""
    job = _registry.get(job_id) if job_id else None
    if job is not None:
        job.touch()
    return job


if __name__ == "__main__":
    worker_main()
