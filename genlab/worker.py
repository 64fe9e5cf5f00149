"""The worker side of genlab.jobs: one long-lived process where many participants' runs live.

``python -m genlab.worker`` is started by the server's pool (see genlab.jobs and docs/engine.md).
Each run is a thread executing its task ``run(ctx)``; a :class:`Baton` lets one run compute at a
time and is handed round-robin at each ``ctx.checkpoint()``, so the runs of a worker share its core
fairly with one torch thread (no oversubscription, no GIL fight). A run that raises fails alone.

Parent and worker exchange pickled messages over the worker's stdin and stdout (our own processes
only; nothing from users is unpickled), tagged with the job's id. The worker ends when its stdin
closes, so it never outlives the server that started it.
"""

import collections
import contextlib
import gc
import importlib
import os
import pickle
import queue
import sys
import threading
import time
import traceback

STOP_GRACE_S = 5.0
NICENESS = 5  # the pages (server and browser) come first on a busy machine
SNAPSHOT_SHARE_S = 0.04  # with n runs computing, each publishes at most every n * this seconds
PRELOAD = "genlab.gan.jobs,genlab.text.training"  # imported at start: Play answers at once


class Baton:
    """Only its holder computes; ``pass_on`` hands it to the run that has waited longest (and is
    free when nobody waits). Each waiter has its own event: a hand-over wakes one thread only."""

    def __init__(self):
        self._lock = threading.Lock()
        self._holder = None
        self._waiting: collections.deque = collections.deque()  # (who, its event), oldest first

    def take(self, who, first: bool = False) -> None:
        """Wait for the baton; ``first``: before every waiting run (a run's first turn, so that
        its first epochs show at once)."""
        with self._lock:
            if self._holder is None and not self._waiting:
                self._holder = who
                return
            ready = threading.Event()
            if first:
                self._waiting.appendleft((who, ready))
            else:
                self._waiting.append((who, ready))
        ready.wait()

    def give(self, who) -> None:
        with self._lock:
            if self._holder is not who:
                return
            self._holder = None
            if self._waiting:
                self._holder, ready = self._waiting.popleft()
                ready.set()

    def pass_on(self, who) -> None:
        with self._lock:
            if not self._waiting or self._holder is not who:
                return
            ready = threading.Event()
            self._waiting.append((who, ready))
            self._holder, first = self._waiting.popleft()
            first.set()
        ready.wait()

    @property
    def waiting(self) -> int:
        return len(self._waiting)


class JobContext:
    """What a task sees: its parameters, the page's requests, and a way to publish snapshots."""

    def __init__(self, params: dict, interval: float, send, baton: Baton | None = None, share=None):
        self.params = dict(params)
        self.interval = interval
        self.paused = False
        self.stopping = False
        self._send = send
        self._baton = baton or Baton()
        self._share = share or (lambda: 1)
        self._inbox: queue.Queue = queue.Queue()
        self._wake = threading.Event()
        self._updates: dict = {}
        self._commands: list = []
        self._records: list = []
        self._last_publish = 0.0
        self._turns = 0  # checkpoints so far: the first keeps the turn the run started with

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
        """Apply the page's requests, hand the core to the next run; block while paused with
        nothing to do (without holding the core).

        Returns False once a stop has been asked: the task should then return. Right after a
        pause it returns once without blocking, so the task can publish where it stopped.
        """
        if self._drain():
            return True
        if self._turns:
            self._baton.pass_on(self)
        self._turns += 1
        while self.paused and not (self.stopping or self._commands or self._updates):
            if self._records:
                self.publish(None, force=True)
            self._baton.give(self)
            self._wake.wait(0.25)
            self._wake.clear()
            self._baton.take(self)
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

    def publish_every(self) -> float:
        """The interval between snapshots: ``interval``, longer when many runs share the core
        (a snapshot costs as much as many epochs; the pages cannot show more anyway)."""
        return max(self.interval, SNAPSHOT_SHARE_S * self._share())

    def due(self) -> bool:
        """Whether a snapshot would be sent now (check before building an expensive one)."""
        return time.monotonic() - self._last_publish >= self.publish_every()

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


class Worker:
    """The runs of this process, by job id."""

    def __init__(self, out):
        self._out = out
        self._lock = threading.Lock()
        self.baton = Baton()
        self.runs: dict[str, JobContext] = {}
        self.configured = threading.Event()  # torch imported and set up: runs may compute

    def send(self, job_id: str, message: tuple) -> None:
        data = pickle.dumps((job_id, *message), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            self._out.write(data)
            self._out.flush()

    def computing(self) -> int:
        """How many runs want the core (not paused)."""
        return max(1, sum(not ctx.paused for ctx in list(self.runs.values())))

    def start(self, job_id: str, spec: dict) -> None:
        ctx = JobContext(
            spec["params"],
            spec["interval"],
            lambda message: self.send(job_id, message),
            self.baton,
            self.computing,
        )
        self.runs[job_id] = ctx
        threading.Thread(target=self._run, args=(job_id, spec["task"], ctx), daemon=True).start()

    def _run(self, job_id: str, task: str, ctx: JobContext) -> None:
        self.configured.wait()
        self.baton.take(ctx, first=True)  # a new run's first epochs show at once (Play)
        result = None
        try:
            result = resolve(task)(ctx)
            status = "stopped" if ctx.stopping else "finished"
            message = ("done", result, ctx.take_records(), status)
        except Exception:
            message = ("error", traceback.format_exc(), ctx.take_records())
        finally:
            self.baton.give(ctx)
            self.runs.pop(job_id, None)
        ctx = result = None
        gc.collect()  # a finished run's tensors go back to the system before the next one
        self.send(job_id, message)

    def receive(self, message: tuple) -> None:
        if message[0] == "start":
            self.start(message[1], message[2])
            return
        ctx = self.runs.get(message[0])
        if ctx is not None:
            ctx._receive(message[1:])

    def stop_all(self) -> None:
        for ctx in list(self.runs.values()):
            ctx._receive(("stop",))


def _preload() -> None:
    for name in filter(None, os.environ.get("GENLAB_PRELOAD", PRELOAD).split(",")):
        try:
            importlib.import_module(name)
        except Exception:  # a broken module fails the runs that use it, not the worker
            traceback.print_exc()


def main() -> None:
    """Entry point of ``python -m genlab.worker``: run tasks as the server asks, until its end."""
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    with contextlib.suppress(OSError):
        os.nice(int(os.environ.get("GENLAB_WORKER_NICE", NICENESS)))
    worker = Worker(out)
    reader = threading.Thread(target=_serve, args=(worker, sys.stdin.buffer), daemon=True)
    reader.start()  # before the imports: a server that dies meanwhile ends this worker at once
    from genlab.device import configure  # imports torch: seconds on a busy machine

    configure()
    worker.configured.set()
    _preload()
    worker.send("", ("ready",))
    reader.join()


def _serve(worker: Worker, stream) -> None:
    """Run what the server asks until its end (end of input): then stop the runs and exit."""
    try:
        while True:
            worker.receive(pickle.load(stream))
    except (EOFError, OSError, pickle.UnpicklingError):
        worker.stop_all()
        deadline = time.monotonic() + STOP_GRACE_S
        while worker.runs and time.monotonic() < deadline:
            time.sleep(0.05)
        os._exit(0)


if __name__ == "__main__":
    main()
