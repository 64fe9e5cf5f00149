"""Bad input in a real browser: each bad file gets its translated message, the page keeps working,
what the participant had stays, and a good file then works on the same page."""

import re

import torch

from genlab.text.checkpoint import LanguageModel, dumps
from genlab.text.models import LMConfig, build_model
from genlab.text.tokenizers import build_tokenizer
from tests.support.browser import assert_no_exception, screenshot, wait_for_app

PT = "Glauco gosta de comer peras. Maria prefere melancia, não pregos nem cimento. Que ação! "
MARKUP = "# Receita\n<b id='injected'>negrito</b> <script>window.injected = 1</script> **x**\n"


def small_model() -> bytes:
    tok = build_tokenizer("char", PT)
    cfg = LMConfig(vocab_size=tok.vocab_size, n_layer=1, n_head=2, n_embd=16, block_size=8)
    torch.manual_seed(0)
    return dumps(LanguageModel(build_model(cfg).eval(), tok, cfg, {"title": "small"}))


def send(page, path, data: bytes, which: int = 0) -> None:
    """Upload ``data`` as ``path`` through the page's ``which``-th file uploader and wait."""
    path.write_bytes(data)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").nth(which).set_input_files(str(path))
    page.wait_for_timeout(1000)
    wait_for_app(page)


def body(page) -> str:
    return page.inner_text("[data-testid=stMain]")


def test_text_room_explains_bad_files_and_keeps_the_participants_model(page, open_page, tmp_path):
    open_page(page, "text", "en")
    page.get_by_text("My own text", exact=True).click()
    wait_for_app(page)
    model = small_model()
    send(page, tmp_path / "mine.safetensors", model, which=1)
    assert "Model mine.safetensors loaded." in body(page)
    send(page, tmp_path / "cut.safetensors", model[: len(model) // 2], which=1)
    assert "This file is incomplete" in body(page)
    assert page.get_by_role("button", name="Download this model").count() == 1  # still there
    page.get_by_text("This file is incomplete").scroll_into_view_if_needed()
    screenshot(page, "bad-input-text-model-en")
    send(page, tmp_path / "notes.txt", PT.encode("utf-16-le") * 10)
    assert "UTF-16 without a byte-order mark" in body(page)
    send(page, tmp_path / "empty.txt", b"")
    assert "The text is empty" in body(page)
    assert_no_exception(page)
    send(page, tmp_path / "receita.md", (MARKUP + PT * 20).encode("latin-1"))
    assert "Vocabulary size" in body(page) and "The text is empty" not in body(page)
    assert page.locator("#injected").count() == 0
    assert page.evaluate("() => window.injected === undefined")
    assert "<b id='injected'>" in page.locator("[data-testid=stCode]").nth(1).inner_text()
    assert page.get_by_role("button", name="Download this model").count() == 1
    assert_no_exception(page)
    screenshot(page, "bad-input-text-en")


def test_a_bad_upload_between_two_good_ones_keeps_the_model_settings(page, open_page, tmp_path):
    open_page(page, "text", "en")
    page.get_by_text("My own text", exact=True).click()
    wait_for_app(page)
    send(page, tmp_path / "a.txt", PT.encode() * 20)
    page.get_by_text("neural bigram", exact=True).click()
    wait_for_app(page)
    send(page, tmp_path / "empty.txt", b"")
    send(page, tmp_path / "b.txt", PT.upper().encode() * 20)
    page.wait_for_timeout(1000)  # live ticks send the page's widget values back to the server
    wait_for_app(page)
    assert page.get_by_role("radio", name="neural bigram").is_checked()
    assert "The text is empty" not in body(page)
    assert_no_exception(page)


def test_gan_room_explains_bad_csvs_in_portuguese_then_loads_a_good_one(page, open_page, tmp_path):
    open_page(page, "gan", "pt-BR")
    page.locator("[data-testid=stMain] [data-testid=stSelectbox]").first.click()
    page.get_by_role("option", name="Enviar um CSV", exact=True).click()
    wait_for_app(page)
    send(page, tmp_path / "uma_coluna.csv", b"1\n2\n3\n" * 10)
    assert "foram encontradas 1 coluna(s)" in body(page)
    send(page, tmp_path / "nan.csv", b"nan;1\ninf;2\n" * 10)
    assert "O CSV tem só 0 ponto(s)" in body(page)
    screenshot(page, "bad-input-gan-error-pt-BR")
    assert_no_exception(page)
    rows = "".join(f"{i},5\t{(i * i) % 11},25\n" for i in range(20))
    send(page, tmp_path / "excel.csv", ("x\ty\n" + rows).encode("utf-16"))
    assert "20 pontos carregados do CSV." in body(page)
    name = page.locator("[data-testid=stFileChipName]").first
    size = name.locator("xpath=following-sibling::div").inner_text()
    assert re.fullmatch(r"\d+,\d (B|KB)", size), size  # Streamlit writes "412.0B"
    assert_no_exception(page)
    screenshot(page, "bad-input-gan-pt-BR")
