"""A participant's runs, kept on disk so that a reload, a lost connection or a server restart loses
nothing: the participant finds them under "your recent runs" and resumes or downloads them.

    <data dir>/runs/<owner>/<run id>/run.json       what the run is: kind, title, status, progress
                                    /params.json    how to start it again
                                    /corpus.txt     an uploaded text it trains on, if any
                                    /*.safetensors  its checkpoints, written by the worker

The data directory is ``GENLAB_DATA_DIR`` (default ``data/`` in the project). ``clean()`` deletes
runs older than ``GENLAB_KEEP_DAYS`` and then the oldest ended runs while the directory is larger
than ``GENLAB_DATA_MB``. An owner is a random token (a participant's key); nobody can list another
owner's runs without it.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
ACTIVE = ("queued", "running", "paused")
TEXT_FILE = "corpus.txt"
KEPT_PARAMS = ("text",)  # kept in their own file, not in params.json (nor are bytes)


def data_dir() -> Path:
    return Path(os.environ.get("GENLAB_DATA_DIR") or ROOT / "data")


def limit_bytes() -> int:
    return int(float(os.environ.get("GENLAB_DATA_MB", "2000")) * 2**20)


def keep_seconds() -> float:
    return float(os.environ.get("GENLAB_KEEP_DAYS", "14")) * 86400


def new_owner() -> str:
    return secrets.token_urlsafe(16)


def valid(token: str | None) -> bool:
    """Whether ``token`` can be an owner or a run id (no path tricks)."""
    return bool(token) and TOKEN.fullmatch(token) is not None


@dataclass
class Run:
    """One run of one participant, as ``run.json`` describes it."""

    id: str
    owner: str
    kind: str
    title: str
    status: str = "queued"
    created: float = field(default_factory=time.time)
    updated: float = field(default_factory=time.time)
    progress: dict = field(default_factory=dict)
    error: str | None = None

    @property
    def dir(self) -> Path:
        return data_dir() / "runs" / self.owner / self.id

    def file(self, name: str) -> Path | None:
        """A file of the run, if it has been written."""
        path = self.dir / name
        return path if path.is_file() else None

    def params(self) -> dict:
        """The parameters it was started with (an uploaded text included)."""
        params = json.loads((self.dir / "params.json").read_text("utf-8"))
        if self.file(TEXT_FILE):
            params["text"] = (self.dir / TEXT_FILE).read_text("utf-8")
        return params

    def save(self, **changes) -> "Run":
        """Update fields and write ``run.json`` (atomically)."""
        for name, value in changes.items():
            setattr(self, name, value)
        self.updated = time.time()
        write(self.dir, "run.json", json.dumps(asdict(self)).encode("utf-8"))
        return self


def write(directory: Path | str, name: str, data: bytes) -> None:
    """Write a file so that a reader never sees half of it (the worker's checkpoints too)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}.", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, directory / name)


def create(owner: str, kind: str, title: str, params: dict) -> Run:
    """A new run of ``owner`` with the parameters it starts with; old runs are cleaned first."""
    if not valid(owner):
        raise ValueError("invalid owner")
    clean()
    run = Run(id=uuid.uuid4().hex, owner=owner, kind=kind, title=title)
    kept = {k: v for k, v in params.items() if k not in KEPT_PARAMS and not isinstance(v, bytes)}
    write(run.dir, "params.json", json.dumps(kept, default=_listed).encode("utf-8"))
    if params.get("text") is not None:
        write(run.dir, TEXT_FILE, params["text"].encode("utf-8"))
    return run.save()


def _listed(value):
    """Arrays (a participant's drawing or CSV points) are kept as lists."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} cannot be kept in a run's parameters")


def _read(path: Path) -> Run | None:
    try:
        return Run(**json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def load(owner: str, run_id: str) -> Run | None:
    """The owner's run with this id (None for another owner's run or a bad id)."""
    if not (valid(owner) and valid(run_id)):
        return None
    run = _read(data_dir() / "runs" / owner / run_id / "run.json")
    return run if run is not None and run.owner == owner else None


def listing(owner: str, kind: str | None = None) -> list[Run]:
    """The owner's runs, newest first."""
    if not valid(owner):
        return []
    found = (_read(p) for p in (data_dir() / "runs" / owner).glob("*/run.json"))
    runs = [r for r in found if r is not None and (kind is None or r.kind == kind)]
    return sorted(runs, key=lambda r: r.created, reverse=True)


def delete(owner: str, run_id: str) -> None:
    run = load(owner, run_id)
    if run is not None:
        shutil.rmtree(run.dir, ignore_errors=True)


def _size(path: Path) -> int:
    """Bytes under ``path``; files deleted meanwhile (another session's clean-up) count 0."""
    total = 0
    for folder, _, names in os.walk(path):  # os.walk skips folders that vanish
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                total += os.stat(os.path.join(folder, name)).st_size
    return total


def clean(now: float | None = None) -> int:
    """Delete runs past their keeping time, then the oldest ended runs while over the size limit.

    Returns how many runs were deleted. Runs still going are never deleted for size.
    """
    now = now or time.time()
    runs = [r for r in map(_read, (data_dir() / "runs").glob("*/*/run.json")) if r is not None]
    runs.sort(key=lambda r: r.updated)
    deleted = 0
    sizes = {r.id: _size(r.dir) for r in runs}
    total = sum(sizes.values())
    for run in runs:
        expired = now - run.updated > keep_seconds()
        if expired or (total > limit_bytes() and run.status not in ACTIVE):
            shutil.rmtree(run.dir, ignore_errors=True)
            total -= sizes[run.id]
            deleted += 1
    return deleted


def keep(params: dict, files: dict[str, bytes]) -> None:
    """Worker side: write checkpoints into the job's run directory (if the job has a run)."""
    if params.get("run_dir"):
        for name, data in files.items():
            write(params["run_dir"], name, data)
