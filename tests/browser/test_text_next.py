"""The next-token room in a real Chromium: the issue's acceptance walk, in both languages.

Type "Glauco gosta de comer", see the bars, move the temperature from 0.2 to 2 and watch them
flatten, force a token by clicking its bar, generate 50 more.
"""

import pytest

from tests.support.browser import assert_no_exception, screenshot, wait_for_app

BARS = "document.querySelectorAll('.js-plotly-plot')[0]"


def top_final(page) -> float:
    """The tallest bar of the final distribution, read from the chart the browser drew."""
    return page.evaluate(f"{BARS}.data[3].x[0]")


def set_temperature(page, value: float, until: str) -> float:
    """Move the temperature slider by keyboard; wait until the final bars satisfy ``until``."""
    thumb = page.locator("[data-testid=stSlider]").first.get_by_role("slider")
    thumb.focus()
    thumb.press("Home")
    for _ in range(round(value / 0.05)):
        thumb.press("ArrowRight")
    page.wait_for_function(f"() => {{ const top = {BARS}?.data?.[3]?.x?.[0]; return {until}; }}")
    wait_for_app(page)
    return top_final(page)


def test_acceptance_walk(page, open_page):
    open_page(page, "next", "en")
    prompt = page.get_by_role("textbox", name="The beginning of the text")
    prompt.fill("Glauco gosta de comer")
    prompt.press("Enter")
    wait_for_app(page)
    labels = page.evaluate(f"{BARS}.layout.yaxis.ticktext")
    assert labels[0] == "peras"
    assert len(labels) == 16  # 15 bars + all others

    sharp = set_temperature(page, 0.2, "top > 0.9")
    flat = set_temperature(page, 2.0, "top < 0.5")
    assert page.locator("[data-testid=stSlider] input").first.input_value() == "2"
    assert sharp > 0.9 > 0.5 > flat > 0.05
    assert "High temperature" in page.inner_text("body")

    forced = labels[1]
    bar = page.locator(".js-plotly-plot").first.locator(".barlayer .trace").nth(3)
    bar.locator(".point path").nth(1).click(force=True)
    page.wait_for_function(
        "() => document.querySelectorAll('.genlab-token').length === 1", timeout=30_000
    )
    wait_for_app(page)
    text = page.locator(".genlab-generated")
    assert text.inner_text() == f"Glauco gosta de comer {forced}"

    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.genlab-token').length === 51", timeout=60_000
    )
    wait_for_app(page)
    assert_no_exception(page)
    first = page.locator(".genlab-token").first
    assert "the model's top choices" in first.get_attribute("title")
    page.set_viewport_size({"width": 1400, "height": 2200})
    screenshot(page, "next-acceptance-en")


@pytest.mark.parametrize("lang", ["pt-BR"])
def test_the_room_speaks_portuguese(page, open_page, lang):
    open_page(page, "next", lang)
    body = page.inner_text("body")
    assert "Qual é a próxima palavra?" in body
    assert "Ordem das operações" in body
    assert page.evaluate(f"{BARS}.data.length") == 4
    page.get_by_role("button", name="Sortear o próximo token").click()
    page.wait_for_function("() => document.querySelectorAll('.genlab-token').length === 1")
    wait_for_app(page)
    assert_no_exception(page)
    page.set_viewport_size({"width": 1400, "height": 2200})
    screenshot(page, f"next-{lang}")
