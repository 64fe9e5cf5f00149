"""Classes on disk, shared by every server replica that shares the data directory.

    <data dir>/classes/instructor_code          made once when GENLAB_INSTRUCTOR_CODE is unset
    <data dir>/classes/<CODE>/class.json         the lesson, the pace set by the instructor
    <data dir>/classes/<CODE>/people/<id>.json   one participant (one writer each: no clashes)

A participant's file is named by a hash of their key (``?me=``), never the key itself. Every write
is atomic (``genlab.runs.write``). Deleting a class deletes its directory; a participant's page
then finds no class and says so.
"""

import contextlib
import csv
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from pathlib import Path

from genlab import runs
from genlab.classroom.lessons import Lesson, Question, get
from genlab.errors import UserError

ALPHABET = "ACDEFHJKMNPRTUVWXY34679"  # no 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6
CODE_LENGTH = 5
CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")
MAX_NICKNAME = 40
MAX_ANSWER = 200
IDLE_S = 60.0  # a participant not seen for this long shows as idle
SEEN_EVERY_S = 10.0  # a participant's page refreshes its "last seen" at most this often


def root() -> Path:
    return runs.data_dir() / "classes"


# ---------------------------------------------------------------------- instructor code
def instructor_code() -> str:
    """``GENLAB_INSTRUCTOR_CODE``, or one generated once and kept in the data directory (so that
    every replica agrees on it)."""
    given = os.environ.get("GENLAB_INSTRUCTOR_CODE", "").strip()
    if given:
        return given
    path = root() / "instructor_code"
    with contextlib.suppress(OSError):
        return path.read_text("utf-8").strip()
    root().mkdir(parents=True, exist_ok=True)
    # another replica may be writing it right now: the first one wins
    with contextlib.suppress(FileExistsError), open(path, "x", encoding="utf-8") as f:
        f.write(secrets.token_hex(4))
    for _ in range(50):
        code = path.read_text("utf-8").strip()
        if code:
            return code
        time.sleep(0.01)
    return code


def is_instructor(given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(given.strip().encode(), instructor_code().encode())


# ---------------------------------------------------------------------- rate limits
class Limiter:
    """At most ``count`` events per ``seconds`` for each name (in this server process)."""

    def __init__(self, count: int, seconds: float):
        self.count, self.seconds = count, seconds
        self._events: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, *names: str) -> bool:
        """Record one event for every name, unless one of them is over its limit."""
        now = time.monotonic()
        with self._lock:
            queues = [self._events.setdefault(n, deque()) for n in names]
            for q in queues:
                while q and now - q[0] > self.seconds:
                    q.popleft()
            if any(len(q) >= self.count for q in queues):
                return False
            for q in queues:
                q.append(now)
            return True


JOIN_PER_KEY, JOIN_PER_CLASS = Limiter(5, 60), Limiter(120, 60)
ANSWER_PER_KEY, ANSWER_PER_CLASS = Limiter(30, 60), Limiter(600, 60)


def _limit(per_key: Limiter, per_class: Limiter, key: str, code: str) -> None:
    if not (per_key.allow(key) and per_class.allow(code)):
        raise UserError("class.err_slow_down")


# ---------------------------------------------------------------------- participants
def person_id(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]


@dataclass
class Member:
    """One participant of a class, as their file describes them."""

    id: str
    code: str
    nickname: str
    joined: float = field(default_factory=time.time)
    seen: float = field(default_factory=time.time)
    step: int = 0
    answers: dict = field(default_factory=dict)  # step id -> answer (number or text or choice)
    passed: list = field(default_factory=list)  # step ids whose check passed
    progress: dict = field(default_factory=dict)  # room -> what it reported (ui.progress)
    gan_points: list = field(default_factory=list)  # a small sample of the GAN's fake points
    pace_seen: int = 0  # the last "bring everyone to step N" this participant followed

    def active(self, now: float | None = None) -> bool:
        return (now or time.time()) - self.seen < IDLE_S

    def save(self, **changes) -> "Member":
        """Update and write the file; ``class.err_gone`` when the class was deleted meanwhile."""
        for name, value in changes.items():
            setattr(self, name, value)
        folder = root() / self.code
        if not (folder / "class.json").is_file():
            raise UserError("class.err_gone")
        runs.write(folder / "people", f"{self.id}.json", json.dumps(asdict(self)).encode())
        return self


