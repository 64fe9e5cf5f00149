"""Lesson 1 followed to its end in a real Chromium, in English: a participant does each step's task
in the room (draws tokens, opens the GPT, draws 1,000 times, generates 20 tokens above a
temperature of 1.5, top-k, trains a small GPT on an uploaded text, the bigram again) and the
step's tick appears; the class's file then counts every check as passed. (The flow in both
languages, the questions and the dashboard: test_a_class.py.)"""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from genlab.classroom import store
from genlab.i18n import translate
from tests.support.browser import assert_no_exception, wait_for_app
from tests.support.classroom import LESSON, SIDEBAR, field, join, step_title, tr

OWN_TEXT = "Glauco gosta de comer peras. Maria prefere melancia, não pregos nem cimento. " * 25


def until(page, action, shown, timeout: float = 20_000, tries: int = 3) -> None:
    """Do ``action`` until ``shown`` (a locator) appears: a click that landed while a fragment
    was re-running is lost, so it is done again."""
    for _ in range(tries):
        action()
        wait_for_app(page)
        try:
            shown.first.wait_for(timeout=timeout)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"{shown} never appeared")


def open_room(page) -> None:
    """Follow the panel's link to the step's room (again when the click was lost)."""
    before = page.url
    link = page.locator(SIDEBAR).get_by_role("link", name=tr("en", "open_room"))
    for _ in range(3):
        link.click()
        try:
            page.wait_for_url(lambda url: url != before, timeout=20_000)
            break
        except PlaywrightTimeout:
            continue
    wait_for_app(page, timeout=120_000)  # a room may load a model


def type_number(page, label: str, value: int) -> None:
    box = field(page, label)
    box.fill(str(value))
    box.press("Enter")
    wait_for_app(page)


def generate(page, tokens: int) -> None:
    type_number(page, translate("en", "next.generate_count"), tokens)
    page.get_by_role("button", name=translate("en", "next.generate"), exact=True).click()
    wait_for_app(page)


def draw_three(page, _) -> None:
    for _ in range(3):
        page.get_by_role("button", name=translate("en", "next.next_token")).click()
        wait_for_app(page)


def draw_a_thousand(page, _) -> None:
    page.get_by_role("tab", name=translate("en", "next.tab_samples")).click()
    wait_for_app(page)


def train_on_my_text(page, tmp_path) -> None:
    page.get_by_text(translate("en", "text.corpus_own"), exact=True).click()
    wait_for_app(page)
    mine = tmp_path / "glauco.txt"
    mine.write_text(OWN_TEXT, "utf-8")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(mine))
    page.get_by_label(translate("en", "text.n_layer"), exact=True).wait_for(timeout=60_000)
    wait_for_app(page)
    type_number(page, translate("en", "text.n_layer"), 1)  # a small GPT
    type_number(page, translate("en", "text.n_embd"), 32)
    type_number(page, translate("en", "text.steps"), 200)
    page.get_by_role("button", name=translate("en", "common.play"), exact=True).click()
    wait_for_app(page)


# steps whose check waits for the task (the others' checks already hold in the room their link
# opens: the GPT, the first tab's 1,000 draws, top-k 5, the bigram after 20 tokens generated)
GATED = ("counts", "temperature", "glaucogpt")
TASKS = {  # step id -> what the participant does in the step's room (opened by its link)
    "counts": draw_three,
    "softmax": lambda page, _: None,  # the link opens the GPT: reading its bars is the task
    "multinomial": draw_a_thousand,
    "temperature": lambda page, _: generate(page, 20),
    "topk": lambda page, _: generate(page, 20),
    "glaucogpt": train_on_my_text,
    "compare": lambda page, _: generate(page, 20),
}


@pytest.mark.long
@pytest.mark.timeout(600)  # seven steps, two models and a training: 4 min on a loaded machine
def test_lesson_1_to_its_end_with_every_check_passing(page, server, tmp_path):
    assert list(TASKS) == [step.id for step in LESSON.steps]
    code = store.create(LESSON.id).code
    ana = join(page, f"{server}/join?lang=en&code={code}", "en", "Ana")
    sidebar = ana.locator(SIDEBAR)
    ticked = sidebar.get_by_text(tr("en", "check_passed"))
    for index, step in enumerate(LESSON.steps):
        if index:
            next_button = sidebar.get_by_role("button", name=tr("en", "next"), exact=True)
            until(ana, next_button.click, step_title(ana, "en", index), timeout=60_000)
            open_room(ana)
            assert f"/{step.room}?" in ana.url
            step_title(ana, "en", index).wait_for(timeout=60_000)
        if step.id in GATED:
            assert ticked.count() == 0, f"step {step.id}: ticked before its task"
        TASKS[step.id](ana, tmp_path)
        ticked.wait_for(timeout=240_000 if step.room == "text" else 60_000)
        assert_no_exception(ana)
    assert sidebar.get_by_role("button", name=tr("en", "next")).is_disabled()
    (member,) = store.load(code).members()
    assert member.passed == [step.id for step in LESSON.steps]
