"""Real-browser fixtures: one lab server for the session, Debian's Chromium driven by Playwright.

Browser tests skip with a message when /usr/bin/chromium is missing, except under CI=true, where
they fail (``./lab test`` installs Chromium when it runs as root).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, assert_no_exception, wait_for_app

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    if Path(CHROMIUM).exists():
        return
    message = f"{CHROMIUM} is missing: install Debian's chromium (./lab test does it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; browser tests must run under CI=true")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server():
    """The base URL of a real GenLab server started for this test session."""
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # a test's closed page leaves its run to the reaper: gone 10 s later, as for a closed tab
        env=dict(os.environ, GENLAB_MAX_JOBS="4", GENLAB_IDLE_S="10"),
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if time.time() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("the lab server did not start within 60 s")
        time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def open_page(server):
    """``open_page(page, path, lang="en")``: open a room, wait for it, fail on any exception."""

    def open_(page, path: str, lang: str = "en"):
        page.goto(f"{server}/{path.lstrip('/')}?lang={lang}")
        wait_for_app(page)
        assert_no_exception(page)
        return page

    return open_
