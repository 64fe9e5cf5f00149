"""The GAN room in a real Chromium: live training, 8 Gaussians with a learning rate of 10 (the
divergence is handled), a free-hand drawing, and CSV uploads (bad and good)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Error as PlaywrightError

from genlab import assets
from tests.support.browser import (
    LIVE_CHART,
    assert_no_exception,
    epoch,
    live_chart,
    metric,
    screenshot,
    wait_for,
    wait_for_app,
)


def show_plane(page) -> None:
    """Scroll the layered view into the window (Streamlit scrolls inside its own container)."""
    for _ in range(5):  # the chart may be replaced by a redraw while we scroll
        try:
            page.locator(LIVE_CHART).first.scroll_into_view_if_needed(timeout=5000)
            break
        except PlaywrightError:
            page.wait_for_timeout(200)
    page.wait_for_timeout(300)


def choose_dataset(page, name: str) -> None:
    page.locator("[data-testid=stMain] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name=name, exact=True).click()
    wait_for_app(page)


def test_play_trains_the_ring_live(page, open_page):
    open_page(page, "gan", "en")
    assert "GAN" in page.inner_text("body")
    page.get_by_role("button", name="Play", exact=True).click()
    assert wait_for(lambda: epoch(page) > 0), "training did not start"
    seen = {epoch(page)}
    for _ in range(12):  # the counter keeps moving: the page redraws while it trains
        page.wait_for_timeout(250)
        seen.add(epoch(page))
    assert len(seen) >= 4
    assert float(metric(page, "JS divergence")) <= 1.0
    assert page.locator(LIVE_CHART).count() == 3  # the layered view, the curves, the overview
    assert_no_exception(page)
    show_plane(page)
    screenshot(page, "gan-ring-training-en")
    page.get_by_role("button", name="Pause", exact=True).click()


def test_the_layered_view_fetches_its_own_frames_between_the_page_s_runs(page, open_page, server):
    fed = []
    page.on("response", lambda r: fed.append(r) if "/genlab/feed/" in r.url else None)
    open_page(page, "gan", "en")
    page.get_by_role("button", name="Play", exact=True).click()
    plane = live_chart(page)
    drawn = "() => window.__frame ? window.__frame.n : 0"
    assert wait_for(lambda: plane.evaluate(drawn) > 0), "no frame drawn"
    first = plane.evaluate(drawn)
    assert wait_for(lambda: plane.evaluate(drawn) >= first + 2, timeout=20), "no newer frames"
    answered = [r for r in fed if r.status == 200]
    assert answered, "the chart drew no frame of its feed"
    key = parse_qs(urlparse(page.url).query)["me"][0]
    assert key not in answered[-1].url  # the feed's token is not the participant's key
    feed_path = urlparse(answered[-1].url).path
    assert page.request.get(server + feed_path.rsplit("/", 1)[0] + "/guessed").status == 404
    assert plane.evaluate("window.__points") == 600  # 300 real and 300 fake points painted
    # its plotly.js is the lab's one copy, compressed once and kept by the browser for a year
    # (Streamlit's component route compressed it anew for each chart at each page load)
    script = urlparse(plane.evaluate("document.querySelector('script[src*=plotly]').src"))
    assert script.path == assets.PLOTLY_PATH
    served = page.request.get(server + script.path, headers={"Accept-Encoding": "gzip"})
    assert served.headers["content-encoding"] == "gzip"
    assert "immutable" in served.headers["cache-control"]
    assert served.body() == assets.PLOTLY_FILE.read_bytes()  # as the browser reads it, unpacked
    plane.locator(".traces", has_text="Real points").locator(".legendtoggle").click()
    assert wait_for(lambda: plane.evaluate("window.__points") == 300, timeout=10), "still shown"
    page.get_by_role("button", name="Stop", exact=True).click()
    wait_for_app(page)
    page.wait_for_timeout(1000)
    asked = len(fed)
    page.wait_for_timeout(2000)
    assert len(fed) == asked, "a stopped run's chart kept fetching"
    assert_no_exception(page)


def test_eight_gaussians_with_learning_rate_10_is_caught_and_recovered(page, open_page):
    open_page(page, "gan", "pt-BR")
    choose_dataset(page, "8 manchas em círculo")
    page.get_by_text("Configurações (hiperparâmetros)").click()
    for label in ("Taxa de aprendizado do discriminador", "Taxa de aprendizado do gerador"):
        field = page.get_by_label(label)
        field.fill("10")
        field.press("Enter")
        wait_for_app(page)
    page.get_by_role("button", name="Iniciar", exact=True).click()
    assert wait_for(lambda: "O treino explodiu" in page.inner_text("body")), "no divergence"
    assert_no_exception(page)
    screenshot(page, "gan-diverged-pt-BR")
    page.get_by_role("button", name="Dividir as taxas de aprendizado por 10 e continuar").click()
    wait_for_app(page)
    assert page.get_by_label("Taxa de aprendizado do gerador").input_value() == "1,0000"
    assert_no_exception(page)


def test_a_drawing_becomes_the_real_data(page, open_page):
    open_page(page, "gan", "en")
    choose_dataset(page, "Draw your own")
    canvas = page.locator("canvas.upper-canvas").first
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 30):  # a wave across the canvas
        page.mouse.move(box["x"] + 40 + 8 * step, box["y"] + 60 + (40 if step % 10 < 5 else 120))
    page.mouse.up()
    page.wait_for_timeout(800)
    page.get_by_role("button", name="Use this drawing").click()
    wait_for_app(page)
    assert "Your drawing is the real data now" in page.inner_text("body")
    page.get_by_role("button", name="Play", exact=True).click()
    assert wait_for(lambda: epoch(page) > 0)
    assert_no_exception(page)
    page.wait_for_timeout(2000)
    show_plane(page)
    screenshot(page, "gan-drawing-en")
    page.get_by_role("button", name="Pause", exact=True).click()


@pytest.fixture
def csv_files(tmp_path):
    bad = tmp_path / "words.csv"
    bad.write_text("name,colour\nana,red\nbia,blue\n")
    good = tmp_path / "points.csv"
    good.write_text("x;y\n" + "\n".join(f"{i % 7},5;{(i * i) % 11},25" for i in range(60)))
    return bad, good


def test_csv_upload_reports_bad_files_and_loads_good_ones(page, open_page, csv_files):
    bad, good = csv_files
    open_page(page, "gan", "en")
    choose_dataset(page, "Upload a CSV")
    uploader = page.locator("[data-testid=stFileUploader] input[type=file]").first
    uploader.set_input_files(str(bad))
    assert wait_for(lambda: "two columns of numbers" in page.inner_text("body"), timeout=20)
    assert_no_exception(page)
    uploader.set_input_files(str(good))
    assert wait_for(lambda: "60 points loaded from the CSV" in page.inner_text("body"), timeout=20)
    assert_no_exception(page)
    screenshot(page, "gan-csv-en")


# ---------------------------------------------------------------------------- live charts

RECORD_FRAMES = """() => {
    // In the layered view's frame, at every animation frame: how many points its canvas shows
    // (window.__points, set at each painting), and whether it drew a newer snapshot since the
    // last frame (a redraw); and every plot it mounts anew (a new <svg>: a chart updated in place
    // with Plotly.react keeps its own).
    window.__frames = [];
    window.__mounted = 0;
    window.__redraws = 0;
    new MutationObserver(changes => {
        for (const change of changes) for (const node of change.addedNodes) {
            if (node.nodeType === 1 && (node.matches('svg.main-svg')
                    || node.querySelector('svg.main-svg'))) window.__mounted++;
        }
    }).observe(document.body, {childList: true, subtree: true});
    const drawn = () => window.__frame ? window.__frame.n : null;
    let last = drawn();
    const frame = () => {
        if (drawn() !== last) { window.__redraws++; last = drawn(); }
        window.__frames.push(window.__points || 0);
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
}"""
COUNT_CHARTS = """() => {
    // charts (live chart frames) the page mounts anew instead of updating
    window.__newCharts = 0;
    new MutationObserver(changes => {
        for (const change of changes) for (const node of change.addedNodes) {
            if (node.nodeType === 1 && (node.matches('iframe') || node.querySelector('iframe')))
                window.__newCharts++;
        }
    }).observe(document.body, {childList: true, subtree: true});
}"""


def record(page):
    """Start recording the layered view's frames; returns its frame."""
    plane = live_chart(page)
    plane.evaluate(RECORD_FRAMES)
    page.evaluate(COUNT_CHARTS)
    return plane


def assert_redrawn_in_place(page, plane, what: str, since_epoch: int | None) -> None:
    """No blank frame, no chart mounted anew, and the layered view redrawn if the run moved on
    since ``since_epoch`` (None: not asked)."""
    frames, mounted, redraws = plane.evaluate(
        "[window.__frames, window.__mounted, window.__redraws]"
    )
    assert len(frames) > 20, f"{what}: too few frames recorded"
    blank = [f for f in frames if f == 0]
    assert not blank, f"{what}: {len(blank)} of {len(frames)} frames without the points"
    assert mounted == 0, f"{what}: the layered view was drawn anew {mounted} times"
    assert page.evaluate("window.__newCharts") == 0, f"{what}: charts mounted anew"
    assert page.locator(LIVE_CHART).count() == 3, f"{what}: a chart is missing"
    if since_epoch is not None and epoch(page) > since_epoch:
        assert redraws >= 1, f"{what}: the layered view did not follow the training"


@pytest.mark.long
def test_charts_update_in_place_while_training_and_after_a_divergence(page, open_page, server):
    open_page(page, "gan", "en")
    page.get_by_role("button", name="Play", exact=True).click()
    assert wait_for(lambda: epoch(page) > 0), "training did not start"
    page.wait_for_timeout(1500)
    plane, start = record(page), epoch(page)
    for _ in range(3):  # a full-page capture resizes the window: it remounted the charts
        page.screenshot(full_page=True)
        page.wait_for_timeout(1000)
    assert epoch(page) > start, "training stopped"
    assert_redrawn_in_place(page, plane, "while training", start)
    page.get_by_role("button", name="Stop", exact=True).click()

    rates = "dataset=gaussians8&optimizer=adam&d_lr=10&g_lr=10&activation=leaky_relu&batch=256"
    page.goto(f"{server}/gan?lang=en&{rates}")
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).click()
    assert wait_for(lambda: "Training blew up" in page.inner_text("body")), "no divergence"
    lower = page.get_by_role("button", name="Divide the learning rates by 10 and continue")
    assert lower.evaluate(FITS), "the divergence button's label is cut off"
    plane = record(page)
    lower.click()
    page.wait_for_timeout(5000)
    # lr 1 blows up again within ten epochs: the view shows the real points only, as it should
    assert_redrawn_in_place(page, plane, "after the recovery", None)
    assert_no_exception(page)
    page.get_by_role("button", name="Stop", exact=True).click()


