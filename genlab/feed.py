"""Live views fed over HTTP: a page's chart asks the server for its job's newest snapshot, without
re-running any of the page's script.

A live view that a Streamlit fragment redraws costs the server a script run per redraw (about
30 ms of its CPU for the GAN's layered view, most of it encoding the figure as JSON) and the
browser a re-render of the fragment. Here the page hands its chart a *feed*: an unguessable token
granted for one job (never the participant's key), and the chart fetches ``/genlab/feed/<token>``
at the pace the server names. An answer is a *frame*: the job's snapshot number, its epoch and
the arrays the chart draws, as float32 (``encode``); or 204 when nothing is new since the frame the
chart has. A frame is encoded once per snapshot, however many charts fetch it.

Frame layout (little-endian): a uint32 with the length of a JSON header, the header, padding to a
multiple of 4 bytes, then each array's float32 values in the header's order. The header is
``{"n": snapshot number, "epoch": epoch, "arrays": [[name, kind, rows, cols], ...]}`` where kind
``"xy"`` is a list of points (a trace's x and y; NaN breaks a line) and ``"z"`` a grid.
"""

from __future__ import annotations

import json
import os
import secrets
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from genlab import jobs

PATH = "/genlab/feed"
WATCHING_S = 3.0  # a chart that fetched this recently is watching
FASTEST_S, SLOWEST_S = 0.1, 0.7  # s from an answer to the next fetch: alone; never longer
# (0.7 s plus the answer's own time, 0.1-0.2 s with a class: above GAN Lab's 1.2 redraws/s)
Arrays = dict[str, tuple[str, np.ndarray]]  # name -> ("xy" or "z", values)


def budget() -> float:
    """Fetches per second the server affords for all the charts it feeds (``GENLAB_FEEDS``,
    default 40: 30 charts fetch every 0.75 s; a fetch costs the server about 1 ms,
    docs/engine.md)."""
    return float(os.environ.get("GENLAB_FEEDS", "40"))


def encode(n: int, epoch: int, arrays: Arrays) -> bytes:
    """A frame: snapshot number ``n``, ``epoch`` and the arrays, as laid out above."""
    values = {name: np.ascontiguousarray(a, dtype="<f4") for name, (_, a) in arrays.items()}
    shapes = {name: (*v.shape, 1)[:2] for name, v in values.items()}
    header = {
        "n": n,
        "epoch": epoch,
        "arrays": [[name, kind, *shapes[name]] for name, (kind, _) in arrays.items()],
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-(4 + len(text)) % 4)
    return b"".join([struct.pack("<I", len(text)), text, *(v.tobytes() for v in values.values())])


def decode(frame: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and arrays of a frame (what the chart's script reads, for tests and benches)."""
    (length,) = struct.unpack_from("<I", frame)
    header = json.loads(frame[4 : 4 + length])
    arrays, at = {}, 4 + length
    for name, _, rows, cols in header["arrays"]:
        arrays[name] = np.frombuffer(frame, "<f4", rows * cols, at).reshape(rows, cols)
        at += 4 * rows * cols
    return header, arrays


@dataclass
class _Feed:
    job_id: str
    owner: str
    arrays: Callable[[dict], Arrays]  # a snapshot -> the arrays its chart draws
    fetched: float = field(default_factory=time.monotonic)


_feeds: dict[str, _Feed] = {}
_frames: dict[str, tuple[int, bytes]] = {}  # job id -> (snapshot number, its frame)
_lock = threading.Lock()


def grant(job: jobs.Job, arrays: Callable[[dict], Arrays]) -> str:
    """A new token that lets a chart fetch ``job``'s frames, made of its snapshots by
    ``arrays``. Tokens of jobs this server no longer holds are forgotten."""
    token = secrets.token_urlsafe(18)
    with _lock:
        for key in [k for k, f in _feeds.items() if not jobs.held(f.job_id)]:
            _frames.pop(_feeds.pop(key).job_id, None)
        _feeds[token] = _Feed(job.id, job.owner, arrays)
    return token


def _job(feed: _Feed) -> jobs.Job | None:
    return jobs.get(feed.job_id, feed.owner)


def frame(job: jobs.Job, arrays: Callable[[dict], Arrays]) -> bytes | None:
    """The frame of the job's newest snapshot (None before its first), encoded once."""
    snap, n = job.snapshot, job.snapshots
    if snap is None:
        return None
    with _lock:
        cached = _frames.get(job.id)
    if cached is not None and cached[0] == n:
        return cached[1]
    encoded = encode(n, int(snap.get("epoch", 0)), arrays(snap))
    with _lock:
        _frames[job.id] = (n, encoded)
    return encoded


def pace(job: jobs.Job) -> float:
    """Seconds until a chart should fetch again: ``FASTEST_S`` alone, the budget shared between
    the charts watching, no faster than the job's snapshots come, never above ``SLOWEST_S`` (a
    paused job's: its page runs when the participant steps it by hand, with the new frame); a
    starting job's chart asks again soon, for its first snapshot."""
    if job.status == "paused":
        return SLOWEST_S
    if job.snapshot is None:  # starting: its first epochs are shown as soon as they come
        return FASTEST_S
    now = time.monotonic()
    with _lock:
        watching = sum(now - f.fetched < WATCHING_S for f in _feeds.values())
    wanted = max(FASTEST_S, watching / budget(), 0.9 * job.snapshot_period())
    return round(min(wanted, SLOWEST_S), 3)


def fetch(token: str, seen: int) -> tuple[int, bytes, float]:
    """What the feed ``token`` answers a chart that has frame ``seen``: (HTTP status, body, s
    until its next fetch). 404 for a token this server does not know or a job it no longer
    holds; 204 when no newer snapshot exists."""
    with _lock:
        feed = _feeds.get(token)
        if feed is not None:
            feed.fetched = time.monotonic()
    job = _job(feed) if feed is not None else None
    if job is None:
        return 404, b"", 0.0
    next_s = pace(job) if job.alive else 0.0
    if job.snapshots == seen:
        return 204, b"", next_s
    body = frame(job, feed.arrays)
    return (204, b"", next_s) if body is None else (200, body, next_s)
