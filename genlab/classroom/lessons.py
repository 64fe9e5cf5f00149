"""Guided lessons: data files ``genlab/lessons/<id>.toml``, English and Brazilian Portuguese side
by side, each a sequence of steps.

A step has a ``title``, a ``text`` and a ``task`` (each ``{en, pt-BR}``), the ``room`` it happens in
(a page's URL path: ``text``, ``next``, ``gan``, ``embeddings``), the ``settings`` that room opens
with (its URL parameters), an optional ``question`` and an optional ``check``: a list of
conditions ``{room, name, op, value}`` over what the rooms report (``ui.progress.state``), all of
which must hold. Checks are data, evaluated here with a fixed table of operators (no ``eval``).
"""

import functools
import operator
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from genlab.embed.settings import View
from genlab.errors import UserError
from genlab.gan.config import GanConfig
from genlab.i18n import DEFAULT, LANGUAGES

LESSONS_DIR = Path(__file__).resolve().parent.parent / "lessons"
# a step's room (URL path) -> the name it reports its state under (ui.progress)
ROOMS = {"text": "text", "next": "next", "gan": "gan", "embeddings": "embed"}
NEXT_SETTINGS = ("next_model", "next_prompt", "next_temperature", "next_top_k", "next_top_p")
OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
KINDS = ("choice", "number", "text")
Texts = dict[str, str]


def pick(texts: Texts | list, lang: str):
    """The ``lang`` version of a bilingual entry (English when missing)."""
    return texts.get(lang) or texts.get(DEFAULT) if isinstance(texts, dict) else texts


@dataclass(frozen=True)
class Condition:
    room: str
    name: str
    op: str
    value: object

    def holds(self, states: dict[str, dict]) -> bool:
        """Whether the reported value satisfies the condition (a missing one never does)."""
        have = states.get(self.room, {}).get(self.name)
        if have is None:
            return False
        try:
            return bool(OPS[self.op](have, self.value))
        except TypeError:  # a number compared with a text
            return False


@dataclass(frozen=True)
class Question:
    kind: str  # "choice" | "number" | "text"
    prompt: Texts
    options: dict[str, list[str]] = field(default_factory=dict)  # choice: labels per language

    def labels(self, lang: str) -> list[str]:
        return list(pick(self.options, lang) or [])


@dataclass(frozen=True)
class Step:
    id: str
    title: Texts
    text: Texts
    task: Texts
    room: str
    settings: dict = field(default_factory=dict)
    question: Question | None = None
    check: tuple[Condition, ...] = ()

    def passed(self, states: dict[str, dict]) -> bool:
        """Whether the step's automatic check passes (a step without one never shows a tick)."""
        return bool(self.check) and all(c.holds(states) for c in self.check)

    def query(self) -> dict[str, str]:
        """The URL parameters that open the step's room with its settings."""
        return {
            k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in self.settings.items()
        }


@dataclass(frozen=True)
class Lesson:
    id: str
    title: Texts
    steps: tuple[Step, ...]

    def step(self, index: int) -> Step:
        return self.steps[max(0, min(index, len(self.steps) - 1))]


def _texts(raw, where: str) -> Texts:
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang), str) for lang in LANGUAGES):
        raise UserError("class.err_lesson_field", where=where)
    return {lang: raw[lang] for lang in LANGUAGES}


def _settings(room: str, settings, where: str) -> dict:
    if not isinstance(settings, dict):
        raise UserError("class.err_lesson_field", where=where)
    allowed = {
        "gan": lambda k: k.startswith(GanConfig.PREFIX) and bool(GanConfig.query_keys({k: ""})),
        "embeddings": lambda k: k.startswith("e_") and k[2:] in View.__dataclass_fields__,
        "next": lambda k: k in NEXT_SETTINGS,
        "text": lambda k: False,
    }[room]
    for name, value in settings.items():
        if not allowed(name) or not isinstance(value, str | int | float | bool):
            raise UserError("class.err_lesson_setting", where=where, name=name)
    if room == "gan":
        GanConfig.from_query({k: str(v) for k, v in settings.items()})  # a bad value: UserError
    return dict(settings)


def _question(raw, where: str) -> Question | None:
    if raw is None:
        return None
    kind = raw.get("kind") if isinstance(raw, dict) else None
    if kind not in KINDS:
        raise UserError("class.err_lesson_field", where=f"{where}.question")
    options = {}
    if kind == "choice":
        options = raw.get("options")
        sizes = (
            {len(options.get(lang) or []) for lang in LANGUAGES}
            if isinstance(options, dict)
            else {0}
        )
        if len(sizes) != 1 or sizes == {0} or sizes == {1}:
            raise UserError("class.err_lesson_field", where=f"{where}.question.options")
        options = {lang: [str(o) for o in options[lang]] for lang in LANGUAGES}
    return Question(kind, _texts(raw.get("prompt"), f"{where}.question.prompt"), options)


def _condition(raw, where: str) -> Condition:
    if not isinstance(raw, dict) or raw.get("op") not in OPS or "value" not in raw:
        raise UserError("class.err_lesson_field", where=f"{where}.check")
    if raw.get("room") not in ROOMS.values():
        raise UserError("class.err_lesson_room", where=f"{where}.check", room=str(raw.get("room")))
    return Condition(raw["room"], str(raw.get("name")), raw["op"], raw["value"])


def _step(raw: dict, number: int) -> Step:
    where = f"steps[{number}]"
    if not isinstance(raw, dict):
        raise UserError("class.err_lesson_field", where=where)
    room = raw.get("room")
    if room not in ROOMS:
        raise UserError("class.err_lesson_room", where=where, room=str(room))
    return Step(
        id=str(raw.get("id") or number),
        title=_texts(raw.get("title"), f"{where}.title"),
        text=_texts(raw.get("text"), f"{where}.text"),
        task=_texts(raw.get("task"), f"{where}.task"),
        room=room,
        settings=_settings(room, raw.get("settings", {}), f"{where}.settings"),
        question=_question(raw.get("question"), where),
        check=tuple(_condition(c, where) for c in raw.get("check", [])),
    )


def parse(lesson_id: str, text: str) -> Lesson:
    """A lesson from its TOML text; a ``UserError`` names what is wrong (and where)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise UserError("class.err_lesson_toml", detail=str(err)) from None
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise UserError("class.err_lesson_field", where="steps")
    parsed = tuple(_step(s, i) for i, s in enumerate(steps, 1))
    if len({s.id for s in parsed}) != len(parsed):
        raise UserError("class.err_lesson_field", where="steps.id")
    return Lesson(lesson_id, _texts(raw.get("title"), "title"), parsed)


@functools.cache
def shipped() -> dict[str, Lesson]:
    """The lessons bundled with the lab, by id (the file's name), in file order."""
    return {p.stem: parse(p.stem, p.read_text("utf-8")) for p in sorted(LESSONS_DIR.glob("*.toml"))}


def get(lesson_id: str) -> Lesson | None:
    return shipped().get(lesson_id)
