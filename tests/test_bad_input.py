"""Bad input, tried systematically: every case goes through the genlab function its page calls.

``CASES`` is the table docs/bad-input.md shows (``python -m tests.test_bad_input``
prints it): what was tried, in which room, and what the participant sees. A refused case must raise
a ``UserError`` whose message exists in English and Brazilian Portuguese; an accepted case must
give a usable result.
"""

import functools
import io
import json
import math
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import safetensors.torch
import torch

from genlab import checkpoint, runs
from genlab.classroom import lessons, store
from genlab.errors import UserError
from genlab.gan import datasets
from genlab.gan.config import GanConfig
from genlab.gan.training import Trainer as GanTrainer
from genlab.i18n import translate
from genlab.text import corpora, data, probe
from genlab.text.checkpoint import LanguageModel, dumps, load_lm, load_shipped
from genlab.text.models import LMConfig, build_model
from genlab.text.tokenizers import BPE_CHUNK, MAX_WORD, build_tokenizer
from genlab.text.training import TrainConfig, Trainer

DOC = Path(__file__).resolve().parents[1] / "docs" / "bad-input.md"
PT = "Glauco gosta de comer peras. Maria prefere melancia, não pregos nem cimento. Que ação! "
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
MB = 2**20


@dataclass(frozen=True)
class Case:
    """One bad input: ``run`` feeds it to the genlab function the room calls. Either ``key``
    (the message the participant reads) or ``accepted`` (what they get) with a ``check``."""

    case: str
    room: str
    run: Callable[[], object]
    key: str | None = None
    accepted: str = ""
    check: Callable[[object], bool] = bool


def upload(data_: bytes, name: str = "notes.txt", kind: str = "char", vocab=None):
    """What /text does with an upload: decode it, then tokenize it for the tokens section."""
    return data.prepare(corpora.decode_upload(data_, name), kind, vocab)


def timed(run: Callable[[], object]) -> Callable[[], tuple[object, float]]:
    def go():
        start = time.perf_counter()
        return run(), time.perf_counter() - start

    return go


@functools.cache
def small_lm() -> bytes:
    tok = build_tokenizer("char", PT)
    cfg = LMConfig(vocab_size=tok.vocab_size, n_layer=1, n_head=2, n_embd=16, block_size=8)
    torch.manual_seed(0)
    return dumps(LanguageModel(build_model(cfg).eval(), tok, cfg, {"title": "small"}))


def tampered(change) -> bytes:
    """The small model's checkpoint after ``change(tensors, meta)``."""
    tensors, meta = checkpoint.load(small_lm())
    change(tensors, meta)
    return checkpoint.dumps(tensors, meta)


def with_config(**values) -> bytes:
    return tampered(lambda tensors, meta: meta["config"].update(values))


def with_nan(tensors, meta):
    tensors["model.wte.weight"][0, 0] = float("nan")


def with_wrong_shape(tensors, meta):
    tensors["model.wte.weight"] = torch.zeros(3, 3)


def pickle_file() -> bytes:
    buffer = io.BytesIO()
    torch.save(build_model(LMConfig(vocab_size=10, n_layer=1, n_embd=16)).state_dict(), buffer)
    return buffer.getvalue()


def gan_model(change) -> bytes:
    """A GAN checkpoint trained on a CSV, after ``change(tensors, meta)``."""
    rows = csv(f"{i},{i * i % 7}\n" for i in range(30))
    buffer = io.BytesIO()
    GanTrainer(GanConfig(dataset="csv"), datasets.from_csv(rows)).save(buffer)
    tensors, meta = checkpoint.load(buffer.getvalue())
    change(tensors, meta)
    return checkpoint.dumps(tensors, meta)


def raw_safetensors(tensors: dict, meta: str = "{}", body: bytes = b"") -> bytes:
    """A file laid out as safetensors (header length, JSON header, bytes), whatever its header."""
    header = json.dumps({**tensors, "__metadata__": {"genlab": meta}}).encode()
    return struct.pack("<Q", len(header)) + header + body


def deeply_nested(levels: int) -> bytes:
    """A valid safetensors file whose GenLab metadata is a list nested ``levels`` deep."""
    return raw_safetensors({}, "[" * levels + "]" * levels)