FITS = """button => [button, ...button.querySelectorAll('*')].every(
    e => e.scrollWidth <= e.clientWidth + 1 && e.scrollHeight <= e.clientHeight + 1)"""


# ---------------------------------------------------------------------------- slow motion


SUBSTEP = re.compile(r"Sub-step (\d+) of 10")


def substep_number(page) -> int | None:
    text = page.locator("[data-testid=stAlert]").filter(has_text=SUBSTEP).all_inner_texts()
    return int(SUBSTEP.search(text[0]).group(1)) if text else None


@pytest.mark.long
def test_next_substep_walks_every_substep_in_order_beside_its_button(page, open_page):
    open_page(page, "gan", "en")
    page.get_by_text("Slow motion: walk through one epoch", exact=True).click()
    button = page.get_by_role("button", name="Next sub-step")
    button.wait_for(timeout=60_000)
    seen = []
    for click in range(12):
        before = substep_number(page)
        page.wait_for_timeout(1200)  # read the explanation (a quicker click counts as a replay)
        button.click()
        answered = wait_for(lambda b=before: substep_number(page) not in (None, b), timeout=90)
        assert answered, f"click {click + 1}: no new sub-step shown (seen so far: {seen})"
        seen.append(substep_number(page))
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2]
    note = page.locator("[data-testid=stAlert]").filter(has_text=SUBSTEP).first.bounding_box()
    pressed = button.bounding_box()
    assert 0 <= note["y"] - (pressed["y"] + pressed["height"]) < 150  # right under its button
    assert_no_exception(page)


