"""Real-browser fixtures: one lab server for the session, Debian's Chromium (its headless shell)
driven by Playwright.

Browser tests skip with a message when /usr/bin/chromium-headless-shell is missing, except under
CI=true, where they fail (``./lab test`` installs it when it runs as root).
"""

import contextlib
import os
import subprocess

import pytest
from playwright.sync_api import Error as PlaywrightError

from genlab.i18n import LANGUAGES, translate
from tests.support.browser import (
    VIEWPORT,
    _chromium_present,  # noqa: F401 (autouse: skip or fail without Chromium)
    assert_no_exception,
    chromium,
    free_port,
    new_page,
    start_lab,
    wait_for_app,
)


def pytest_collection_modifyitems(items):
    """Browser tests are marked ``browser``; each xdist worker that runs some starts its own lab
    server and Chromium (they mostly wait on Chromium and the server: both workers share them)."""
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # Chromium, a lab server and its workers share 2 cores with the other tests: a wait
            # that timed out once runs once more (a test that fails twice fails the suite)
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))


@pytest.fixture(scope="session")
def server():
    """The base URL of a real GenLab server started for this test session."""
    port = free_port()
    # a test's closed page leaves its run to the reaper: gone 10 s later, as for a closed tab; the
    # live views (fragments and fed charts) redraw twice a second: the tests look at what they
    # draw, the benchmarks at how often (watching the GAN train costs Chromium 0.44 CPU-s a second
    # at 2 redraws/s, 1.06 at 5)
    env = dict(
        os.environ, GENLAB_MAX_JOBS="4", GENLAB_IDLE_S="10", GENLAB_REDRAWS="2", GENLAB_FEEDS="2"
    )
    process = start_lab(port, env=env)
    base = f"http://127.0.0.1:{port}"
    yield base
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser():
    with chromium() as launched:
        yield launched


class SharedTab:
    """A tab opened on first use (again if it was closed or crashed)."""

    def __init__(self, browser):
        self.browser, self.tab = browser, None

    def __call__(self):
        if self.tab is None or self.tab.is_closed():
            self.tab = new_page(self.browser)
        return self.tab


@pytest.fixture(scope="session")
def _tab(browser):
    """The tab that every test's ``page`` reuses on this test worker. Chromium keeps the scripts
    it compiled in the tab's renderer: a room then loads for about 4 CPU seconds of Chromium's
    instead of 8-13 in a new context or a new tab (CONTRIBUTING, "The tests")."""
    shared = SharedTab(browser)
    yield shared
    if shared.tab:
        shared.tab.context.close()


STOP = [translate(lang, "common.stop") for lang in LANGUAGES]


def stop_runs(tab) -> None:
    """Press the page's enabled Stop buttons: a run left training goes on for the server's
    ``GENLAB_IDLE_S`` after its tab closes (10 s here), on a core the next tests need."""
    pressed = False
    for name in STOP:
        for button in tab.get_by_role("button", name=name, exact=True).all():
            if button.is_enabled():
                button.click(timeout=5_000)
                pressed = True
    if pressed:
        wait_for_app(tab, timeout=10_000)


@pytest.fixture(autouse=True)
def _close_pages_left_open(request):
    """Close every browser context a test opened (their runs stopped first, as in ``page``), also
    when it failed half-way: pages left open keep re-running their live parts and slowed every
    later test of the suite."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser, shared = request.getfixturevalue("browser"), request.getfixturevalue("_tab")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before and (shared.tab is None or context is not shared.tab.context):
            for tab in context.pages:
                with contextlib.suppress(PlaywrightError):
                    stop_runs(tab)
            context.close()


@pytest.fixture
def page(_tab):
    """The worker's shared tab (``_tab``), left as a new one would be for the next test: on a
    blank page (the lab's session closed, as for a closed tab), no cookies, no storage of the
    lab's, the usual size."""
    tab = _tab()
    yield tab
    with contextlib.suppress(PlaywrightError):  # on the lab's address unless the test failed early
        stop_runs(tab)
        tab.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
    try:
        tab.goto("about:blank")
        tab.context.clear_cookies()
        tab.set_viewport_size(VIEWPORT)
    except PlaywrightError:  # the tab crashed or hung: the next test gets a new one
        tab.context.close()


@pytest.fixture
def open_page(server):
    """``open_page(page, path, lang="en")``: open a room, wait for it, fail on any exception."""

    def open_(page, path: str, lang: str = "en"):
        page.goto(f"{server}/{path.lstrip('/')}?lang={lang}")
        wait_for_app(page)
        assert_no_exception(page)
        return page

    return open_
