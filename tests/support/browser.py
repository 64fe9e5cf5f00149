"""Helpers for real-browser tests and benchmarks: start a lab server, wait for a script run, fail
on exceptions, read a metric, wait for a condition, save screenshots."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from genlab.i18n import translate

# Debian's Chromium, with the flags this machine's closed network needs (see docs/architecture.md).
# The tests drive its headless shell: the same engine without the browser's own interface, a room
# loads for about half of the full browser's CPU in a new context (2.0 against 3.8 CPU-s, median of
# 15 loads) and the suite took 371 s against 454. The benchmarks keep the full browser, as a
# participant's page (``chromium(CHROMIUM)``).
CHROMIUM = "/usr/bin/chromium"
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
POLL_MS = 50  # how often a test's wait for a condition in the page checks it (wait_for_app)
LIVE_CHART = 'iframe[title*="genlab_live_chart"]'  # ui.charts.live: the GAN room's live views
SCRIPT_DONE = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid=stSkeleton]');
}"""


@contextlib.contextmanager
def chromium(executable: str = HEADLESS_SHELL):
    """Debian's Chromium (its headless shell unless told) driven by Playwright, closed at the end
    of the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


VIEWPORT = {"width": 1400, "height": 1000}  # a desktop screen, as the tests' pages have


def new_page(browser, lang: str = "en-US"):
    """A page in a new browser context (a person of their own) at ``VIEWPORT``."""
    return browser.new_context(viewport=VIEWPORT, locale=lang).new_page()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(base: str, process: subprocess.Popen, seconds: float = 60) -> bool:
    """Wait until the server at ``base`` answers its health check (False: it ended or timed out)."""
    deadline = time.time() + seconds
    while time.time() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def stop_lab(process: subprocess.Popen, seconds: float = 30) -> None:
    """End a lab server started by ``start_lab`` (killed if it does not end within ``seconds``)."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()


def start_lab(port: int, env: dict | None = None, output=subprocess.DEVNULL) -> subprocess.Popen:
    """A GenLab server on ``port`` (no file watcher, as for a workshop), once it answers."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "streamlit", "run", "server.py"),
            *("--server.port", str(port), "--server.headless", "true"),
            *("--server.fileWatcherType", "none"),
        ],
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    if not healthy(f"http://127.0.0.1:{port}", process):
        process.kill()
        raise RuntimeError("the lab server did not start within 60 s")
    return process


def live_chart(page, index: int = 0):
    """The frame of the page's ``index``-th live chart (its plotly chart is ``#chart``)."""
    handle = page.locator(LIVE_CHART).nth(index)
    handle.wait_for(timeout=60_000)
    frame = handle.element_handle().content_frame()
    frame.wait_for_function(
        "() => document.getElementById('chart')?.data", timeout=60_000, polling=POLL_MS
    )
    return frame


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and no placeholder is left. Checked every
    50 ms: Playwright's default, at every animation frame, keeps Chromium drawing 60 frames a
    second while a test waits (0.14 CPU-s a second against 0.07, a GAN page at rest)."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_function(SCRIPT_DONE, timeout=timeout, polling=POLL_MS)


def slow_gan(page, lang: str = "en") -> None:
    """Choose the GAN room's slow speed (20 epochs/s), for a test whose run only has to keep
    training: at full speed its worker takes a core from the pages loading and drawing beside it."""
    page.get_by_text(translate(lang, "gan.speed_slow"), exact=True).click()
    wait_for_app(page)


def assert_no_exception(page) -> None:
    """Fail on an exception element or on a dialog covering the page (such as "Page not found")."""
    errors = page.locator("[data-testid=stException], [role=dialog]")
    if errors.count():
        pytest.fail("exception or dialog on the page:\n" + "\n".join(errors.all_inner_texts()))


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session", autouse=True)
def _chromium_present():
    if Path(HEADLESS_SHELL).exists():
        return
    message = (
        f"{HEADLESS_SHELL} is missing: install Debian's chromium-headless-shell"
        " (./lab test does it as root)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; browser tests must run under CI=true")
    pytest.skip(message)


def metric(page, label: str) -> str:
    box = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return box.locator("[data-testid=stMetricValue]").inner_text()


def epoch(page, label: str = "Epoch") -> int:
    return int(metric(page, label).replace(",", "").replace(".", ""))


def wait_for(predicate, timeout: float = 60.0, every: float = 0.25) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False