def csv(rows) -> bytes:
    return "".join(rows).encode()


def points(n: int) -> list[str]:
    return [f"{np.cos(i):.3f},{np.sin(2 * i):.3f}\n" for i in range(n)]


def gpt(**values) -> LMConfig:
    return LMConfig(**{"vocab_size": 65, "n_layer": 2, "n_head": 2, "n_embd": 32, **values})


def train_a_few_steps(**values) -> float:
    """Train a tiny GPT for 20 steps on the Portuguese sample; the last validation loss."""
    text = corpora.load_corpus("portuguese")[:20_000]
    tok = build_tokenizer("char", text)
    model = gpt(vocab_size=tok.vocab_size, **values)
    trainer = Trainer(text, tok, model, TrainConfig(batch_size=8, steps=20, eval_batches=1))
    while not trainer.done:
        trainer.run_for(1.0)
    return trainer.history[-1]["val_loss"]


def gan_diverges(**values) -> bool:
    """Train the ring GAN for up to 200 epochs; True once the divergence check fires."""
    trainer = GanTrainer(GanConfig.from_dict(values), datasets.builtin("ring"))
    for _ in range(20):
        trainer.train(10)
        if trainer.diverged():
            return True
    return False


def prompt(model: str, text: str):
    return probe.read_prompt(load_shipped(model), text)


def read_long_prompt():
    lm = load_shipped("shakespeare-char-gpt")
    ids = probe.read_prompt(lm, "To be, or not to be " * 5000).ids
    return probe.next_logits(lm, ids)


WORD_GPT, CHAR_GPT = "portuguese-word-gpt", "shakespeare-char-gpt"
TEXT, NEXT, GAN, JOIN = "/text", "/next", "/gan", "/join"
HTML_NICKNAME = "<img src=x onerror=alert(1)>**Ana**"


def join_class(nickname: str = "Ana", code: str | None = None) -> store.Member:
    """What /join does: the code and nickname typed, with a new participant's key."""
    return store.join(code or store.create("1_next_word").code, runs.new_owner(), nickname)


def step_after_class_deleted() -> store.Member:
    """A participant presses Next after the instructor deleted the class."""
    member = join_class()
    store.load(member.code).delete()
    return member.save(step=1)


def lesson_with_room(room: str) -> lessons.Lesson:
    texts = '{ en = "A", pt-BR = "B" }'
    step = f'[[steps]]\nroom = "{room}"\ntitle = {texts}\ntext = {texts}\ntask = {texts}\n'
    return lessons.parse("custom", f"title = {texts}\n{step}")


