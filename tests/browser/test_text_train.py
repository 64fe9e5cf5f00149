"""The text-training room in a real browser: live training, uploads, download and re-upload."""

import re

import pytest

from genlab.i18n import translate
from tests.support.browser import POLL_MS, assert_no_exception, screenshot, wait_for, wait_for_app

PT_LATIN1 = (
    "Glauco gosta de comer peras. Maria prefere melancia, não pregos nem cimento. Que ação! " * 80
).encode("latin-1")


def settle(page) -> None:
    """Let a widget event reach the server before waiting for the rerun it causes."""
    page.wait_for_timeout(1000)
    wait_for_app(page)


def step_value(page) -> int:
    """The step shown in the progress bar's text ("Step 120 of 1,400 ...")."""
    found = re.search(r"Step ([\d,]+) of", page.inner_text("body"))
    return int(found.group(1).replace(",", "")) if found else -1


def write_sample(page) -> str:
    """Click "Escrever uma amostra" and return the sample once the page shows it: a new code block
    at the end (the one before it may be the training's own sample, with the same text)."""
    codes = page.locator("[data-testid=stCode]")
    before = codes.count()
    page.get_by_role("button", name="Escrever uma amostra").click()
    assert wait_for(lambda: codes.count() > before, timeout=30), "no sample appeared"
    wait_for_app(page)
    return codes.last.inner_text()


def test_training_moves_while_other_widgets_change_and_can_be_stopped(page, open_page):
    open_page(page, "text")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => /Step ([1-9][0-9,]*) of/.test(document.body.innerText)",
        timeout=60_000,
        polling=POLL_MS,
    )
    before = step_value(page)
    page.get_by_text("words", exact=True).first.click()
    wait_for_app(page)
    page.wait_for_function(
        f"() => parseInt((document.body.innerText.match(/Step ([0-9,]+) of/) || [0, '0'])[1]"
        f".replace(/,/g, '')) > {before}",
        timeout=30_000,
        polling=POLL_MS,
    )
    assert page.locator(".js-plotly-plot .scatterlayer .trace").count() >= 2
    assert page.get_by_text(re.compile("Text the model writes at step")).count() >= 1
    page.get_by_text("4. Training", exact=True).scroll_into_view_if_needed()
    screenshot(page, "text_train_live")
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    assert_no_exception(page)


def test_latin1_upload_train_download_reset_upload_same_samples(page, open_page, tmp_path):
    open_page(page, "text", "pt-BR")
    page.get_by_text("Meu próprio texto", exact=True).click()
    settle(page)
    source = tmp_path / "receitas.txt"
    source.write_bytes(PT_LATIN1)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(source))
    settle(page)
    vocabulary = page.locator("[data-testid=stCode]").first.inner_text()
    assert "'ã'" in vocabulary and "'ç'" in vocabulary and "'Ã'" not in vocabulary
    page.get_by_text("bigrama por contagem", exact=True).click()
    wait_for_app(page)
    page.get_by_role("button", name="Iniciar").click()
    page.get_by_role("button", name="Baixar este modelo").wait_for(timeout=60_000)
    sample = write_sample(page)
    assert len(sample) > 100
    with page.expect_download() as download:
        page.get_by_role("button", name="Baixar este modelo").click()
    saved = tmp_path / "modelo.safetensors"
    download.value.save_as(saved)
    page.goto(page.url.split("?")[0] + "?lang=pt-BR")
    wait_for_app(page)
    assert page.get_by_role("button", name="Baixar este modelo").count() == 0
    page.locator("[data-testid=stFileUploaderDropzoneInput]").last.set_input_files(str(saved))
    settle(page)
    assert write_sample(page) == sample
    screenshot(page, "text_train_reupload_pt")
    assert_no_exception(page)


def test_bad_files_get_translated_messages_and_the_page_keeps_working(page, open_page, tmp_path):
    open_page(page, "text", "pt-BR")
    page.get_by_text("Meu próprio texto", exact=True).click()
    settle(page)
    fake = tmp_path / "foto.txt"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(fake))
    settle(page)
    assert page.get_by_text("não parece texto").count() == 1
    pickle_file = tmp_path / "modelo.safetensors"
    pickle_file.write_bytes(b"\x80\x04\x95" + b"\0" * 64)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").last.set_input_files(str(pickle_file))
    settle(page)
    assert page.get_by_text("pickle do PyTorch", exact=False).count() == 1
    page.get_by_text("Shakespeare (8 peças)", exact=True).click()
    wait_for_app(page)
    assert page.get_by_text("1.131.891").count() >= 1
    assert_no_exception(page)


def test_a_preset_chosen_during_training_holds_and_survives_a_visit_to_another_room(
    page, open_page
):
    open_page(page, "text")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => /Step [1-9]/.test(document.body.innerText)", timeout=60_000, polling=POLL_MS
    )
    page.get_by_label("Preset", exact=True).click()
    page.get_by_role("option", name="Large GPT", exact=True).click()
    settle(page)
    page.wait_for_timeout(2000)  # eight live ticks of the training chart
    wanted = {"Layers": "6", "Embedding size (width)": "192", "Training steps": "1200"}
    assert {label: page.get_by_label(label).input_value() for label in wanted} == wanted
    sidebar = page.get_by_test_id("stSidebarNav")
    sidebar.get_by_role("link", name="Home").click()
    wait_for_app(page)
    sidebar.get_by_role("link", name="Train a language model").click()
    wait_for_app(page)
    assert {label: page.get_by_label(label).input_value() for label in wanted} == wanted
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    assert_no_exception(page)


@pytest.mark.long
def test_machado_chosen_in_the_train_room_trains_in_both_languages(page, open_page):
    for lang, corpus, model, play in (
        ("en", "Portuguese: Machado de Assis (3 novels)", "count bigram", "Play"),
        ("pt-BR", "Português: Machado de Assis (3 romances)", "bigrama por contagem", "Iniciar"),
    ):
        download = translate(lang, "text.download")
        open_page(page, "text", lang)
        page.get_by_text(corpus, exact=True).click()
        settle(page)
        assert page.get_by_text(re.compile("Quincas Borba")).count() == 1  # what the text is
        assert page.get_by_text(re.compile(r"^1[.,]170[.,]567$")).count() >= 1  # characters
        page.get_by_text(model, exact=True).click()
        settle(page)
        page.get_by_role("button", name=play).click()
        page.get_by_role("button", name=download, exact=True).wait_for(timeout=120_000)
        screenshot(page, f"text_train_machado_{lang}")
        body = page.inner_text("body")
        assert page.get_by_text(re.compile("^Machado de Assis · ")).count() >= 1  # the run's name
        assert re.search(r"(counted the|contou os) [\d.,]+ (pairs|pares)", body)
        assert "Step 1 of 1" not in body and "Passo 1 de 1" not in body
        assert_no_exception(page)


def options_of(page, label: str) -> list[str]:
    """The texts of a select box's options (opened, read, closed)."""
    page.get_by_label(label, exact=True).click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def test_the_shipped_machado_models_are_offered_in_next_word_and_embeddings(page, open_page):
    for lang in ("en", "pt-BR"):
        model_label, source_label = translate(lang, "next.model"), translate(lang, "embed.source")
        open_page(page, "next", lang)
        found = [o for o in options_of(page, model_label) if "machado" in o.lower()]
        assert len(found) == 2, found  # the word GPT and the character GPT
        open_page(page, "embeddings", lang)
        found = [o for o in options_of(page, source_label) if "machado" in o.lower()]
        assert len(found) >= 2, found
        assert_no_exception(page)
