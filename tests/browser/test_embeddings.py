"""The embedding room in a real browser (issue 6's acceptance): the shipped Shakespeare word model's
map, "king" and its neighbours, "king - man + woman" with both methods, 3-D, the timeline playing;
and the page in Portuguese."""

from genlab.text.checkpoint import shipped
from tests.support.browser import screenshot, wait_for_app

MODEL = "shakespeare-word-gpt"
SLIDER_LABEL = "() => document.querySelector('.js-plotly-plot .slider-label')?.textContent"


def test_acceptance_map_search_analogy_3d_and_timeline(page, open_page):
    assert MODEL in shipped(), f"assets/text/{MODEL}.safetensors is missing"
    open_page(page, "embeddings", "en")
    assert f"e_source=shipped%3A{MODEL}" in page.url
    assert page.get_by_text("Token table of a gpt model (word tokens)").is_visible()
    assert page.locator(".js-plotly-plot").count() >= 1

    search = page.get_by_role("textbox", name="Search a token")
    search.fill("king")
    search.press("Enter")
    wait_for_app(page)
    assert page.get_by_text("Also neighbours on the map").is_visible()
    assert page.get_by_text("nearest in the full space").first.is_visible()
    screenshot(page, "embeddings-king-neighbours")

    page.get_by_role("tab", name="Analogies").click()
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
    page.wait_for_function(SLIDER_LABEL + " !== undefined")
    start = page.evaluate(SLIDER_LABEL)
    page.locator(".js-plotly-plot .updatemenu-button").first.click()
    page.wait_for_function(f"{SLIDER_LABEL} !== {start!r}", timeout=15_000)
    page.locator(".js-plotly-plot .updatemenu-button").first.scroll_into_view_if_needed()
    screenshot(page, "embeddings-timeline")


def test_the_page_speaks_portuguese(page, open_page):
    open_page(page, "embeddings", "pt-BR")
    assert page.get_by_role("heading", name="Embeddings: o significado como mapa").is_visible()
    page.get_by_role("tab", name="Analogias").click()
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
    assert page.get_by_text("Each axis needs at least one word").count() == 0
    assert page.locator("[data-testid=stException]").count() == 0
