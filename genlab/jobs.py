"""Long work in a small pool of long-lived worker processes, streamed back to the page as snapshots.

Measured (docs/architecture.md): training inside the Streamlit process shares the GIL with the
server and the figure building (66 epochs/s), while a worker process reached 245 epochs/s.
docs/engine.md measured why many runs share a few workers instead of a process each: a worker costs
about 420 MiB and a class is 30 participants on 2 cores.

The pool: ``workers()`` processes (``GENLAB_WORKERS``, default: the cores), started on first use
(``warm()`` starts them ahead) and restarted if one dies. A new run goes to the worker with the
fewest runs; inside a worker the runs take turns (genlab.worker), so every started run progresses
from its first second. When a worker dies (killed, out of memory) its runs start again on a fresh
one from their last saved state (the task module's ``resumed(params)``, see below), at most
``MAX_RESTARTS`` times each; ``job.restarts`` tells the page to say so.

Fair share per participant: a participant runs at most ``max_jobs()`` jobs at once
(``GENLAB_MAX_JOBS``); their further jobs wait (status ``"queued"``, with their position) until one
of their own ends. Pages only find their owner's jobs. Jobs no page has looked at for
``idle_seconds()`` are stopped (their tab was closed), and ended jobs are forgotten after that time.

Worker side: a task is ``run(ctx: JobContext) -> dict | None``, named ``"package.module:function"``
(a function with ``solo = True``, one that cannot call ``ctx.checkpoint()`` often, gets a worker
of its own that ends with it);
its module may define ``resumed(params) -> dict | None``: the params that continue the run from
what it saved (None: start it again as it was). Page side: ``start(task, params)`` returns a
:class:`Job`.
"""

import collections
import importlib
import os
import pickle
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from genlab.worker import JobContext, resolve  # noqa: F401  (the tasks' API, named here too)

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 5.0
REGISTRY_SIZE = 100
TERMINAL = ("finished", "stopped", "failed")
REAP_EVERY_S = 2.0
MAX_RESTARTS = 3


def idle_seconds() -> float:
    """After how long unwatched a job is stopped, or forgotten once ended (``GENLAB_IDLE_S``)."""
    return float(os.environ.get("GENLAB_IDLE_S", "300"))


def max_jobs() -> int:
    """How many jobs one participant may run at once (``GENLAB_MAX_JOBS``, default 4: a room's
    training in each room); their further jobs wait for one of their own to end."""
    return max(1, int(os.environ.get("GENLAB_MAX_JOBS", "4")))


def workers() -> int:
    """How many worker processes train for the whole server (``GENLAB_WORKERS``, default: the
    cores; each runs many participants' runs in turn on one torch thread)."""
    return max(1, int(os.environ.get("GENLAB_WORKERS", os.cpu_count() or 1)))


# --------------------------------------------------------------------------- the pool


