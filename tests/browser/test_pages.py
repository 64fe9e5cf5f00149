"""Every room of the registry opens from the navigation in a real Chromium, in both languages, with
no exception; screenshots saved."""

import re

import pytest

from genlab.i18n import translate
from genlab.rooms import ROOMS
from tests.support.browser import assert_no_exception, new_page, screenshot, wait_for_app
from ui.frame_text import rules

# Streamlit's and Plotly's own English texts (genlab/locales/builtin.toml), as whole texts
FRAME_ENGLISH = [re.compile(pattern) for pattern, _ in rules("pt-BR")]
TEXTS_AND_LABELS = """() => {
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) found.push(walker.currentNode.textContent.trim());
    const names = ['title', 'aria-label', 'placeholder', 'data-title'];
    for (const element of document.querySelectorAll(names.map(n => `[${n}]`).join(',')))
        for (const name of names)
            if (element.hasAttribute(name)) found.push(element.getAttribute(name));
    return found;
}"""


def english_of_the_frame(page) -> list[str]:
    """The texts of the page and of its frames (charts) that Streamlit or Plotly wrote in
    English."""
    found = []
    for frame in page.frames:
        found += frame.evaluate(TEXTS_AND_LABELS)
    return sorted({text for text in found if any(p.fullmatch(text) for p in FRAME_ENGLISH)})


LANGS = ("en", "pt-BR")


@pytest.fixture(scope="module")
def tabs(browser, server):
    """One tab per language for the module's room tests: each room is reached from the sidebar's
    navigation (the page changes in place, as a participant's does), not loaded anew."""
    opened = {}
    for lang in LANGS:
        opened[lang] = new_page(browser)
        opened[lang].goto(f"{server}/?lang={lang}")
        wait_for_app(opened[lang])
    yield opened
    for tab in opened.values():
        tab.context.close()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("room", ROOMS, ids=lambda room: room.name)
def test_every_room_opens_without_exception(tabs, room, lang):
    page = tabs[lang]
    page.locator(f"[data-testid=stSidebarNav] a[href$='/{room.url_path}']").click()
    page.wait_for_url(re.compile(rf"/{room.url_path}(\?|$)"))
    wait_for_app(page)
    page.wait_for_timeout(500)
    assert_no_exception(page)
    # its navigation title (Home's is in the sidebar only: its heading then)
    expected = translate(lang, room.title_key if room.url_path else "home.title")
    assert expected in page.inner_text("body")
    if lang == "pt-BR":  # Streamlit's upload box, hints, tooltips and toolbars too
        assert english_of_the_frame(page) == []
    screenshot(page, f"{room.url_path or 'home'}-{lang}")


def test_the_frame_s_words_are_translated_but_never_a_participant_s(tabs):
    page = tabs["pt-BR"]
    page.evaluate("""() => {
        const box = document.createElement('div');
        box.id = 'probe';
        const md = (text) => `<div data-testid=stMarkdownContainer><p>${text}</p></div>`;
        box.innerHTML = '<span id=frame>Upload</span><pre>Upload</pre><code>Search</code>' +
            '<div data-testid=stText>Open</div><svg><text>Search</text></svg>' +
            '<button id=help aria-label="Help for Seed"></button>' +
            `<button id=label>${md('Upload')}</button><div id=words>${md('Help')}</div>` +
            '<ul><li role=option title=Search>Search</li></ul>' +
            '<span class=genlab-generated><span title="Open">Open</span></span>';
        document.querySelector('[data-testid=stMain]').append(box);
    }""")
    page.wait_for_function("() => document.getElementById('frame').textContent === 'Enviar'")
    probe = page.locator("#probe")
    assert probe.locator("pre").inner_text() == "Upload"  # code, plain text, drawings: untouched
    assert probe.locator("code").inner_text() == "Search"
    assert probe.locator("[data-testid=stText]").inner_text() == "Open"
    assert probe.locator("svg text").text_content() == "Search"
    assert probe.locator("#help").get_attribute("aria-label") == "Ajuda: Seed"
    assert probe.locator("#label").inner_text() == "Enviar"  # Streamlit's label in a button
    # the lab's own Markdown, option lists (a vocabulary), generated tokens: as they are
    assert probe.locator("#words").inner_text() == "Help"
    assert probe.locator("[role=option]").inner_text() == "Search"
    assert probe.locator("[role=option]").get_attribute("title") == "Search"
    assert probe.locator(".genlab-generated span").inner_text() == "Open"
    assert probe.locator(".genlab-generated span").get_attribute("title") == "Open"
    page.evaluate("() => document.getElementById('probe').remove()")


def test_the_language_switch_translates_the_page(page, open_page):
    open_page(page, "", "en")
    assert "Pick a room" in page.inner_text("body")
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name="Português (Brasil)").click()
    wait_for_app(page)
    assert "Escolha uma sala" in page.inner_text("body")
    assert "lang=pt-BR" in page.url


def test_a_language_switch_keeps_every_choice(page, open_page):
    # Streamlit keeps a choice as its label in the browser: switching language once left the
    # Next-word room with a KeyError and its labelled sliders back at their first step.
    open_page(page, "next", "pt-BR")
    temperature = page.locator("[data-testid=stSlider]").first
    assert "1,00" in temperature.inner_text()
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").click()
    page.get_by_role("option", name="English").click()
    wait_for_app(page)
    assert_no_exception(page)
    model = page.locator("[data-testid=stMain] [data-testid=stSelectbox] input").first
    assert model.input_value() == translate("en", "next.model_title_portuguese-word-gpt")
    assert "1.00" in temperature.inner_text()
    page.locator(".js-plotly-plot").first.wait_for()


def test_the_browser_locale_chooses_the_language(browser, server):
    context = browser.new_context(locale="pt-BR")
    tab = context.new_page()
    tab.goto(server)
    wait_for_app(tab)
    assert_no_exception(tab)
    assert "Escolha uma sala" in tab.inner_text("body")
    context.close()


def test_portuguese_pages_write_numbers_the_brazilian_way(page, open_page):
    open_page(page, "next", "pt-BR")
    page.locator(".js-plotly-plot").first.wait_for()
    bars = page.locator(".js-plotly-plot").first.inner_text()
    assert "44,2 %" in bars  # the shipped Portuguese model's "peras" after "Glauco gosta de comer"
    assert "44.2%" not in bars
    # the sampling sliders (temperature, top-p, min-p, penalty): values and ends (st.slider
    # would write 1.00), and the metrics
    thumbs = page.locator("[data-testid=stSliderThumbValue]").all_inner_texts()
    assert thumbs[:4] == ["1,00", "1,00", "0,00", "1,00"], thumbs
    ends = page.locator("[data-testid=stSliderTickBar]").first.inner_text().split()
    assert ends == ["0,00", "3,00"], ends
    metrics = page.locator("[data-testid=stMetricValue]").all_inner_texts()
    assert re.fullmatch(r"\d+,\d\d bits", metrics[0]), metrics  # the entropy
    assert re.fullmatch(r"\d+,\d tokens", metrics[1]), metrics  # the effective choices
    open_page(page, "text", "pt-BR")
    body = page.inner_text("body")
    assert re.search(r"\b\d{1,3}(\.\d{3})+ números treináveis", body), body
    metrics = page.locator("[data-testid=stMetricValue]").all_inner_texts()
    assert re.fullmatch(r"\d{1,3}(\.\d{3})+", metrics[0]), metrics  # the corpus's bytes
    assert page.locator("[data-testid=stSliderThumbValue]").first.inner_text() == "0,00"  # dropout
