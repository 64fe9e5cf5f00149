"""Two GenLab replicas behind nginx (deploy/): each browser sticks to one replica, so its
websocket, its uploads and its page all meet the same Streamlit session; XSRF protection holds."""

import http.client
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page

from deploy.nginx_conf import max_upload_mb
from tests.support.browser import VIEWPORT, assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

REPLICA = "x-genlab-replica"
UPLOAD = "/_stcore/upload_file/"
BOUNDARY = "genlab-test-boundary"
TEXT = "Glauco gosta de comer peras; Søren prefere melancia, não pregos. " * 80
FORM = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="peras.txt"\r\n\r\n'
    + TEXT
    + f"\r\n--{BOUNDARY}--\r\n"
).encode()


def _get(url: str, route: str | None = None) -> tuple[str, str | None]:
    """(replica that answered, route cookie nginx set or None) for one request."""
    headers = {"Cookie": f"genlab_route={route}"} if route else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as answer:
        cookies = "; ".join(answer.headers.get_all("Set-Cookie") or [])
        found = re.search(r"genlab_route=([0-9a-f]+)", cookies)
        return answer.headers[REPLICA], found and found.group(1)


def _put(url: str, headers: dict, body: bytes = FORM) -> tuple[int, str]:
    """(status, replica header or else the body's text) of a file upload like the browser's."""
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    request = urllib.request.Request(url, data=body, headers=headers, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get(REPLICA, answer.read().decode())
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get(REPLICA, err.read().decode())


@pytest.fixture(scope="module")
def routes(served) -> dict[str, str]:
    """A route cookie nginx handed out for each replica (new browsers spread over replicas)."""
    found = {}
    for _ in range(40):
        replica, route = _get(f"{served.base}/_stcore/health")
        assert route, "nginx sets a route cookie on a browser's first request"
        found.setdefault(replica, route)
    assert sorted(found) == sorted(served.replicas), "40 new browsers all went to one replica"
    return found


def test_a_route_cookie_always_reaches_the_same_replica(served, routes):
    for replica, route in routes.items():
        for path in ("/_stcore/health", "/text", "/gan"):
            assert _get(served.base + path, route) == (replica, None)


def test_javascript_reaches_the_browser_gzipped(served):
    with urllib.request.urlopen(f"{served.base}/text", timeout=10) as answer:
        script = re.search(r'src="\./(static/js/[^"]+\.js)"', answer.read().decode()).group(1)
    request = urllib.request.Request(f"{served.base}/{script}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"


def _websocket_status(served, host: str, origin: str) -> int:
    """The answer to a websocket handshake on /_stcore/stream from a page at ``origin``."""
    connection = http.client.HTTPConnection(served.base.removeprefix("http://"), timeout=10)
    connection.request(
        "GET",
        "/_stcore/stream",
        headers={
            "Host": host,
            "Origin": origin,
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Protocol": "streamlit",
        },
    )
    status = connection.getresponse().status
    connection.close()
    return status


def test_the_websocket_opens_from_the_lab_address_and_not_from_other_sites(served):
    # Participants open the lab by the server's name and nginx's port: the replica sees both.
    assert _websocket_status(served, "lab.school:8680", "http://lab.school:8680") == 101
    assert _websocket_status(served, "lab.school:8680", "http://evil.example:8680") == 403


@dataclass
class Participant:
    """One participant's browser on /text: its page, the replicas that answered, its websockets."""

    page: Page
    replicas: set = field(default_factory=set)
    sockets: list = field(default_factory=list)


@pytest.fixture
def participant(browser, served):
    """``participant(route=None)``: a fresh browser (own cookies) on /text; closed at teardown."""
    contexts = []

    def open_(route: str | None) -> Participant:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        contexts.append(context)
        if route:
            context.add_cookies([{"name": "genlab_route", "value": route, "url": served.base}])
        seen = Participant(context.new_page())
        seen.page.on("response", lambda answer: seen.replicas.add(answer.headers.get(REPLICA)))
        seen.page.on("websocket", lambda socket: seen.sockets.append(socket))
        seen.page.goto(f"{served.base}/text?lang=en")
        wait_for_app(seen.page)
        assert_no_exception(seen.page)
        return seen

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.long
def test_two_browsers_each_keep_their_replica_and_upload_through_nginx(
    participant, served, routes, tmp_path
):
    first = participant(None)
    (replica_a,) = first.replicas
    replica_b = next(r for r in served.replicas if r != replica_a)
    second = participant(routes[replica_b])
    assert second.replicas == {replica_b}

    page = first.page
    page.get_by_text("My own text", exact=True).click()
    page.wait_for_timeout(1000)
    wait_for_app(page)
    source = tmp_path / "peras.txt"
    source.write_text(TEXT, encoding="utf-8")
    with page.expect_request(lambda r: UPLOAD in r.url and r.method == "PUT") as upload:
        page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(source)
    page.wait_for_timeout(1000)
    wait_for_app(page)
    answer = upload.value.response()
    assert answer.ok and answer.headers[REPLICA] == replica_a
    assert "'ø'" in page.locator("[data-testid=stCode]").first.inner_text()
    assert_no_exception(page)
    screenshot(page, "deploy_upload_through_nginx")
    assert first.replicas == {replica_a} and second.replicas == {replica_b}
    for seen in (first, second):
        assert len(seen.sockets) == 1 and not seen.sockets[0].is_closed()

    # The same upload again, sent by hand with the browser's cookies and XSRF token: without
    # stickiness it would reach a replica that does not know the session; without the token the
    # replica refuses it through nginx too; over server.maxUploadSize nginx refuses it itself.
    sent = upload.value.all_headers()
    headers = {"Cookie": sent["cookie"], "X-Xsrftoken": sent["x-xsrftoken"]}
    path = upload.value.url.removeprefix(served.base)
    assert _put(served.base + path, headers) == (204, replica_a)
    assert _put(f"http://{replica_a}{path}", headers)[0] == 204
    status, text = _put(f"http://{replica_b}{path}", headers)
    assert status == 400 and "Invalid session_id" in text
    assert _put(served.base + path, {"Cookie": sent["cookie"]}) == (403, replica_a)
    too_big = (max_upload_mb() + 1) * 2**20
    status, text = _put(served.base + path, {**headers, "Content-Length": str(too_big)}, b"")
    assert status == 413 and "nginx" in text
