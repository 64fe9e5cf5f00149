"""The next-token room in a real Chromium: the issue's acceptance walk, in both languages.

Type "Glauco gosta de comer", see the scores become probabilities (cross-checked against
torch.softmax of the shown logits / T), move the temperature and watch the bars flatten, force a
token by clicking its bar and one under 0.1 % by search, generate, compare temperatures, open the
shared link in a new session, look inside a character and a word GPT; compact layouts.
"""

from urllib.parse import quote

import pytest
import torch

from genlab.text import probe
from genlab.text.checkpoint import load_shipped
from tests.support.browser import POLL_MS, assert_no_exception, new_page, screenshot, wait_for_app

BARS = "document.querySelectorAll('.js-plotly-plot')[0]"
FINAL = 4  # traces: scores, softmax, penalty, ÷T, final


def top_final(page) -> float:
    """The tallest bar of the final distribution, read from the chart the browser drew."""
    return page.evaluate(f"{BARS}.data[{FINAL}].x[0]")


def set_temperature(page, value: float, until: str) -> float:
    """Move the temperature slider by keyboard; wait until the final bars satisfy ``until``."""
    thumb = page.locator("[data-testid=stSlider]").first.get_by_role("slider")
    thumb.focus()
    thumb.press("Home")
    for _ in range(round(value / 0.05)):
        thumb.press("ArrowRight")
    page.wait_for_function(
        f"() => {{ const top = {BARS}?.data?.[{FINAL}]?.x?.[0]; return {until}; }}", polling=POLL_MS
    )
    wait_for_app(page)
    return top_final(page)


def model_probs(name: str, prompt: str, temperature: float) -> list[float]:
    lm = load_shipped(name)
    logits = probe.next_logits(lm, probe.read_prompt(lm, prompt).ids).double()
    return torch.softmax(logits / temperature, dim=-1).sort(descending=True).values.tolist()


def tokens_shown(page) -> int:
    return page.locator(".genlab-generated").first.locator(".genlab-token").count()


@pytest.mark.long
def test_acceptance_walk(page, open_page):
    open_page(page, "next", "en")
    prompt = page.get_by_role("textbox", name="The beginning of the text")
    prompt.fill("Glauco gosta de comer")
    prompt.press("Enter")
    wait_for_app(page)
    labels = page.evaluate(f"{BARS}.layout.yaxis.ticktext")
    assert labels[0] == "peras"
    assert len(labels) == 13  # 12 bars + all others

    sharp = set_temperature(page, 0.2, "top > 0.9")
    # the ÷T column is softmax(scores / T) of the scores the first column shows
    shown = page.evaluate(f"{BARS}.data[3].x")[:-1]
    expected = model_probs("portuguese-word-gpt", prompt.input_value(), 0.2)[: len(shown)]
    assert shown == pytest.approx(expected, abs=1e-6)
    scores = torch.tensor(page.evaluate(f"{BARS}.data[0].x"), dtype=torch.float64)
    ratios = torch.exp((scores - scores[0]) / 0.2)
    assert (torch.tensor(shown) / shown[0]).tolist() == pytest.approx(ratios.tolist(), rel=1e-4)
    flat = set_temperature(page, 2.0, "top < 0.5")
    assert page.locator("[data-testid=stSliderThumbValue]").first.inner_text() == "2.00"
    assert sharp > 0.9 > 0.5 > flat > 0.05
    assert "High temperature" in page.inner_text("body")

    forced = labels[1]
    bar = page.locator(".js-plotly-plot").first.locator(".barlayer .trace").nth(FINAL)
    bar.locator(".point path").nth(1).click(force=True)
    page.wait_for_function(
        "() => document.querySelectorAll('.genlab-token').length === 1",
        timeout=30_000,
        polling=POLL_MS,
    )
    wait_for_app(page)
    text = page.locator(".genlab-generated")
    assert text.inner_text() == f"Glauco gosta de comer {forced}"

    page.get_by_role("button", name="Generate").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.genlab-token').length === 51",
        timeout=60_000,
        polling=POLL_MS,
    )
    wait_for_app(page)
    assert_no_exception(page)
    first = page.locator(".genlab-token").first
    assert "the model's top choices" in first.get_attribute("title")
    page.set_viewport_size({"width": 1400, "height": 2200})
    screenshot(page, "next-acceptance-en")


