"""No link the lab offers to copy or follow carries the participant's private key (``?me=``) or
their job ids (``?job_<slot>=``): whoever opened such a link would see, download and delete the
sender's runs. Every room of the navigation is opened with a known key, every tab and expander
opened, and every code block, link button and anchor read."""

from urllib.parse import urlparse

import pytest

from tests.support.browser import assert_no_exception, wait_for_app

KEY = "KnownKey-links-test-0123456789"
COPYABLE = """() => {
    const main = document.querySelector('[data-testid=stMain]') || document.body;
    const codes = [...main.querySelectorAll('pre, code, [data-testid=stCode]')]
        .map(e => e.textContent);
    const links = [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'));
    return codes.concat(links);
}"""


def rooms(page, server: str) -> list[str]:
    """The rooms as the navigation lists them (whatever registry app.py builds it from)."""
    page.goto(f"{server}/?lang=en&me={KEY}")
    wait_for_app(page)
    hrefs = page.locator("[data-testid=stSidebarNav] a[href]").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return sorted({urlparse(href).path for href in hrefs})


def open_expanders(page) -> None:
    closed = page.locator("[data-testid=stExpander] details:not([open]) > summary")
    for _ in range(closed.count()):
        if closed.count():
            closed.first.click()
    wait_for_app(page)


def copyable(page) -> list[str]:
    """Code blocks and link targets of the page, in every tab (a closed tab may draw nothing)
    with its expanders opened."""
    open_expanders(page)
    texts = page.evaluate(COPYABLE)
    tabs = page.get_by_role("tab")
    for i in range(tabs.count()):
        tabs.nth(i).click()
        wait_for_app(page)
        open_expanders(page)
        texts += page.evaluate(COPYABLE)
    return texts


@pytest.mark.long
def test_no_room_offers_a_link_with_the_participants_key(page, server):
    paths = rooms(page, server)
    assert {"/text", "/next", "/gan", "/embeddings"} <= set(paths), paths
    found, offered = {}, []
    for path in paths:  # from the navigation, as a participant goes (the key is in the session)
        page.locator(f"[data-testid=stSidebarNav] a[href$='{path}']").click()
        page.wait_for_url(lambda url, path=path: urlparse(url).path == path)
        wait_for_app(page)
        assert_no_exception(page)
        assert KEY in page.url  # the key was taken: the page's own address keeps it
        texts = copyable(page)
        offered += [text for text in texts if "?" in text and "lang=" in text]
        if bad := [text for text in texts if "me=" in text or "job_" in text or KEY in text]:
            found[path] = bad
    assert not found, f"links carrying the participant's key or job ids: {found}"
    assert any("e_source=" in text for text in offered), offered  # the Embeddings link was read
