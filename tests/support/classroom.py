"""Helpers of the workshop's browser tests (tests/browser/test_a_class.py, test_lesson_walk.py):
the lesson, the class's texts, joining a class."""

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from genlab.classroom import lessons
from genlab.i18n import translate
from tests.support.browser import assert_no_exception, wait_for_app

LESSON = lessons.get("1_next_word")
SIDEBAR = "[data-testid=stSidebar]"


def tr(lang: str, key: str, **params) -> str:
    return translate(lang, f"class.{key}", **params)


def field(page, label: str):
    return page.get_by_label(label, exact=True).and_(page.locator("input"))


def submit(page, lang: str, label: str, value: str, button: str) -> None:
    """Type ``value`` in the field labelled by the class text ``label`` and press ``button``."""
    field(page, tr(lang, label)).fill(value)
    page.get_by_role("button", name=tr(lang, button)).click()
    wait_for_app(page)


def step_title(page, lang: str, index: int):
    return page.locator(SIDEBAR).get_by_text(LESSON.steps[index].title[lang], exact=True)


def join(page, url: str, lang: str, nickname: str, code: str | None = None):
    """Join a class in ``page`` (any tab: it is given a new session by the address)."""
    page.goto(url)
    wait_for_app(page)
    if code is not None:
        field(page, tr(lang, "join_code")).fill(code)
    submit(page, lang, "nickname", nickname, "join_button")
    assert_no_exception(page)
    for _ in range(3):  # a click that landed while the lesson panel was re-running is lost
        page.get_by_role("link", name=tr(lang, "start_lesson")).click()
        try:
            page.wait_for_url("**/next?**", timeout=20_000)
            break
        except PlaywrightTimeout:
            continue
    wait_for_app(page, timeout=120_000)  # the next-word room loads its model
    step_title(page, lang, 0).wait_for(timeout=30_000)
    assert "/next" in page.url and "me=" in page.url
    return page
