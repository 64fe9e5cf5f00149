"""Workshop conditions in a real Chromium: a run survives a reload and a new connection, another
participant cannot see it, and a participant's file names are shown as typed, never as Markdown."""

import shutil
from urllib.parse import parse_qs, urlparse

import pytest

from tests.support.browser import (
    assert_no_exception,
    epoch,
    new_page,
    screenshot,
    slow_gan,
    wait_for,
    wait_for_app,
)

SHIPPED = "assets/text/shakespeare-char-bigram.safetensors"


def keys(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


@pytest.mark.long
def test_a_run_survives_a_reload_and_a_new_connection_but_no_one_else_sees_it(
    page, browser, open_page, server
):
    open_page(page, "gan", "en")
    slow_gan(page)  # the run only has to go on (at full speed the new pages took 11 and 19 s)
    page.get_by_role("button", name="Play", exact=True).click()
    assert wait_for(lambda: epoch(page) > 0), "training did not start"
    mine = keys(page.url)
    assert {"me", "job_gan"} <= set(mine)

    page.reload()
    wait_for_app(page)
    assert_no_exception(page)
    before = epoch(page)
    assert before > 0 and wait_for(lambda: epoch(page) > before), "the run did not carry on"
    assert page.get_by_role("button", name="Pause", exact=True).is_visible()
    page.get_by_text("Your recent runs (1)").click()
    assert page.get_by_text("Shown above").is_visible()
    screenshot(page, "workshop_reloaded_run")

    again = new_page(browser)
    again.goto(page.url)  # a new connection (another tab, a dropped network): a new session
    wait_for_app(again)
    assert wait_for(lambda: epoch(again) > before), "the same participant lost the run"
    again.context.close()

    stranger = new_page(browser)
    stranger.goto(f"{server}/gan?lang=en&job_gan={mine['job_gan']}")  # the run id, not the key
    wait_for_app(stranger)
    assert keys(stranger.url)["me"] != mine["me"]
    stranger.wait_for_timeout(1000)
    assert epoch(stranger) == 0
    assert stranger.get_by_text("Your recent runs (0)").is_visible()
    assert_no_exception(stranger)
    stranger.context.close()
    page.get_by_role("button", name="Stop", exact=True).click()


def test_a_file_name_is_shown_as_typed_not_as_markdown(page, open_page, tmp_path):
    name = (
        "**bold** [link](https:example.com) :red[red] $x^2$ _it_ "
        "<img src=x onerror=alert(1)>.safetensors"
    )
    shutil.copy(SHIPPED, tmp_path / name)
    open_page(page, "text", "en")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").last.set_input_files(
        str(tmp_path / name)
    )
    wait_for_app(page)
    assert_no_exception(page)
    message = page.locator("[data-testid=stAlertContentSuccess]")
    assert name in message.inner_text()
    assert message.locator("a, strong, em, img, .katex, span[style]").count() == 0
