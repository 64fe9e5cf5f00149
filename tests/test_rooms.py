"""Adding a room as CONTRIBUTING.md says (a page, a locale file, a package, a registry line) is
enough: in a copy of the lab with exactly those four changes, Home shows the room, the navigation
opens it, the CLI has its subcommand and the page tests open it in both languages. (A fifth room
on Home: an odd count, which crashed Home's two-column rows before the registry.)"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("app.py", "pyproject.toml", "rooms", "ui", "genlab", "tests/browser", "tests/support")

PAGE = """import streamlit as st
from ui.i18n import t

st.title(t("quiz.heading"))
"""
LOCALE = """[page_quiz]
en = "Quiz"
pt-BR = "Questionário"

[quiz_title]
en = "A quick quiz"
pt-BR = "Um questionário rápido"

[quiz_body]
en = "Check what you learnt."
pt-BR = "Veja o que você aprendeu."

[heading]
en = "Quiz time"
pt-BR = "Hora do questionário"
"""
CLI = """def register(subparsers):
    p = subparsers.add_parser("quiz", help="a quiz")
    p.set_defaults(func=lambda args: print("quiz!") or 0)
"""
LINE = (
    '    Room("quiz", "quiz", ":material/quiz:", "quiz.section", "quiz", cli="genlab.quiz.cli"),\n'
)
CHECK_APP = """
from streamlit.testing.v1 import AppTest

at = AppTest.from_file("app.py", default_timeout=60)
at.query_params["lang"] = "pt-BR"
at.run()
assert not at.exception, at.exception
print("HOME", [h.value for h in at.subheader])
at.switch_page("rooms/quiz.py").run()
assert not at.exception, at.exception
print("PAGE", [h.value for h in at.title])
"""


def ignore(directory, names):
    return [n for n in names if n in ("__pycache__", "screenshots")]


@pytest.fixture(scope="module")
def lab_with_a_new_room(tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("lab")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=ignore)
        elif source.exists():
            shutil.copy(source, copy / name)
    (copy / "rooms" / "quiz.py").write_text(PAGE)
    (copy / "genlab" / "locales" / "quiz.toml").write_text(LOCALE)
    (copy / "genlab" / "quiz").mkdir()
    (copy / "genlab" / "quiz" / "__init__.py").write_text("")
    (copy / "genlab" / "quiz" / "cli.py").write_text(CLI)
    registry = copy / "genlab" / "rooms.py"
    text = registry.read_text()
    assert text.count(")  # fmt: skip") == 1
    registry.write_text(text.replace(")  # fmt: skip", LINE + ")  # fmt: skip"))
    return copy


def run(copy: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=copy, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_home_and_the_navigation_show_the_new_room(lab_with_a_new_room):
    out = run(lab_with_a_new_room, "-c", CHECK_APP)
    assert "'Um questionário rápido'" in out.split("HOME", 1)[1].splitlines()[0]
    assert "PAGE ['Hora do questionário']" in out


def test_the_cli_has_the_new_room_s_subcommand(lab_with_a_new_room):
    assert run(lab_with_a_new_room, "-m", "genlab", "quiz") == "quiz!\n"


def test_the_page_tests_open_the_new_room(lab_with_a_new_room):
    out = run(
        lab_with_a_new_room,
        *("-m", "pytest", "--collect-only", "-q", "-n", "0", "-p", "no:cacheprovider"),
        "tests/browser/test_pages.py",
    )
    assert "test_every_room_opens_without_exception[quiz-en]" in out
    assert "test_every_room_opens_without_exception[quiz-pt-BR]" in out
