"""The GAN room in a real Chromium: live training, 8 Gaussians with a learning rate of 10 (the
divergence is handled), a free-hand drawing, and CSV uploads (bad and good)."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.support.browser import (
    assert_no_exception,
    epoch,
    metric,
    screenshot,
    wait_for,
    wait_for_app,
)


def show_plane(page) -> None:
    """Scroll the layered view into the window (Streamlit scrolls inside its own container)."""
    for _ in range(5):  # the chart may be replaced by a redraw while we scroll
        try:
            page.locator(".js-plotly-plot").first.scroll_into_view_if_needed(timeout=5000)
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
    assert page.locator(".js-plotly-plot").count() >= 3
    assert_no_exception(page)
    show_plane(page)
    screenshot(page, "gan-ring-training-en")
    page.get_by_role("button", name="Pause", exact=True).click()


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
    assert page.get_by_label("Taxa de aprendizado do gerador").input_value() == "1.0000"
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
