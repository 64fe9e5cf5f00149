"""Long work in a worker process, streamed back to the page as snapshots.

Measured (docs/architecture.md): training inside the Streamlit process shares the GIL with the
server and the figure building (66 epochs/s), while a worker process reached 245 epochs/s. A
worker also gives what users expect of long work: stop at any time, a crash does not take the page
down, a cap on concurrent trainings, and a run that outlives a page reload.

Fair share: at most ``max_jobs()`` workers run at once; further jobs wait in a queue (status
``"queued"``, with their position) and start as places free, the participant with the fewest running
jobs first. Each job belongs to an owner (a participant); pages only find their owner's jobs. Jobs
that no page has looked at for ``idle_seconds()`` are stopped (their tab was closed), and ended jobs
are forgotten after that time, freeing their memory.

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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 5.0
REGISTRY_SIZE = 100
TERMINAL = ("finished", "stopped", "failed")
REAP_EVERY_S = 2.0


def idle_seconds() -> float:
    """After how long unwatched a job is stopped, or forgotten once ended (``GENLAB_IDLE_S``)."""
    return float(os.environ.get("GENLAB_IDLE_S", "300"))


def max_jobs() -> int:
    """How many jobs may run at once on this server (``GENLAB_MAX_JOBS``). The default leaves a
    core to the pages: with 30 participants on 2 cores, one training at a time instead of two
    cut the pages' 95th-percentile response from 4.0 s to 1.7 s (bench/bench_load.py)."""
    default = max(1, (os.cpu_count() or 1) - 1)
    return int(os.environ.get("GENLAB_MAX_JOBS", default))


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
    """A task in its own worker process (once it has left the queue), seen from the server.

    ``on_status(job)`` is called (from a reader thread) whenever the status changes.
    """

    def __init__(
        self,
        task: str,
        params: dict,
        interval: float = 0.1,
        owner: str = "",
        on_status: Callable[["Job"], None] | None = None,
    ):
        self.id = uuid.uuid4().hex
        self.task = task
        self.params = dict(params)
        self.interval = interval
        self.owner = owner
        self.status = "queued"
        self.snapshot: dict | None = None
        self.snapshots = 0
        self.log: list[dict] = []
        self.result = None
        self.error: str | None = None
        self.started = time.time()
        self.ended: float | None = None
        self._stop_asked = False
        self.seen = time.time()
        self._on_status = on_status
        self._stderr: collections.deque = collections.deque(maxlen=40)
        self._lock = threading.Lock()
        self._pending: list = []
        self._proc: subprocess.Popen | None = None

    def _launch(self) -> None:
        """Leave the queue: start the worker, then send what the page asked meanwhile."""
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
        with self._lock:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "genlab.jobs"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                env=env,
            )
            pending, self._pending = self._pending, []
        self.started = time.time()
        self._send({"task": self.task, "params": self.params, "interval": self.interval})
        for message in pending:
            self._send(message)
        self._set_status("paused" if self.params.get("paused") else "running")
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def queued(self) -> bool:
        return self.status == "queued"

    def position(self) -> int:
        """1 for the next job to start, 0 when not queued."""
        with _registry_lock:
            return _queue.index(self) + 1 if self in _queue else 0

    def _set_status(self, status: str) -> None:
        if status != self.status:
            self.status = status
            if status in TERMINAL:
                self.ended = self.ended or time.time()
            if self._on_status is not None:
                self._on_status(self)

    @property
    def alive(self) -> bool:
        return self.status not in TERMINAL

    @property
    def elapsed(self) -> float:
        return (self.ended or time.time()) - self.started

    def _send(self, message) -> None:
        with self._lock:
            if self._proc is None:
                self._pending.append(message)
                return
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
            self._set_status("stopped")
        elif self.alive:
            self.error = f"exit code {code}\n" + "".join(self._stderr)
            self._set_status("failed")
        _promote()

    def _handle(self, message: tuple) -> None:
        kind, *args = message
        if kind == "snapshot":
            snapshot, records = args
            self.log.extend(records)
            if snapshot is not None:
                self.snapshot = snapshot
                self.snapshots += 1
        elif kind == "status" and self.alive:
            self._set_status(args[0])
        elif kind == "done":
            self.result, records, status = args
            self.log.extend(records)
            self._set_status(status)
        elif kind == "error":
            self.error, records = args
            self.log.extend(records)
            self._set_status("failed")

    def touch(self) -> None:
        """A page is looking at this job (an abandoned one can be reclaimed at the cap)."""
        self.seen = time.time()

    def pause(self) -> None:
        if self.alive and not self.queued:
            self._set_status("paused")
            self._send(("pause",))

    def resume(self) -> None:
        if self.alive and not self.queued:
            self._set_status("running")
            self._send(("resume",))

    def update(self, **params) -> None:
        """Change parameters while the job runs (the task reads them with ``ctx.updates()``)."""
        self.params.update(params)
        self._send(("update", params))

    def command(self, name: str, **args) -> None:
        """Send a custom command (``ctx.commands()`` on the worker side)."""
        self._send(("command", name, args))

    def stop(self, wait: bool = False, timeout: float = STOP_GRACE_S) -> None:
        """Ask the task to stop; kill the worker if it has not ended after ``timeout`` seconds.

        A queued job leaves the queue at once.
        """
        self._stop_asked = True
        with _registry_lock:
            if self in _queue:
                _queue.remove(self)
                self._set_status("stopped")
                return
        self._send(("stop",))
        _promote()
        killer = threading.Thread(target=self._kill_after, args=(timeout,), daemon=True)
        killer.start()
        if wait:
            killer.join()

    def _kill_after(self, timeout: float) -> None:
        if self._proc is None:
            return
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
_queue: list[Job] = []
_registry_lock = threading.RLock()
_reaper: threading.Thread | None = None


