"""Helpers for real-browser tests: wait for a script run, fail on exceptions, save screenshots."""

from pathlib import Path

import pytest

# Debian's Chromium, with the flags this machine's closed network needs (see DESIGN.md)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
SCRIPT_DONE = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid=stSkeleton]');
}"""


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and no placeholder is left."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_function(SCRIPT_DONE, timeout=timeout)


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