@pytest.mark.parametrize(
    ("lang", "search", "force", "compare", "run", "share"),
    [  # in the workshop's language (each text has its English one: tests/test_i18n.py)
        (
            "pt-BR",
            "Forçar um token",
            "Forçar",
            "Comparar temperaturas",
            "Continuar",
            "Compartilhar",
        ),
    ],
)
def test_force_a_rare_token_compare_temperatures_and_share(
    browser, page, open_page, server, lang, search, force, compare, run, share
):
    lm = load_shipped("portuguese-word-gpt")
    ids = probe.read_prompt(lm, "Glauco gosta de comer").ids
    raw = torch.softmax(probe.next_logits(lm, ids).double(), -1)
    rare = next(t for i, t in enumerate(lm.tokenizer.tokens) if raw[i] < 0.001 and t.isalpha())
    open_page(page, "next", lang)
    box = page.get_by_role("textbox", name=search)
    box.fill(rare)
    box.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name=force, exact=True).click()
    page.wait_for_function(
        "() => document.querySelectorAll('.genlab-token').length === 1", polling=POLL_MS
    )
    wait_for_app(page)
    assert page.locator(".genlab-generated").inner_text().endswith(f" {rare}")
    assert "✋" in page.locator(".genlab-token").first.get_attribute("title")

    page.get_by_role("tab", name=compare).click()
    wait_for_app(page)
    page.get_by_role("button", name=run).click()
    page.wait_for_function(
        "() => document.querySelectorAll('.genlab-generated').length === 4", polling=POLL_MS
    )
    wait_for_app(page)
    assert_no_exception(page)
    columns = page.locator(".genlab-generated")
    assert [columns.nth(i).locator(".genlab-token").count() for i in (1, 2, 3)] == [20] * 3
    assert "T = 0.2" in page.inner_text("body") or "T = 0,2" in page.inner_text("body")

    page.locator("summary", has_text=share).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stCode]')]"
        ".some(c => c.innerText.includes('next_model='))",
        polling=POLL_MS,
    )
    link = next(
        c for c in page.locator("[data-testid=stCode]").all_inner_texts() if "next_model=" in c
    ).strip()
    assert "me=" not in link and "job_" not in link
    other = new_page(browser)
    other.goto(link.replace(link.split("/next")[0], server))
    wait_for_app(other)
    assert_no_exception(other)
    assert other.locator(".genlab-generated").first.inner_text().endswith(f" {rare}")
    other.context.close()


@pytest.mark.parametrize(
    ("lang", "model", "prompt", "tab", "first_stage"),
    [
        ("en", "shakespeare-char-gpt", "To be or not", "Inside the GPT", "embedding"),
        ("pt-BR", "portuguese-word-gpt", "Glauco gosta de", "Dentro do GPT", "embedding"),
    ],
)
def test_inside_view_and_logit_lens(page, server, lang, model, prompt, tab, first_stage):
    page.goto(f"{server}/next?lang={lang}&next_model={model}&next_prompt={quote(prompt)}")
    wait_for_app(page)
    page.get_by_role("tab", name=tab).click()
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot').length >= 4", polling=POLL_MS
    )
    wait_for_app(page)
    assert_no_exception(page)
    lm = load_shipped(model)
    plots = "document.querySelectorAll('.js-plotly-plot')"
    assert page.evaluate(f"{plots}[1].layout.shapes.length") == lm.config.n_layer + 3
    stages = page.evaluate(f"{plots}[2].data[0].y")
    assert stages[0] == first_stage and len(stages) == lm.config.n_layer + 1
    last_row = page.evaluate(f"{plots}[2].data[0].z.at(-1)")
    assert last_row[0] == pytest.approx(model_probs(model, prompt, 1.0)[0], abs=1e-3)
    page.set_viewport_size({"width": 1400, "height": 3000})
    screenshot(page, f"next-inside-{lang}")


def in_view(page, box) -> bool:
    size = page.viewport_size
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"] and box["x"] >= 0


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (390, 844)])
def test_compact_layout_keeps_the_bars_in_the_first_screen(page, open_page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, "next", "pt-BR")
    bars = page.locator(".js-plotly-plot").first.bounding_box()
    assert in_view(page, bars), bars
    if width > 800:  # desktop: the temperature slider beside the bars it drives
        slider = page.locator("[data-testid=stSlider]").first.bounding_box()
        assert in_view(page, slider), slider
    screenshot(page, f"next-compact-{width}")