# ---------------------------------------------------------------------------- compact layout


TICKS_CLEAR = """() => {
    // the x axis's numbers are drawn, and the legend under the plot does not cover them
    const ticks = [...document.querySelectorAll('.xtick text')].filter(t => t.textContent);
    const legend = document.querySelector('.legend')?.getBoundingClientRect();
    return ticks.length >= 3 && (!legend
        || ticks.every(t => t.getBoundingClientRect().bottom <= legend.top + 1));
}"""


BOXES_APART = """() => {
    // the model overview's boxes (annotations with a text) are all drawn and none overlaps another
    const boxes = [...document.querySelectorAll('g.annotation')]
        .filter(g => g.textContent.trim()).map(g => g.getBoundingClientRect());
    const apart = (a, b) => a.right <= b.left || b.right <= a.left
        || a.bottom <= b.top || b.bottom <= a.top;
    return boxes.length === 7 && boxes.every((a, i) => boxes.slice(i + 1).every(b => apart(a, b)));
}"""
SIDEWAYS = """groups => groups.flatMap(group => [group, ...group.querySelectorAll('*')])
    .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText.slice(0, 60))"""


def boxes(page) -> tuple[dict, dict]:
    plane = page.locator(LIVE_CHART).first
    plane.wait_for(timeout=30_000)
    play = page.get_by_role("button", name="Play", exact=True)
    return plane.bounding_box(), play.bounding_box()


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)], ids=["projector", "phone"])
def test_the_main_chart_is_in_the_first_screen(page, open_page, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, "gan", "en")
    plane, play = boxes(page)
    assert plane["y"] >= 0 and plane["y"] + plane["height"] <= height, plane
    assert live_chart(page).evaluate(TICKS_CLEAR), "x tick labels missing or under the legend"
    assert live_chart(page, 2).evaluate(BOXES_APART), "the model overview's boxes overlap"
    hidden = page.locator("[data-testid=stButtonGroup]").evaluate_all(SIDEWAYS)
    assert not hidden, f"options scrolled out of sight: {hidden}"  # the layers, the speed
    if width >= 1000:  # projector: Play beside the chart, both in view
        assert play["y"] >= 0 and play["y"] + play["height"] <= height, play
    screenshot(page, f"gan-first-screen-{width}x{height}")