CASES = [
    # Text uploads (/text: "My own text")
    Case("Empty text file", TEXT, lambda: upload(b""), "text.err_empty_text"),
    Case(
        "Binary file (every byte value)",
        TEXT,
        lambda: upload(bytes(range(256)) * 64),
        "text.err_binary",
    ),
    Case("PNG image renamed .txt", TEXT, lambda: upload(PNG, "photo.txt"), "text.err_binary"),
    Case(
        "Text file with NUL bytes",
        TEXT,
        lambda: upload(b"hello\x00world\n" * 200),
        "text.err_binary",
    ),
    Case(
        "Text over the 20 MB limit",
        TEXT,
        lambda: upload(b"a" * 21 * MB),
        "text.err_upload_too_large",
    ),
    Case("A PDF", TEXT, lambda: upload(b"%PDF-1.4", "notes.pdf"), "text.err_upload_type"),
    Case(
        "UTF-16 without a byte-order mark",
        TEXT,
        lambda: upload(PT.encode("utf-16-le") * 4),
        "text.err_utf16",
    ),
    Case(
        "Latin-1 (Windows) Portuguese text",
        TEXT,
        lambda: upload(PT.encode("latin-1") * 20),
        accepted="Read as text: accents (ã, ç) kept",
        check=lambda prep: {"ã", "ç"} <= set(prep.tokenizer.tokens),
    ),
    Case(
        "UTF-16 with a byte-order mark",
        TEXT,
        lambda: upload(PT.encode("utf-16") * 1),
        accepted="Read as text",
        check=lambda prep: "ç" in prep.tokenizer.tokens,
    ),
    Case(
        ".md file with Markdown and HTML inside",
        TEXT,
        lambda: corpora.decode_upload(b"# Hi\n<script>alert(1)</script> **bold**\n" * 20, "a.md"),
        accepted="Read as plain text: shown as typed, never rendered",
        check=lambda text: text.startswith("# Hi\n<script>alert(1)</script> **bold**"),
    ),
    Case(
        "One 5 MB line without a line break (BPE tokenizer)",
        TEXT,
        timed(lambda: upload((PT * 60_000)[: 5 * MB].encode(), kind="bpe", vocab=512)),
        accepted="Read and tokenized in seconds (BPE reads long lines in pieces)",
        check=lambda r: r[1] < 60 and max(map(len, r[0].tokenizer.tokens)) <= BPE_CHUNK,
    ),
    Case(
        "One 5 MB word (word tokenizer)",
        TEXT,
        timed(lambda: upload(b"a" * 5 * MB, kind="word")),
        accepted=f"Read; the word is cut into {MAX_WORD}-character pieces",
        check=lambda r: r[1] < 30 and r[0].tokenizer.tokens == ["a" * MAX_WORD],
    ),
    Case(
        "Text shorter than the model's context",
        TEXT,
        lambda: Trainer(PT, build_tokenizer("char", PT), gpt(block_size=64), TrainConfig()),
        "text.err_text_too_short",
    ),
    Case(
        "Text made of one repeated character",
        TEXT,
        lambda: Trainer(
            "a" * 5000, build_tokenizer("char", "ab"), gpt(block_size=8), TrainConfig()
        ),
        "text.err_one_token",
    ),
    # Model files (/text: "Upload a model")
    Case("Empty model file", TEXT, lambda: load_lm(b""), "common.err_checkpoint_empty"),
    Case(
        "PyTorch pickle (torch.save) renamed .safetensors",
        TEXT,
        lambda: load_lm(pickle_file()),
        "common.err_checkpoint_pickle",
    ),
    Case(
        "PNG image renamed .safetensors",
        TEXT,
        lambda: load_lm(PNG),
        "common.err_checkpoint_not_safetensors",
    ),
    Case(
        "Truncated model file (second half cut off)",
        TEXT,
        lambda: load_lm(small_lm()[: len(small_lm()) // 2]),
        "common.err_checkpoint_truncated",
    ),
    Case(
        "safetensors file from another program (no GenLab metadata)",
        TEXT,
        lambda: load_lm(safetensors.torch.save({"w": torch.zeros(2)})),
        "common.err_checkpoint_not_genlab",
    ),
    Case(
        "GenLab metadata that is a list, not an object",
        TEXT,
        lambda: load_lm(
            safetensors.torch.save({"w": torch.zeros(2)}, metadata={"genlab": "[1, 2]"})
        ),
        "common.err_checkpoint_malformed",
    ),
    Case(
        "A GAN model opened in the text room",
        TEXT,
        lambda: load_lm(tampered(lambda t, m: m.update(kind="genlab.gan"))),
        "common.err_checkpoint_kind",
    ),
    Case(
        "Weights of the wrong shape",
        TEXT,
        lambda: load_lm(tampered(with_wrong_shape)),
        "common.err_checkpoint_shape",
    ),
    Case(
        "Weights holding NaN",
        TEXT,
        lambda: load_lm(tampered(with_nan)),
        "common.err_checkpoint_not_finite",
    ),
    Case(
        "Config: 10⁹ layers",
        TEXT,
        lambda: load_lm(with_config(n_layer=10**9)),
        "text.err_too_many_layers",
    ),
    Case(
        "Config: vocabulary size -1",
        TEXT,
        lambda: load_lm(with_config(vocab_size=-1)),
        "text.err_vocab_too_small",
    ),
    Case(
        "Config: context length 0",
        TEXT,
        lambda: load_lm(with_config(block_size=0)),
        "text.err_block_size",
    ),
    Case(
        "Config: width 15 with 2 heads",
        TEXT,
        lambda: load_lm(with_config(n_embd=15)),
        "text.err_heads_width",
    ),
    Case(
        "Config: width 10⁶ (10¹³ parameters)",
        TEXT,
        lambda: load_lm(with_config(n_embd=10**6)),
        "text.err_too_big",
    ),
    Case(
        "Config: text where a number goes",
        TEXT,
        lambda: load_lm(with_config(n_layer="many")),
        "text.err_config",
    ),
    Case(
        "Config that is not an object",
        TEXT,
        lambda: load_lm(tampered(lambda t, m: m.update(config=[1]))),
        "text.err_config",
    ),
    # Training settings (/text: model and training; the worker validates them again)
    Case(
        "Learning rate 1000",
        TEXT,
        lambda: TrainConfig(lr=1000.0).validate(),
        "text.err_learning_rate",
    ),
    Case(
        "Learning rate NaN",
        TEXT,
        lambda: TrainConfig(lr=float("nan")).validate(),
        "text.err_learning_rate",
    ),
    Case("Zero layers", TEXT, lambda: gpt(n_layer=0).validate(), "text.err_gpt_sizes"),
    Case("Batch size 0", TEXT, lambda: TrainConfig(batch_size=0).validate(), "text.err_batch_size"),
    Case("0 training steps", TEXT, lambda: TrainConfig(steps=0).validate(), "text.err_steps"),
    Case("Dropout 1", TEXT, lambda: gpt(dropout=1.0).validate(), "text.err_dropout"),
    Case(
        "Adam beta2 = 2",
        TEXT,
        lambda: TrainConfig(beta2=2.0).validate(),
        "text.err_optimizer_settings",
    ),
    Case(
        "Evaluation on 0 batches",
        TEXT,
        lambda: TrainConfig(eval_batches=0).validate(),
        "text.err_train_settings",
    ),
    Case(
        "Model over GENLAB_MAX_PARAMS (16 M by default)",
        TEXT,
        lambda: gpt(n_layer=12, n_head=12, n_embd=768).validate(),
        "text.err_too_big",
    ),
    Case(
        "Batch 512 × context 512 with a 50,000-word vocabulary",
        TEXT,
        lambda: TrainConfig(batch_size=512).check_fits(gpt(vocab_size=50_000, block_size=512)),
        "text.err_batch_memory",
    ),
    Case(
        "Context of 1 token",
        TEXT,
        lambda: train_a_few_steps(block_size=1),
        accepted="Trains: the model sees one token, like a bigram",
        check=lambda loss: np.isfinite(loss),
    ),
    # GAN data (/gan: "Upload a CSV")
    Case("Empty CSV", GAN, lambda: datasets.from_csv(b""), "gan.err_csv_empty"),
    Case(
        "Words instead of numbers",
        GAN,
        lambda: datasets.from_csv(b"a,b\nc,d\n" * 10),
        "gan.err_csv_columns",
    ),
    Case("One column", GAN, lambda: datasets.from_csv(b"1\n2\n3\n" * 10), "gan.err_csv_columns"),
    Case(
        "Only NaN and infinity",
        GAN,
        lambda: datasets.from_csv(b"nan,1\ninf,2\n-inf,3\n" * 10),
        "gan.err_csv_too_few",
    ),
    Case("One point", GAN, lambda: datasets.from_csv(b"0.5,0.25\n"), "gan.err_csv_too_few"),
    Case(
        "The same point 20 times",
        GAN,
        lambda: datasets.from_csv(b"1,2\n" * 20),
        "gan.err_csv_same_point",
    ),
    Case(
        "A million points",
        GAN,
        lambda: datasets.from_csv(b"1,2\n" * 1_000_000),
        "gan.err_csv_too_many",
    ),
    Case(
        "CSV over the 5 MB limit",
        GAN,
        lambda: datasets.from_csv(b"1.5,2.5\n" * 700_000),
        "gan.err_csv_too_big",
    ),
    Case("Binary file renamed .csv", GAN, lambda: datasets.from_csv(PNG), "gan.err_csv_unreadable"),
    Case(
        "Semicolons and decimal commas (x;y header)",
        GAN,
        lambda: datasets.from_csv(
            b"x;y\n" + csv(p.replace(",", ";").replace(".", ",") for p in points(50))
        ),
        accepted="Read: 50 points",
        check=lambda ds: len(ds.points) == 50,
    ),
    Case(
        "Header row and a blank line",
        GAN,
        lambda: datasets.from_csv(b"x,y\n\n" + csv(points(30))),
        accepted="Read: the header is skipped",
        check=lambda ds: len(ds.points) == 30,
    ),
    Case(
        "Excel 'Unicode text' (UTF-16, tabs)",
        GAN,
        lambda: datasets.from_csv(
            ("x\ty\n" + "".join(p.replace(",", "\t") for p in points(20))).encode("utf-16")
        ),
        accepted="Read: 20 points",
        check=lambda ds: len(ds.points) == 20,
    ),
    Case(
        "Values of ±10³⁰⁸",
        GAN,
        lambda: datasets.from_csv(csv(f"{(-1) ** i * 1e308},{i}\n" for i in range(20))),
        accepted="Read and rescaled to the view",
        check=lambda ds: np.isfinite(ds.points).all() and np.abs(ds.points).max() > 0.5,
    ),
    # GAN model files (/gan: "Load a model")
    Case(
        "PyTorch pickle opened in the GAN room",
        GAN,
        lambda: GanTrainer.load(pickle_file()),
        "common.err_checkpoint_pickle",
    ),
    Case(
        "GAN model whose settings are a list",
        GAN,
        lambda: GanTrainer.load(gan_model(lambda t, m: m.update(config=[1]))),
        "gan.err_settings_unreadable",
    ),
    Case(
        "GAN model whose stored points hold NaN",
        GAN,
        lambda: GanTrainer.load(gan_model(lambda t, m: t["data.points"].fill_(float("nan")))),
        "gan.err_checkpoint_shape",
    ),
    Case(
        "GAN model whose stored points have 3 columns",
        GAN,
        lambda: GanTrainer.load(
            gan_model(lambda t, m: t.update({"data.points": torch.rand(20, 3)}))
        ),
        "gan.err_checkpoint_shape",
    ),
    Case(
        "GAN model whose weights hold NaN",
        GAN,
        lambda: GanTrainer.load(gan_model(lambda t, m: t["g.0"].fill_(float("nan")))),
        "common.err_checkpoint_not_finite",
    ),
    Case(
        "GAN model at epoch -5",
        GAN,
        lambda: GanTrainer.load(gan_model(lambda t, m: m.update(epoch=-5))),
        "common.err_checkpoint_malformed",
    ),
    Case(
        "Model file whose metadata is [[[[…]]]] nested 50,000 levels deep",
        GAN,
        lambda: GanTrainer.load(deeply_nested(50_000)),
        "common.err_checkpoint_malformed",
    ),
    Case(
        "Model file whose header announces a tensor of shape [Infinity]",
        GAN,
        lambda: GanTrainer.load(
            raw_safetensors(
                {"w": {"dtype": "F32", "shape": [math.inf], "data_offsets": [0, 4]}}, "{}", bytes(4)
            )
        ),
        "common.err_checkpoint_malformed",
    ),
    # GAN settings (/gan: hyperparameters, also read from the URL)
    Case("0 neurons", GAN, lambda: GanConfig.from_dict({"g_neurons": 0}), "gan.err_range"),
    Case(
        "Discriminator learning rate 1000",
        GAN,
        lambda: GanConfig.from_dict({"d_lr": 1000.0}),
        "gan.err_range",
    ),
    Case(
        "Text where a number goes (URL ?g_lr=abc)",
        GAN,
        lambda: GanConfig.from_query({"g_lr": "abc"}),
        "gan.err_not_number",
    ),
    Case(
        "Learning rate 100 (the highest allowed)",
        GAN,
        lambda: gan_diverges(g_lr=100.0, d_lr=100.0),
        accepted="Training pauses itself at the last good weights and says it blew up",
        check=lambda diverged: diverged,
    ),
    # Prompts (/next)
    Case("Empty prompt", NEXT, lambda: prompt(WORD_GPT, "   "), "next.err_prompt_empty"),
    Case("Only emoji", NEXT, lambda: prompt(WORD_GPT, "🙂🚀"), "next.err_prompt_unknown"),
    Case(
        "Only words the vocabulary lacks",
        NEXT,
        lambda: prompt(WORD_GPT, "xyzzy plugh"),
        "next.err_prompt_unknown",
    ),
    Case(
        "Known words mixed with an emoji",
        NEXT,
        lambda: prompt(WORD_GPT, "Glauco 🙂 gosta"),
        accepted="The unknown piece is left out, with a warning naming it",
        check=lambda p: p.unknown == ["🙂"] and len(p.ids) == 2,
    ),
    Case(
        "Characters a character vocabulary lacks (Ω, ж)",
        NEXT,
        lambda: prompt(CHAR_GPT, "Ωж to be"),
        accepted="Those characters are left out, with a warning naming them",
        check=lambda p: p.unknown == ["Ω", "ж"] and len(p.ids) == 6,
    ),
    Case(
        "A 100,000-character prompt",
        NEXT,
        timed(read_long_prompt),
        accepted="Read: the model looks at its last context-length tokens (a note says so)",
        check=lambda r: r[1] < 5 and torch.isfinite(r[0]).all(),
    ),
    Case("A wrong class code", JOIN, lambda: join_class(code="QQQQQ"), "class.err_code"),
    Case(
        "A nickname of 10,000 characters",
        JOIN,
        lambda: join_class("x" * 10_000),
        "class.err_nickname_long",
    ),
    Case(
        "A nickname with HTML and Markdown",
        JOIN,
        lambda: join_class(HTML_NICKNAME),
        accepted="Kept as typed and shown as plain text on the dashboard (never as HTML)",
        check=lambda m: m.nickname == HTML_NICKNAME,
    ),
    Case(
        "The class is deleted while participants are in it",
        JOIN,
        step_after_class_deleted,
        "class.err_gone",
    ),
    Case(
        "A lesson file whose step names a room that does not exist",
        "lessons",
        lambda: lesson_with_room("kitchen"),
        "class.err_lesson_room",
    ),
]


def seen(case: Case) -> str:
    """What the participant sees, in English (docs/bad-input.md's third column)."""
    if case.key is None:
        return "Accepted. " + case.accepted
    with pytest.raises(UserError) as err:
        case.run()
    return translate("en", err.value.key, **err.value.params)


@pytest.mark.parametrize("case", CASES, ids=[c.case for c in CASES])
def test_each_bad_input_gets_a_translated_message_or_a_usable_result(case):
    if case.key is None:
        assert case.check(case.run())
        return
    with pytest.raises(UserError) as err:
        case.run()
    assert err.value.key == case.key
    en, pt = (translate(lang, case.key, **err.value.params) for lang in ("en", "pt-BR"))
    assert en != case.key and pt != case.key and en != pt
    assert "{" not in en + pt


def doc_table() -> list[tuple[str, str, str]]:
    section = DOC.read_text("utf-8").split("\n## Cases\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    return [
        tuple(cell.strip().replace("\\|", "|") for cell in row.strip("| ").split(" | "))
        for row in rows
    ]


def table() -> str:
    lines = ["| Case | Room | What the participant sees |", "|---|---|---|"]
    for case in CASES:
        cells = (case.case, f"`{case.room}`", seen(case))
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def test_the_doc_table_lists_exactly_the_cases_tried():
    expected = [(c.case, f"`{c.room}`", seen(c)) for c in CASES]
    assert doc_table() == expected, "update docs/bad-input.md with: python -m tests.test_bad_input"


def test_the_model_size_limit_lets_the_lets_build_gpt_model_train_and_is_configurable(
    monkeypatch,
):
    lets_build_gpt = gpt(n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.2)
    assert 10_700_000 < lets_build_gpt.validate().param_count() < 10_900_000
    TrainConfig(batch_size=64).check_fits(lets_build_gpt)
    monkeypatch.setenv("GENLAB_MAX_PARAMS", "1000000")
    with pytest.raises(UserError) as err:
        lets_build_gpt.validate()
    assert err.value.key == "text.err_too_big" and err.value.params["limit"] == "1"
    monkeypatch.setenv("GENLAB_MAX_BATCH_MB", "10")
    with pytest.raises(UserError) as err:
        TrainConfig(batch_size=64).check_fits(gpt())
    assert err.value.key == "text.err_batch_memory"


if __name__ == "__main__":
    print(table())
