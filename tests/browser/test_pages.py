"""Every room opens in a real Chromium in both languages, with no exception; screenshots saved."""

import pytest

from tests.browser.helpers import assert_no_exception, screenshot, wait_for_app

ROOMS = {
    "": ("GenLab: see how generative AI works", "GenLab: veja como a IA generativa funciona"),
    "text": ("Train a language model", "Treinar um modelo de linguagem"),
    "next": ("Next word", "Próxima palavra"),
    "gan": ("GAN", "GAN"),
    "embeddings": ("Embeddings", "Embeddings"),
}


@pytest.mark.parametrize("lang", ["en", "pt-BR"])
@pytest.mark.parametrize("path", list(ROOMS))
def test_every_room_opens_without_exception(page, open_page, path, lang):
    open_page(page, path, lang)
    page.wait_for_timeout(500)
    assert_no_exception(page)
    expected = ROOMS[path][0 if lang == "en" else 1]
    assert expected in page.inner_text("body")
    screenshot(page, f"{path or 'home'}-{lang}")


def test_the_language_switch_translates_the_page(page, open_page):
    open_page(page, "", "en")
    assert "Pick a room" in page.inner_text("body")
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name="Português (Brasil)").click()
    wait_for_app(page)
    assert "Escolha uma sala" in page.inner_text("body")
    assert "lang=pt-BR" in page.url


def test_the_browser_locale_chooses_the_language(browser, server):
    context = browser.new_context(locale="pt-BR")
    tab = context.new_page()
    tab.goto(server)
    wait_for_app(tab)
    assert_no_exception(tab)
    assert "Escolha uma sala" in tab.inner_text("body")
    context.close()