def running() -> int:
    """How many workers are running (or paused) on this server, not counting those asked to stop."""
    return sum(job.alive and not job.queued and not job._stop_asked for job in _registry.values())


def queued() -> int:
    return len(_queue)


def _promote() -> None:
    """Start queued jobs while there is room, the owner with the fewest running jobs first."""
    with _registry_lock:
        while _queue and running() < max_jobs():
            busy = collections.Counter(
                j.owner for j in _registry.values() if j.alive and not j.queued
            )
            job = min(_queue, key=lambda j: busy[j.owner])
            _queue.remove(job)
            job._launch()


def reap(now: float | None = None) -> None:
    """Stop the jobs no page has looked at for ``idle_seconds()`` (their tab was closed) and
    forget the ended ones after that time."""
    cutoff = (now or time.time()) - idle_seconds()
    with _registry_lock:
        for key, job in list(_registry.items()):
            if job.seen >= cutoff:
                continue
            if job.alive and not job._stop_asked:
                job.stop()
            elif not job.alive:
                del _registry[key]


def _reap_forever() -> None:
    while True:
        time.sleep(REAP_EVERY_S)
        reap()


def start(
    task: str,
    params: dict,
    interval: float = 0.1,
    owner: str = "",
    on_status: Callable[[Job], None] | None = None,
) -> Job:
    """Start ``task`` in a new worker, or queue it when the server is at its cap."""
    global _reaper
    with _registry_lock:
        if _reaper is None:
            _reaper = threading.Thread(target=_reap_forever, daemon=True)
            _reaper.start()
        job = Job(task, params, interval, owner, on_status)
        _registry[job.id] = job
        _queue.append(job)
        if on_status is not None:
            on_status(job)
        _promote()
        finished = [k for k, j in _registry.items() if not j.alive]
        for key in finished[: max(0, len(_registry) - REGISTRY_SIZE)]:
            del _registry[key]
    return job


def get(job_id: str | None, owner: str = "") -> Job | None:
    """The owner's job of this server by id (for a page that comes back or is reloaded); marks it
    seen. Another owner's job is not found."""
    job = _registry.get(job_id) if job_id else None
    if job is None or job.owner != owner:
        return None
    job.touch()
    return job


def owned(owner: str) -> list[Job]:
    """The owner's jobs on this server, oldest first."""
    return [job for job in list(_registry.values()) if job.owner == owner]


if __name__ == "__main__":
    worker_main()
