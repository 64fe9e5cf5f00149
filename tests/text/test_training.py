"""The trainer: the same object runs under the CLI, the tests and the page's worker."""

import itertools
import math
import time
from dataclasses import replace

import pytest
import torch

from genlab import checkpoint, jobs, runs
from genlab.errors import UserError
from genlab.i18n import translate
from genlab.text.checkpoint import dumps, load_lm
from genlab.text.corpora import load_corpus
from genlab.text.models import LMConfig, build_model
from genlab.text.tokenizers import build_tokenizer
from genlab.text.training import (
    GPT_PRESETS,
    MODEL_FILE,
    RESUME_FILE,
    TrainConfig,
    Trainer,
    preset,
    references,
    sample_text,
    split_loss,
    trainer_from_params,
)

TEXT = load_corpus("portuguese")[:30_000]
TINY_GPT = LMConfig(model="gpt", block_size=16, n_layer=1, n_head=2, n_embd=32)
FAST = TrainConfig(
    batch_size=16,
    lr=1e-2,
    min_lr=1e-3,
    warmup=5,
    steps=60,
    eval_interval=20,
    eval_batches=2,
    sample_interval=30,
    sample_tokens=40,
    timeline_points=4,
)


def trainer(model=TINY_GPT, train=FAST, text=TEXT, kind="char"):
    return Trainer(text, build_tokenizer(kind, text), model, train, "portuguese")


def run_to_end(tr):
    while not tr.done:
        tr.run_for(10)
    return tr


def test_gpt_loss_falls_below_the_count_bigram_reference_line():
    tr = run_to_end(trainer(train=replace(FAST, steps=150), kind="word"))
    first, last = tr.history[0], tr.history[-1]
    assert first["step"] == 0 and last["step"] == 150
    assert first["val_loss"] == pytest.approx(tr.refs["uniform"], abs=0.3)
    assert last["val_loss"] < tr.refs["bigram"] < tr.refs["unigram"]
    assert last["train_loss"] < first["train_loss"] - 1.0
    assert all(r["tokens_per_s"] > 0 for r in tr.history[1:])


@pytest.mark.parametrize("clip", [0.0, 0.05])
def test_grad_clip_caps_the_norm_of_the_gradient_the_optimizer_steps_with(clip):
    tr = trainer(train=replace(FAST, steps=3, grad_clip=clip))
    norms = []
    (adamw,) = tr.optimizers
    step = adamw.step
    adamw.step = lambda: (norms.append(_grad_norm(tr.model)), step())[1]
    run_to_end(tr)
    assert len(norms) == 3
    if clip:
        assert max(norms) == pytest.approx(clip, rel=1e-3)  # the untrained model's are larger
    else:
        assert min(norms) > 0.05


def _grad_norm(model) -> float:
    return torch.nn.utils.get_total_norm([p.grad for p in model.parameters()]).item()


def test_muon_trains_the_blocks_matrices_and_adamw_the_rest():
    tr = trainer(train=replace(FAST, optimizer="muon", steps=150), kind="word")
    adamw, muon = tr.optimizers
    assert isinstance(muon, torch.optim.Muon) and isinstance(adamw, torch.optim.AdamW)
    names = {n for n, _ in tr.model.named_parameters()}
    assert _names(tr.model, muon) == {
        "blocks.0.attn.c_attn.weight",
        "blocks.0.attn.c_proj.weight",
        "blocks.0.mlp.c_fc.weight",
        "blocks.0.mlp.c_proj.weight",
    }
    assert _names(tr.model, adamw) == names - _names(tr.model, muon)  # wte: the tied head too
    run_to_end(tr)
    assert tr.history[-1]["val_loss"] < tr.refs["bigram"]
    assert tr.history[-1]["train_loss"] < tr.history[0]["train_loss"] - 1.0


def _names(model, optimizer) -> set[str]:
    held = [p for group in optimizer.param_groups for p in group["params"]]
    return {n for n, p in model.named_parameters() if any(p is q for q in held)}


