"""Screenshots of workshop mode for the docs: assets/screenshots/class_dashboard.png,
class_presenter.png and class_lesson.png (English; ``--lang pt-BR`` for Portuguese).

Starts a lab server with its own data directory, signs in as the instructor, creates a class of
lesson 1, lets three participants join in Chromium (by code and by the join address), answer the
first question, and gives them results as their lesson panel saves them: a continuation generated
with the shipped GPT at their temperature and the fake points of a GAN trained here for a few
hundred epochs (with its JS), so that the gallery has something to show.

    PYTHONPATH=. .venv/bin/python bench/class_screenshots.py [--out assets/screenshots]
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from genlab import device  # noqa: E402
from genlab.classroom import store  # noqa: E402
from genlab.gan.config import GanConfig  # noqa: E402
from genlab.gan.datasets import Dataset  # noqa: E402
from genlab.gan.metrics import Evaluator  # noqa: E402
from genlab.gan.training import Trainer  # noqa: E402
from genlab.text import probe  # noqa: E402
from genlab.text.checkpoint import load_shipped  # noqa: E402
from genlab.text.sampling import SamplingConfig  # noqa: E402
from tests.support.browser import chromium, free_port, start_lab, stop_lab, wait_for_app  # noqa: E402

CODE = "screenshots"
PEOPLE = (("Ana", 0.3, 600), ("Bruno <b>", 1.0, 300), ("Carla", 1.8, 60))


def text_at(temperature: float, seed: int) -> str:
    lm = load_shipped("shakespeare-char-gpt")
    prompt = probe.read_prompt(lm, "To be")
    gen = torch.Generator().manual_seed(seed)
    steps = probe.generate(lm, prompt.ids, SamplingConfig(temperature=temperature), 60, gen)
    return "To be" + "".join(s.text for s in steps)


def gan_after(epochs: int) -> tuple[list, float]:
    torch.manual_seed(0)
    data = Dataset("ring")
    trainer = Trainer(GanConfig(), data)
    trainer.train(epochs)
    js = Evaluator(data)(trainer.generate(2000))["js"]
    return trainer.generate(150).round(3).tolist(), js


def seed_results(code: str) -> None:
    """What each participant's lesson panel would have saved after using the rooms."""
    by_name = {m.nickname: m for m in store.load(code).members()}
    for i, (name, temperature, epochs) in enumerate(PEOPLE):
        points, js = gan_after(epochs)
        progress = {
            "next": {
                "temperature": temperature,
                "generated": 60,
                "last_text": text_at(temperature, i),
            },
            "gan": {"dataset": "ring", "js": js, "epoch": epochs},
        }
        by_name[name].save(progress=progress, gan_points=points, step=3 - i)


def sign_in_and_create(page, base: str, lang: str) -> str:
    page.goto(f"{base}/class?lang={lang}")
    wait_for_app(page)
    page.get_by_label(store_label(lang, "instructor_code"), exact=True).and_(
        page.locator("input")
    ).fill(CODE)
    page.get_by_role("button", name=store_label(lang, "instructor_enter")).click()
    wait_for_app(page)
    page.get_by_role("button", name=store_label(lang, "create")).click()
    wait_for_app(page)
    return store.listing()[0].code


def store_label(lang: str, key: str) -> str:
    from genlab.i18n import translate

    return translate(lang, f"class.{key}")


def join(browser, base: str, code: str, name: str, lang: str, by_url: bool):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=lang).new_page()
    page.goto(f"{base}/join?lang={lang}" + (f"&code={code}" if by_url else ""))
    wait_for_app(page)
    if not by_url:
        page.get_by_label(store_label(lang, "join_code"), exact=True).and_(
            page.locator("input")
        ).fill(code)
    page.get_by_label(store_label(lang, "nickname"), exact=True).and_(page.locator("input")).fill(
        name
    )
    page.get_by_role("button", name=store_label(lang, "join_button")).click()
    wait_for_app(page)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "assets" / "screenshots"))
    parser.add_argument("--lang", default="en")
    args = parser.parse_args()
    device.configure()
    out, lang = Path(args.out), args.lang
    data = tempfile.mkdtemp(prefix="genlab-class-shots-")
    os.environ["GENLAB_DATA_DIR"] = data
    env = dict(os.environ, GENLAB_INSTRUCTOR_CODE=CODE, GENLAB_DATA_DIR=data)
    port = free_port()
    server = start_lab(port, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        with chromium() as browser:
            teacher = browser.new_context(
                viewport={"width": 1400, "height": 1000}, locale=lang
            ).new_page()
            code = sign_in_and_create(teacher, base, lang)
            pages = [
                join(browser, base, code, n, lang, i % 2 == 1) for i, (n, _, _) in enumerate(PEOPLE)
            ]
            for i, page in enumerate(pages):
                page.get_by_role("link", name=store_label(lang, "start_lesson")).click()
                wait_for_app(page, timeout=120_000)
                page.locator("[data-testid=stSidebar] [role=radiogroup] label").nth(i % 2).click()
                page.get_by_role("button", name=store_label(lang, "answer")).click()
                wait_for_app(page)
            seed_results(code)
            pages[2].wait_for_timeout(3000)
            pages[2].screenshot(path=str(out / "class_lesson.png"))
            teacher.set_viewport_size({"width": 1400, "height": 1350})  # down to the gallery
            teacher.wait_for_timeout(2500)
            teacher.screenshot(path=str(out / "class_dashboard.png"))
            teacher.set_viewport_size({"width": 1400, "height": 1000})
            teacher.get_by_text(store_label(lang, "presenter")).click()
            wait_for_app(teacher)
            teacher.wait_for_timeout(2500)
            teacher.screenshot(path=str(out / "class_presenter.png"))
    finally:
        stop_lab(server)
    print("\n".join(str(out / f"class_{n}.png") for n in ("dashboard", "presenter", "lesson")))


if __name__ == "__main__":
    main()