def _member(path: Path) -> Member | None:
    try:
        return Member(**json.loads(path.read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def clean_nickname(nickname: str) -> str:
    """The nickname as typed (spaces at the ends dropped); refused when empty or too long."""
    name = " ".join((nickname or "").split())
    if not name:
        raise UserError("class.err_nickname_empty")
    if len(name) > MAX_NICKNAME:
        raise UserError("class.err_nickname_long", limit=MAX_NICKNAME)
    return name


# ---------------------------------------------------------------------- classes
def normalise_code(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


@dataclass
class Classroom:
    code: str
    lesson_id: str
    created: float = field(default_factory=time.time)
    pace: int | None = None  # "bring everyone to step N": the step index
    pace_version: int = 0  # raised at each "bring everyone", so each participant follows it once

    @property
    def dir(self) -> Path:
        return root() / self.code

    @property
    def lesson(self) -> Lesson:
        return get(self.lesson_id)

    def save(self) -> "Classroom":
        runs.write(self.dir, "class.json", json.dumps(asdict(self)).encode())
        return self

    def exists(self) -> bool:
        return (self.dir / "class.json").is_file()

    def members(self) -> list[Member]:
        found = (_member(p) for p in (self.dir / "people").glob("*.json"))
        return sorted((m for m in found if m is not None), key=lambda m: m.joined)

    def bring_to(self, step: int) -> None:
        """Move every participant's panel to ``step`` (each follows once; they may move on)."""
        self.pace, self.pace_version = step, self.pace_version + 1
        self.save()

    def answers(self, step_id: str) -> list:
        return [m.answers[step_id] for m in self.members() if step_id in m.answers]

    def delete(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def create(lesson_id: str) -> Classroom:
    if get(lesson_id) is None:
        raise UserError("class.err_no_lesson", lesson=lesson_id)
    for _ in range(100):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        with contextlib.suppress(FileExistsError):
            (root() / code).mkdir(parents=True)
            return Classroom(code, lesson_id).save()
    raise UserError("class.err_full")


def load(code: str | None) -> Classroom | None:
    code = normalise_code(code)
    if not CODE.fullmatch(code):
        return None
    try:
        found = Classroom(**json.loads((root() / code / "class.json").read_text("utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return found if found.lesson is not None else None


def listing() -> list[Classroom]:
    found = (load(p.parent.name) for p in root().glob("*/class.json"))
    return sorted((c for c in found if c is not None), key=lambda c: c.created, reverse=True)


def join(code: str, key: str, nickname: str) -> Member:
    """Tie the participant's key to the class under ``nickname`` (joining again renames)."""
    if not runs.valid(key):
        raise UserError("class.err_code")
    _limit(JOIN_PER_KEY, JOIN_PER_CLASS, key, normalise_code(code)[:CODE_LENGTH])
    classroom = load(code)
    if classroom is None:
        raise UserError("class.err_code")
    name = clean_nickname(nickname)
    leave(key)
    path = classroom.dir / "people" / f"{person_id(key)}.json"
    member = _member(path) or Member(person_id(key), classroom.code, name)
    return member.save(nickname=name, seen=time.time())


def membership(key: str | None) -> tuple[Classroom, Member] | None:
    """The class the participant's key is in, with their file, if any."""
    if not runs.valid(key):
        return None
    for path in root().glob(f"*/people/{person_id(key)}.json"):
        classroom, member = load(path.parent.parent.name), _member(path)
        if classroom is not None and member is not None:
            return classroom, member
    return None


def leave(key: str) -> None:
    for path in root().glob(f"*/people/{person_id(key)}.json"):
        path.unlink(missing_ok=True)


def parse_answer(question: Question, raw) -> object:
    """A participant's answer, checked against its question's kind."""
    if question.kind == "choice":
        if not isinstance(raw, int) or not 0 <= raw < len(question.labels("en")):
            raise UserError("class.err_answer_choice")
        return raw
    if question.kind == "number":
        try:
            value = float(str(raw).strip().replace(" ", "").replace(",", "."))
        except ValueError:
            raise UserError("class.err_answer_number") from None
        if value != value or abs(value) == float("inf"):
            raise UserError("class.err_answer_number")
        return value
    text = " ".join(str(raw or "").split())
    if not text:
        raise UserError("class.err_answer_empty")
    if len(text) > MAX_ANSWER:
        raise UserError("class.err_answer_long", limit=MAX_ANSWER)
    return text


def answer(member: Member, key: str, step_id: str, question: Question, raw) -> Member:
    value = parse_answer(question, raw)
    _limit(ANSWER_PER_KEY, ANSWER_PER_CLASS, key, member.code)
    return member.save(answers={**member.answers, step_id: value})


# ---------------------------------------------------------------------- results
def aggregate(question: Question, values: list, lang: str) -> list[tuple[str, int]]:
    """(label, count) of a question's answers: every option of a choice, the most common texts,
    the numbers as they were given."""
    if question.kind == "choice":
        counts = Counter(v for v in values if isinstance(v, int))
        return [(label, counts[i]) for i, label in enumerate(question.labels(lang))]
    if question.kind == "number":
        counts = Counter(float(v) for v in values if isinstance(v, int | float))
        return [(f"{v:g}", n) for v, n in sorted(counts.items())]
    counts = Counter(" ".join(str(v).lower().split()) for v in values)
    return counts.most_common(12)


def rows(classroom: Classroom) -> list[dict]:
    """One row per participant: the results a class exports (no keys)."""
    lesson = classroom.lesson
    out = []
    for m in classroom.members():
        nxt, gan = m.progress.get("next", {}), m.progress.get("gan", {})
        row = {"nickname": m.nickname, "step": m.step + 1, "passed": len(m.passed)}
        row.update({"last_text": nxt.get("last_text", ""), "temperature": nxt.get("temperature")})
        row.update({"gan_js": gan.get("js"), "gan_dataset": gan.get("dataset")})
        for step in lesson.steps:
            if step.question is not None:
                row[f"answer_{step.id}"] = m.answers.get(step.id, "")
        out.append(row)
    return out


def export_json(classroom: Classroom) -> str:
    data = {"code": classroom.code, "lesson": classroom.lesson_id, "participants": rows(classroom)}
    return json.dumps(data, ensure_ascii=False, indent=1)


def export_csv(classroom: Classroom) -> str:
    table = rows(classroom)
    names = list(dict.fromkeys(name for row in table for name in row)) or ["nickname"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, names)
    writer.writeheader()
    for row in table:  # a cell a spreadsheet would run as a formula is quoted as text
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value