def test_an_unknown_optimizer_is_refused_with_a_translated_message():
    with pytest.raises(UserError) as err:
        TrainConfig.from_dict({**FAST.to_dict(), "optimizer": "sgd"})
    assert err.value.key == "text.err_optimizer"
    assert translate("pt-BR", err.value.key, **err.value.params) == (
        "Otimizador desconhecido sgd (conhecidos: adamw, muon)."
    )


def test_the_optimizer_is_kept_in_the_checkpoint_meta():
    tr = run_to_end(trainer(train=replace(FAST, optimizer="muon", steps=2)))
    train = load_lm(dumps(tr.result("t"))).meta["train"]
    assert TrainConfig.from_dict(train).optimizer == "muon"


def test_evaluations_samples_and_timeline_are_kept_on_schedule():
    tr = run_to_end(trainer())
    assert [r["step"] for r in tr.history] == [0, 20, 40, 60]
    assert [s for s, _ in tr.samples] == [0, 30, 60]
    assert all(isinstance(t, str) and t for _, t in tr.samples)
    assert [s for s, _ in tr.timeline] == [0, 20, 40, 60]
    assert tr.timeline[0][1].shape == (tr.cfg.vocab_size, 32)
    assert not torch.equal(tr.timeline[0][1], tr.timeline[-1][1])


def test_the_same_seed_gives_the_same_run():
    a, b = run_to_end(trainer()), run_to_end(trainer())
    assert [r["val_loss"] for r in a.history] == [r["val_loss"] for r in b.history]
    assert a.samples == b.samples


def test_automatic_intervals_give_about_40_evaluations_and_8_samples():
    tr = run_to_end(trainer(train=replace(FAST, steps=80, eval_interval=0, sample_interval=0)))
    assert [r["step"] for r in tr.history] == list(range(0, 81, 2))
    assert [s for s, _ in tr.samples] == list(range(0, 81, 10))
    assert [s for s, _ in tr.snapshot()["batch_losses"]] == list(range(1, 81))


def test_progress_and_remaining_time_estimate():
    tr = trainer()
    assert tr.progress() == 0 and tr.remaining() is None
    tr.run_for(0)
    tr.run_for(0)
    assert tr.step == 1 and tr.progress() == pytest.approx(1 / 60)
    assert tr.remaining() > 0


def test_max_seconds_stops_a_long_run():
    tr = trainer(train=replace(FAST, steps=100_000, max_seconds=0.5))
    start = time.perf_counter()
    run_to_end(tr)
    assert time.perf_counter() - start < 10
    assert tr.step < 100_000 and tr.progress() == 1.0


def test_count_bigram_is_counted_in_one_step_and_matches_the_reference():
    cfg, train = preset("count-bigram", 2)
    tr = run_to_end(trainer(model=cfg, train=train))
    assert tr.step == 1
    assert tr.history[-1]["val_loss"] == pytest.approx(tr.refs["bigram"], abs=0.15)


def test_neural_bigram_learns_towards_the_count_bigram():
    cfg, train = preset("bigram", 2)
    tr = run_to_end(trainer(model=cfg, train=replace(train, steps=300, eval_interval=100)))
    assert tr.history[-1]["val_loss"] < tr.refs["bigram"] + 0.3


def test_references_are_ordered_uniform_unigram_bigram():
    tok = build_tokenizer("char", TEXT)
    ids = torch.tensor(tok.encode(TEXT))
    refs = references(ids[:27_000], ids[27_000:], tok.vocab_size)
    assert refs["uniform"] == pytest.approx(math.log(tok.vocab_size))
    assert refs["uniform"] > refs["unigram"] > refs["bigram"]


