"""The embedding room in a real browser (issue 6's acceptance): the shipped Shakespeare word model's
map, "king" and its neighbours, "king - man + woman" with both methods, 3-D, the timeline playing;
and the page in Portuguese."""

import pytest

from genlab.text.checkpoint import shipped
from tests.support.browser import POLL_MS, screenshot, wait_for_app

MODEL = "shakespeare-word-gpt"
SLIDER_LABEL = "() => document.querySelector('.js-plotly-plot .slider-label')?.textContent"


@pytest.mark.long
def test_acceptance_map_search_analogy_3d_and_timeline(page, open_page):
    assert MODEL in shipped(), f"assets/text/{MODEL}.safetensors is missing"
    open_page(page, "embeddings", "en")
    assert f"e_source=shipped%3A{MODEL}" in page.url
    assert page.get_by_text("Token table of a GPT model (one token per word)").is_visible()
    assert page.locator(".js-plotly-plot").count() >= 1

    search = page.get_by_role("textbox", name="Search a token")
    search.fill("king")
    search.press("Enter")
    wait_for_app(page)
    assert page.get_by_text("Also neighbours on the map").is_visible()
    assert page.get_by_text("nearest in the full space").first.is_visible()
    screenshot(page, "embeddings-king-neighbours")

    page.get_by_role("tab", name="Analogies").click()
    wait_for_app(page)
    for heading in ("3CosAdd", "3CosMul"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_text("Rank of “queen”").first.is_visible()
    page.get_by_role("heading", name="3CosAdd").scroll_into_view_if_needed()
    screenshot(page, "embeddings-analogy")

    page.get_by_text("3-D", exact=True).click()
    wait_for_app(page)
    assert page.locator(".js-plotly-plot .gl-container").count() >= 1
    screenshot(page, "embeddings-3d")

    page.get_by_role("tab", name="Training timeline").click()
    wait_for_app(page)
    page.wait_for_function(SLIDER_LABEL + " !== undefined", polling=POLL_MS)
    start = page.evaluate(SLIDER_LABEL)
    page.locator(".js-plotly-plot .updatemenu-button").first.click()
    page.wait_for_function(f"{SLIDER_LABEL} !== {start!r}", timeout=15_000, polling=POLL_MS)
    page.locator(".js-plotly-plot .updatemenu-button").first.scroll_into_view_if_needed()
    screenshot(page, "embeddings-timeline")


def test_the_page_speaks_portuguese(page, open_page):
    open_page(page, "embeddings", "pt-BR")
    assert page.get_by_role("heading", name="Embeddings: o significado como mapa").is_visible()
    page.get_by_role("tab", name="Analogias").click()
    wait_for_app(page)
    assert page.get_by_text("Excluir a, b e c das respostas").is_visible()
    screenshot(page, "embeddings-room-pt-BR")


def test_umap_map_of_the_shipped_model_with_its_settings(page, open_page):
    open_page(page, "embeddings", "pt-BR")
    page.get_by_text("UMAP", exact=True).click()
    wait_for_app(page)
    for label in ("Distância mínima", "Métrica", "Semente"):
        assert page.get_by_text(label, exact=True).is_visible()
    assert page.get_by_text("Mapa calculado com antecedência", exact=False).is_visible()
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() >= 1
    screenshot(page, "embeddings-umap-pt-BR")


def test_leaving_for_another_room_and_coming_back_keeps_the_view(page, open_page):
    open_page(page, "embeddings", "en")
    search = page.get_by_role("textbox", name="Search a token")
    search.fill("king")
    search.press("Enter")
    wait_for_app(page)
    sidebar = page.get_by_test_id("stSidebarNav")
    sidebar.get_by_role("link", name="Home").click()
    wait_for_app(page)
    sidebar.get_by_role("link", name="Embeddings").click()
    wait_for_app(page)
    assert page.get_by_role("textbox", name="Search a token").input_value() == "king"
    assert page.get_by_text("Also neighbours on the map").is_visible()
    page.get_by_role("tab", name="Custom axes").click()
    wait_for_app(page)
    assert page.get_by_text("Each axis needs at least one word").count() == 0
    assert page.locator("[data-testid=stException]").count() == 0


LABEL_BOXES = """els => els.filter(e => e.textContent.trim()).map(e => {
    const r = e.getBoundingClientRect();
    return [e.textContent, r.left, r.top, r.right, r.bottom];
})"""


def overlapping(boxes: list) -> list[tuple[str, str]]:
    return [
        (a[0], b[0])
        for k, a in enumerate(boxes)
        for b in boxes[k + 1 :]
        if a[1] < b[3] - 1 and b[1] < a[3] - 1 and a[2] < b[4] - 1 and b[2] < a[4] - 1
    ]


def test_labels_on_the_map_do_not_pile_up_and_the_axis_inputs_line_up(page, open_page):
    open_page(page, "embeddings", "en")
    search = page.get_by_role("textbox", name="Search a token")
    search.fill("king")
    search.press("Enter")
    wait_for_app(page)
    labels = page.locator(".js-plotly-plot").first.locator(".scatterlayer .textpoint text")
    boxes = labels.evaluate_all(LABEL_BOXES)
    assert len(boxes) >= 3 and any(box[0] == "king" for box in boxes)
    assert not overlapping(boxes)
    screenshot(page, "embeddings-labels")

    page.get_by_role("tab", name="Custom axes").click()
    wait_for_app(page)
    inputs = [
        page.get_by_role("textbox", name=name).bounding_box()
        for name in ("Horizontal: from", "Horizontal: to", "Vertical: from", "Vertical: to")
    ]
    assert abs(inputs[0]["y"] - inputs[1]["y"]) < 2 and abs(inputs[2]["y"] - inputs[3]["y"]) < 2
    assert abs(inputs[0]["x"] - inputs[2]["x"]) < 2
    assert page.get_by_text("not in this model", exact=False).count() == 0
    assert "e_tab=axis" in page.url  # a link opens on this part
    screenshot(page, "embeddings-axes")
    page.get_by_role("tab", name="Export and share").click()
    wait_for_app(page)
    link = page.locator("[data-testid=stCode] code").first.text_content()
    assert "e_tab=axis" in link and "me=" not in link
