"""Takes the Home page's pictures of the text rooms, in each language, from a real lab in Chromium.

    .venv/bin/python assets/screenshots/make_text_screenshots.py            # Next word
    .venv/bin/python assets/screenshots/make_text_screenshots.py --train    # and Train (a run)

Writes ``text_next.png`` (English) and ``text_next.pt-BR.png``, with ``--train`` also
``text_train.png`` and ``text_train.pt-BR.png`` (a quiet machine: the picture shows the run's
speed). Each file records its language in a PNG text chunk ``Language``; Home shows the picture of
the page's language, or the English one.
"""

import argparse
import sys
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from tests.browser.helpers import chromium, free_port, start_lab, wait_for_app  # noqa: E402

LANGS = {"en": "", "pt-BR": ".pt-BR"}
VIEWPORT = {"width": 1400, "height": 900}
TRAIN_SECONDS = 30


def save(page, name: str, lang: str) -> Path:
    """The visible part of the page as ``name[.lang].png``, its language recorded in it."""
    path = HERE / f"{name}{LANGS[lang]}.png"
    page.screenshot(path=str(path))
    info = PngInfo()
    info.add_text("Language", lang)
    Image.open(path).save(path, pnginfo=info, optimize=True)
    return path


def next_word(page, base: str, lang: str) -> Path:
    page.goto(f"{base}/next?lang={lang}")
    wait_for_app(page, timeout=300_000)
    page.wait_for_selector(".js-plotly-plot", timeout=300_000)
    page.wait_for_timeout(1500)
    return save(page, "text_next", lang)


def train(page, base: str, lang: str) -> Path:
    page.goto(f"{base}/text?lang={lang}")
    wait_for_app(page, timeout=300_000)
    page.locator("[data-testid=stButton] button[kind=primary]").first.click()
    page.wait_for_timeout(TRAIN_SECONDS * 1000)
    page.locator("[data-testid=stProgress]").first.scroll_into_view_if_needed()
    page.mouse.wheel(0, -60)
    page.wait_for_timeout(1000)
    return save(page, "text_train", lang)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", action="store_true", help="also the Train room (a 30 s run)")
    args = parser.parse_args()
    port = free_port()
    server = start_lab(port)
    try:
        with chromium() as browser:
            page = browser.new_page(viewport=VIEWPORT)
            base = f"http://127.0.0.1:{port}"
            for lang in LANGS:
                print("wrote", next_word(page, base, lang))
                if args.train:
                    print("wrote", train(page, base, lang))
    finally:
        server.kill()


if __name__ == "__main__":
    main()