def test_learning_rate_warms_up_then_decays_to_the_minimum():
    tr = trainer()
    lrs = [tr.lr_at(s) for s in range(61)]
    assert lrs[0] < lrs[4] == pytest.approx(FAST.lr)
    assert lrs[-1] == pytest.approx(FAST.min_lr)
    assert all(a >= b for a, b in itertools.pairwise(lrs[5:]))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Glauco gosta de comer peras.", "text.err_text_too_short"),
        ("a" * 5000, "text.err_one_token"),
    ],
)
def test_texts_that_cannot_train_are_user_errors(text, key):
    with pytest.raises(UserError) as err:
        trainer(text=text)
    assert err.value.key == key


def test_bad_training_settings_are_user_errors():
    changes = (
        {"batch_size": 0},
        {"lr": 0.0},
        {"steps": 0},
        {"lr": 1e-3, "min_lr": 1e-2},
        {"grad_clip": -1.0},
        {"grad_clip": math.inf},
    )
    for change in changes:
        with pytest.raises(UserError):
            replace(FAST, **change).validate()


def test_every_gpt_preset_is_a_valid_config():
    for name in GPT_PRESETS:
        model_cfg, train_cfg = preset("gpt", 65, name)
        model_cfg.validate()
        train_cfg.validate()
    with pytest.raises(UserError):
        preset("gpt", 65, "1 hour")


def test_result_samples_are_reproducible_from_the_checkpoint():
    tr = run_to_end(trainer())
    lm = load_lm(dumps(tr.result("t")))
    assert lm.meta["steps"] == 60 and lm.meta["corpus"] == "portuguese"
    original = sample_text(tr.model, tr.tokenizer, tr.cfg, 50, seed=3)
    assert sample_text(lm.model, lm.tokenizer, lm.config, 50, seed=3) == original
    assert sample_text(lm.model, lm.tokenizer, lm.config, 50, seed=4) != original


def _params(**train):
    return {
        "corpus": "upload:mine.txt",
        "text": TEXT,
        "tokenizer": "char",
        "vocab_size": None,
        "model": TINY_GPT.to_dict(),
        "train": {**FAST.to_dict(), **train},
        "title": "mine",
    }


def test_jobs_task_trains_in_a_worker_with_pause_resume_and_stop():
    job = jobs.start("genlab.text.training:run", _params(steps=100_000), interval=0.05)
    try:
        deadline = time.time() + 60
        while (job.snapshot is None or job.snapshot["step"] < 5) and time.time() < deadline:
            time.sleep(0.05)
        job.pause()
        time.sleep(0.5)
        paused_at = job.snapshot["step"]
        time.sleep(0.5)
        assert job.status == "paused" and job.snapshot["step"] - paused_at <= 1
        job.resume()
        time.sleep(0.5)
        job.stop()
        assert job.wait(30)
    finally:
        job.stop()
    assert job.status in ("stopped", "finished")
    assert job.snapshot["step"] > paused_at
    assert any("val_loss" in r for r in job.log)
    lm = load_lm(job.result["checkpoint"])
    assert lm.meta["corpus"] == "upload:mine.txt" and lm.meta["steps"] >= paused_at


def test_params_with_a_text_too_short_are_a_user_error():
    with pytest.raises(UserError) as err:
        trainer_from_params({**_params(), "text": "too short"})
    assert err.value.params["tokens"] == 9


@pytest.mark.parametrize("optimizer", ["adamw", "muon"])
def test_a_resumed_run_continues_exactly_where_it_stopped(tmp_path, optimizer):
    train = replace(FAST, optimizer=optimizer)
    whole = trainer(train=train)
    whole.run_for(0)
    while whole.step < 40:
        whole.run_for(0)
    first = trainer(train=train)
    first.run_for(0)
    while first.step < 20:
        first.run_for(0)
    runs.keep({"run_dir": str(tmp_path)}, {})  # no files: nothing written, no error
    (tmp_path / MODEL_FILE).write_bytes(dumps(first.result("t")))
    (tmp_path / RESUME_FILE).write_bytes(checkpoint.dumps(*first.state()))
    again = trainer_from_params({**_params(optimizer=optimizer), "resume": str(tmp_path)})
    assert again.step == 20 and again.history == first.history
    while again.step < 40:
        again.run_for(0)
    for a, b in zip(whole.model.parameters(), again.model.parameters(), strict=True):
        assert torch.allclose(a, b, atol=1e-5)
    assert [round(r["val_loss"], 5) for r in again.history] == [
        round(r["val_loss"], 5) for r in whole.history
    ]


