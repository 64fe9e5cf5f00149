"""Workshop mode in a real Chromium: one instructor and three participants (contexts of the one
browser). Create a class, join by code and by the QR code's address, answer a question and see it
on the dashboard, bring everyone to a step, the presenter view, the export; in English and in
Brazilian Portuguese in one class. (Lesson 1 followed to its end, each step's task done and its tick
seen: test_lesson_walk.py.)"""

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from genlab.classroom import store
from tests.support.browser import assert_no_exception, new_page, screenshot, wait_for_app
from tests.support.classroom import (
    LESSON,
    SIDEBAR,
    field,
    join,
    step_title,
    submit,
    tr,
)
from ui.i18n import NAMES


def instructor(page, server: str, lang: str):
    page.goto(f"{server}/class?lang={lang}")
    wait_for_app(page)
    submit(page, lang, "instructor_code", "not the code", "instructor_enter")
    assert page.get_by_text(tr(lang, "instructor_wrong")).is_visible()
    assert page.get_by_role("button", name=tr(lang, "create")).count() == 0
    code_field = field(page, tr(lang, "instructor_code"))
    for _ in range(3):  # a click that lands during a re-run of the page is lost: click again
        submit(page, lang, "instructor_code", store.instructor_code(), "instructor_enter")
        if code_field.count() == 0:
            break
    create = page.get_by_role("button", name=tr(lang, "create"))
    if not create.is_visible():  # other classes exist (other tests'): the form is folded
        page.get_by_text(tr(lang, "create_title"), exact=True).click()
    create.click()
    wait_for_app(page)
    assert_no_exception(page)
    return page


def refuse_a_wrong_code(page, server: str, lang: str) -> None:
    page.goto(f"{server}/join?lang={lang}&code=QQQQQ")
    wait_for_app(page)
    submit(page, lang, "nickname", "Zé", "join_button")
    assert page.get_by_text(tr(lang, "err_code")).is_visible()


def answer(page, lang: str, option: int) -> None:
    """Choose an option and send it; wait until the panel shows it as the participant's answer (a
    click that landed while the panel was re-running is sent again)."""
    sidebar = page.locator(SIDEBAR)
    label = LESSON.steps[0].question.labels(lang)[option]
    given = sidebar.locator("[data-testid=stText]").filter(has_text=label)
    for _ in range(3):
        sidebar.locator("[role=radiogroup] label").nth(option).click()
        sidebar.get_by_role("button", name=tr(lang, "answer"), exact=True).click()
        wait_for_app(page)
        try:
            given.first.wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the answer {label!r} was never taken")


def switch_language(page, lang: str) -> None:
    """The sidebar's language switch (the instructor stays signed in: a new address would not)."""
    page.locator(f"{SIDEBAR} [data-testid=stSelectbox]").click()
    page.get_by_role("option", name=NAMES[lang]).click()
    wait_for_app(page)


@pytest.mark.long
def test_a_class_with_an_instructor_and_three_participants(page, browser, server):
    # One class in both languages: the instructor starts in Portuguese and switches to English
    # half-way; two participants read the lab in Portuguese, the third in English, each in a
    # browser context of their own.
    lang, other = "pt-BR", "en"
    teacher = instructor(page, server, lang)
    code = store.listing()[0].code
    assert teacher.get_by_text(code).first.is_visible()
    qr_url = teacher.locator("[data-testid=stCode]").first.inner_text().strip()
    assert qr_url.endswith(f"/join?code={code}&lang={lang}")
    assert teacher.locator("[data-testid=stImage] img").count() == 1  # the QR code

    # a wrong code first (in each language), then the right one; two others by the QR code's
    # address
    tabs = [new_page(browser, page_lang) for page_lang in (lang, lang, other)]
    refuse_a_wrong_code(tabs[0], server, lang)
    refuse_a_wrong_code(tabs[0], server, other)
    people = [
        join(tabs[0], f"{server}/join?lang={lang}", lang, "Ana", code=code.lower()),
        join(tabs[1], qr_url, lang, "<b>Bruno</b>"),
        join(tabs[2], qr_url.replace(f"lang={lang}", f"lang={other}"), other, "**Carla**"),
    ]
    # the dashboard is live: the answers arrive without a click, and its chart follows them (it
    # kept showing the first answer when a chart kept one identity for all its figures)
    answers = zip(people, (lang, lang, other), (0, 0, 2), strict=True)
    for count, (participant, page_lang, option) in enumerate(answers, start=1):
        answer(participant, page_lang, option)
        if count in (1, 3):
            counted = tr(lang, "answers_count", step=1, count=count)
            teacher.get_by_text(counted).first.wait_for(timeout=90_000)
    assert teacher.locator("[data-testid=stDataFrame]").count() == 1
    screenshot(teacher, f"class_dashboard_{lang}")

    switch_language(teacher, other)
    lang = other
    teacher.get_by_text(tr(lang, "answers_count", step=1, count=3)).first.wait_for(timeout=90_000)
    assert_no_exception(teacher)
    screenshot(teacher, f"class_dashboard_{lang}")

    # bring everyone to step 4: the others' panels move by themselves
    teacher.get_by_label(tr(lang, "bring_step"), exact=True).fill("4")
    teacher.get_by_role("button", name=tr(lang, "bring_button")).click()
    wait_for_app(teacher)
    step_title(people[1], "pt-BR", 3).wait_for(timeout=90_000)
    step_title(people[2], "en", 3).wait_for(timeout=90_000)

    # the export holds every participant, as typed
    with teacher.expect_download() as download:
        teacher.get_by_role("button", name=tr(lang, "export_csv")).click()
    exported = Path(download.value.path()).read_text("utf-8")
    assert "Ana" in exported and "<b>Bruno</b>" in exported and "**Carla**" in exported

    # the presenter view: the answers full width
    teacher.get_by_text(tr(lang, "presenter"), exact=True).click()
    wait_for_app(teacher)
    teacher.locator("[data-testid=stPlotlyChart]").first.wait_for(timeout=90_000)
    assert teacher.get_by_text(tr(lang, "roster")).count() == 0
    assert_no_exception(teacher)
    screenshot(teacher, f"class_presenter_{lang}")

    # the class is deleted while the participants are in it
    store.load(code).delete()
    people[1].locator(SIDEBAR).get_by_text(tr("pt-BR", "class_ended")).wait_for(timeout=90_000)
    people[2].locator(SIDEBAR).get_by_text(tr("en", "class_ended")).wait_for(timeout=90_000)
    for participant in people:
        participant.context.close()