class _Process:
    """One worker process seen from the server: sends its runs' requests, reads their snapshots."""

    def __init__(self, pool: "_Pool", solo: bool = False):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), *sys.path]))
        if solo:
            env["GENLAB_PRELOAD"] = ""  # it imports its own task
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "genlab.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=env,
        )
        self.pool = pool
        self.solo = solo  # for one job only: it ends with it
        self.jobs: dict[str, Job] = {}
        self.ready = threading.Event()
        self._lock = threading.Lock()
        self._stderr: collections.deque = collections.deque(maxlen=40)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def load(self) -> int:
        return sum(job.alive for job in list(self.jobs.values()))

    def send(self, message: tuple) -> None:
        with self._lock:
            try:
                pickle.dump(message, self.proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the worker is gone: its reader restarts it and places its runs again

    def release(self, job: "Job") -> None:
        """``job`` has ended here; a solo worker ends with it."""
        self.jobs.pop(job.id, None)
        if self.solo:
            with self._lock:
                self.proc.stdin.close()

    def stderr(self) -> str:
        return "".join(self._stderr)

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self._stderr.append(line.decode("utf-8", "replace"))

    def _read(self) -> None:
        stream = self.proc.stdout
        try:
            while True:
                job_id, kind, *args = pickle.load(stream)
                job = self.jobs.get(job_id)
                if kind == "ready":
                    self.ready.set()
                elif job is not None:
                    job._handle(kind, args)
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            pass
        self.pool.lost(self, self.proc.wait())


class _Pool:
    """The worker processes of this server: a new run goes to the least busy one."""

    def __init__(self):
        self.lock = threading.RLock()
        self.procs: list[_Process] = []

    def ensure(self) -> list[_Process]:
        with self.lock:
            while len(self.procs) < workers():
                self.procs.append(_Process(self))
            return self.procs

    def place(self, job: "Job") -> "_Process":
        with self.lock:
            if job.solo:
                proc = _Process(self, solo=True)
            else:
                proc = min(self.ensure()[: workers()], key=_Process.load)
            proc.jobs[job.id] = job
        spec = {"task": job.task, "params": job.params, "interval": job.interval}
        proc.send(("start", job.id, spec))
        return proc

    def lost(self, proc: _Process, code: int) -> None:
        """A worker ended: start a fresh one, and its runs again on the pool."""
        with self.lock:
            if proc in self.procs and not proc.solo:
                self.procs[self.procs.index(proc)] = _Process(self)
        for job in list(proc.jobs.values()):
            job._lost(code, proc.stderr())

    def shutdown(self) -> None:
        """End every worker (tests; the server's end closes their input anyway)."""
        with self.lock:
            procs, self.procs = self.procs, []
        for proc in procs:
            proc.proc.stdin.close()
        for proc in procs:
            try:
                proc.proc.wait(STOP_GRACE_S + 2)
            except subprocess.TimeoutExpired:
                proc.proc.kill()


_pool = _Pool()


def warm(wait: float = 0) -> bool:
    """Start the workers now (they import torch and the tasks), so that Play answers at once;
    with ``wait``, wait up to that many seconds for them to be ready (True if they are)."""
    deadline = time.monotonic() + wait
    return all(p.ready.wait(max(0, deadline - time.monotonic())) for p in _pool.ensure())


def shutdown() -> None:
    _pool.shutdown()


def pids() -> list[int]:
    """The worker processes' ids (for benchmarks and tests)."""
    return [proc.pid for proc in list(_pool.procs)]


def _resumed(task: str, params: dict) -> dict:
    """The params that continue a run from what it saved (its module's ``resumed``), if any."""
    module = importlib.import_module(task.partition(":")[0])
    hook = getattr(module, "resumed", None)
    return (hook(params) if hook else None) or params


# --------------------------------------------------------------------------- page side


class Job:
    """A task running in one of the pool's workers (once it has left its owner's queue), seen from
    the server.

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
        self.solo = bool(getattr(resolve(task), "solo", False))
        self.params = dict(params)
        self.interval = interval
        self.owner = owner
        self.status = "queued"
        self.snapshot: dict | None = None
        self.snapshots = 0
        self.log: list[dict] = []
        self.result = None
        self.error: str | None = None
        self.restarts = 0  # times its worker died and it started again from its last save
        self.restarted: float | None = None  # when it last did (time.time())
        self._arrivals: collections.deque = collections.deque(maxlen=6)
        self.started = time.time()
        self.ended: float | None = None
        self._stop_asked = False
        self.seen = time.time()
        self._on_status = on_status
        self._lock = threading.RLock()
        self._arrived = threading.Condition()  # notified at each snapshot
        self._pending: list = []
        self._proc: _Process | None = None

    def _launch(self) -> None:
        """Leave the queue: start on a worker, then send what the page asked meanwhile."""
        # the status first: a long-lived worker may answer (a task pausing itself) before place()
        # returns, and that answer must not be overwritten
        self.started = time.time()
        self._set_status("paused" if self.params.get("paused") else "running")
        with self._lock:
            self._proc = _pool.place(self)
            pending, self._pending = self._pending, []
            for message in pending:
                self._proc.send((self.id, *message))

    def _lost(self, code: int, stderr: str) -> None:
        """Its worker died: start again from the last save, or fail after ``MAX_RESTARTS``."""
        if not self.alive:
            return
        if self._stop_asked:
            self._set_status("stopped")
        elif self.restarts >= MAX_RESTARTS:
            self.error = f"exit code {code}\n{stderr}"
            self._set_status("failed")
        else:
            self.restarts += 1
            self.restarted = time.time()
            self.params = _resumed(self.task, self.params)
            if self.status == "paused":
                self.params["paused"] = True
            with self._lock:
                self._proc = _pool.place(self)
            return
        _promote()

    @property
    def pid(self) -> int | None:
        """The process of the worker it runs (ran) in."""
        return self._proc.pid if self._proc else None

    @property
    def queued(self) -> bool:
        return self.status == "queued"

    @property
    def starting(self) -> bool:
        """Started, no snapshot yet (the page says "starting")."""
        return self.alive and not self.queued and self.snapshot is None

    def snapshot_period(self) -> float:
        """Seconds between its recent snapshots (0 before two): a page redrawing faster only
        redraws the same snapshot."""
        times = list(self._arrivals)
        if len(times) < 2 or time.monotonic() - times[-1] > 2 * (times[-1] - times[0]):
            return 0.0
        return (times[-1] - times[0]) / (len(times) - 1)

    def position(self) -> int:
        """1 for the owner's next job to start, 0 when not queued."""
        with _registry_lock:
            mine = [job for job in _queue if job.owner == self.owner]
            return mine.index(self) + 1 if self in mine else 0

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

    def _send(self, message: tuple) -> None:
        with self._lock:
            if self._proc is None:
                self._pending.append(message)
                return
            proc = self._proc
        proc.send((self.id, *message))

    def _handle(self, kind: str, args: list) -> None:
        if kind == "snapshot":
            snapshot, records = args
            self.log.extend(records)
            if snapshot is not None:
                with self._arrived:
                    self.snapshot = snapshot
                    self.snapshots += 1
                    self._arrivals.append(time.monotonic())
                    self._arrived.notify_all()
        elif kind == "status" and self.alive:
            self._set_status(args[0])
        elif kind in ("done", "error"):
            if kind == "done":
                self.result, records, status = args
            else:
                (self.error, records), status = args, "failed"
            self.log.extend(records)
            self._proc.release(self)
            self._set_status(status)
            _promote()

    def touch(self) -> None:
        """A page is looking at this job (an abandoned one can be reclaimed)."""
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
        """Ask the task to stop. One that has not ended after ``timeout`` seconds counts as
        stopped, and its worker is restarted (its other runs continue from their last save).

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
        if self.wait(timeout) or self._proc is None:
            return
        proc = self._proc
        self._set_status("stopped")
        proc.release(self)
        proc.proc.kill()

    def wait_snapshot(self, after: int, timeout: float) -> bool:
        """Block until a snapshot newer than the ``after``-th arrives; True if one did within
        ``timeout`` seconds (a page waits for the answer to a step before drawing it)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self.snapshots > after, timeout)

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


def running(owner: str | None = None) -> int:
    """How many jobs are running (or paused) on this server, or of one owner, not counting those
    asked to stop."""
    return sum(
        job.alive and not job.queued and not job._stop_asked and owner in (None, job.owner)
        for job in list(_registry.values())
    )


def queued() -> int:
    return len(_queue)


def _promote() -> None:
    """Start the queued jobs whose owner is under the cap, oldest first."""
    with _registry_lock:
        for job in list(_queue):
            if running(job.owner) < max_jobs():
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
    """Start ``task`` on the pool, or queue it when its owner is at their cap."""
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


def held(job_id: str) -> bool:
    """Whether this server still holds the job (without marking it seen, as ``get`` does)."""
    return job_id in _registry


def owned(owner: str) -> list[Job]:
    """The owner's jobs on this server, oldest first."""
    return [job for job in list(_registry.values()) if job.owner == owner]