def test_resume_files_that_do_not_match_the_settings_are_a_user_error(tmp_path):
    first = trainer()
    first.run_for(0)
    (tmp_path / MODEL_FILE).write_bytes(dumps(first.result("t")))
    (tmp_path / RESUME_FILE).write_bytes(checkpoint.dumps(*first.state()))
    wider = {**_params(), "model": {**TINY_GPT.to_dict(), "n_embd": 64}, "resume": str(tmp_path)}
    with pytest.raises(UserError) as err:
        trainer_from_params(wider)
    assert err.value.key == "text.err_resume"


def test_a_job_with_a_run_directory_saves_the_model_and_its_resume_state(tmp_path):
    job = jobs.start("genlab.text.training:run", {**_params(), "run_dir": str(tmp_path)})
    assert job.wait(60) and job.status == "finished", job.error
    assert load_lm(tmp_path / MODEL_FILE).meta["steps"] == FAST.steps
    tensors, meta = checkpoint.load(tmp_path / RESUME_FILE)
    assert meta["step"] == FAST.steps and any(k.startswith("optim.") for k in tensors)


def test_a_training_that_diverges_stops_with_a_message_naming_the_step():
    tr = trainer()
    tr.run_for(0)
    tr.run_for(0)
    with torch.no_grad():
        next(tr.model.parameters()).fill_(float("inf"))
    with pytest.raises(UserError) as err:
        tr.run_for(10)
    assert err.value.key == "text.err_diverged" and err.value.params["step"] == 2
    assert tr.step == 1


def test_the_worker_refuses_a_batch_too_big_for_the_memory_limit(monkeypatch):
    monkeypatch.setenv("GENLAB_MAX_BATCH_MB", "1")
    with pytest.raises(UserError) as err:
        trainer_from_params(_params(batch_size=512))
    assert err.value.key == "text.err_batch_memory"


@pytest.mark.parametrize("n", [49, 50, 51, 7])
def test_whole_split_loss_predicts_every_token_once_with_its_window_context(n):
    # By hand: token i+1 is predicted from the tokens of its window of 16 up to i.
    torch.manual_seed(0)
    model = build_model(replace(TINY_GPT, vocab_size=11)).train()
    ids = torch.randint(11, (n,))
    total = 0.0
    for i in range(n - 1):
        start = i - i % 16
        logits = model(ids[start : i + 1][None])[0][0, -1]
        total -= logits.log_softmax(-1)[ids[i + 1]].item()
    assert split_loss(model, ids, 16, batch=2) == pytest.approx(total / (n - 1), rel=1e-5)
    assert model.training  # put back as it was


def test_whole_split_loss_of_the_count_bigram_is_its_reference_line():
    tr = run_to_end(trainer(model=LMConfig(model="count-bigram", block_size=8)))
    loss = split_loss(tr.model, tr.val_ids, 8)
    assert loss == pytest.approx(tr.refs["bigram"], rel=1e-5)


def test_the_last_evaluation_and_the_checkpoint_give_the_whole_split_validation_loss():
    tr = run_to_end(trainer())
    whole = split_loss(tr.model, tr.val_ids, TINY_GPT.block_size)
    assert tr.history[-1]["val_loss_full"] == pytest.approx(whole)
    assert all("val_loss_full" not in r for r in tr.history[:-1])  # cheap batches until the end
    assert load_lm(dumps(tr.result())).meta["val_loss_full"] == pytest.approx(whole)
    assert tr.train_cpu > 0
