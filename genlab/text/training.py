"""Training a language model: one Trainer object for the CLI, the tests and the page's worker.

The trainer advances in short chunks (``run_for``) so that a caller can pause, stop, draw or
print between them. It evaluates train and validation loss on small fixed batches during the run
(cheap) and on the whole validation split at the end (``val_loss_full``), measures tokens/s,
keeps a sample of generated text every few steps and the token embeddings at up to
``timeline_points`` steps.
"""

import functools
import math
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import torch
import torch.nn.functional as F

from genlab import checkpoint, device, runs
from genlab.errors import UserError
from genlab.settings import Settings, errors
from genlab.text import corpora, data
from genlab.text.checkpoint import LanguageModel, dumps, load_lm
from genlab.text.models import CountBigram, LMConfig, build_model, generate
from genlab.text.tokenizers import Tokenizer, build_tokenizer

EVAL_BATCH = 32
MAX_STEPS = 200_000
MAX_BATCH_POINTS = 400
DEFAULT_MAX_BATCH_MB = 6144
SAVE_EVERY_S = 15.0
MODEL_FILE, RESUME_FILE = "model.safetensors", "resume.safetensors"
RESUME_KIND = "genlab.text.resume"
# names of the optimizers' moments in a resume file: AdamW's, then Muon's (``optimizer="muon"``)
OPTIM_PREFIXES = ("optim", "muon")
OPTIMIZERS = ("adamw", "muon")


@dataclass
class TrainConfig(Settings):
    """How to train: batch, learning-rate schedule (warmup then cosine), length and reporting.

    ``grad_clip``: the largest norm of the whole gradient (scaled down above it, as nanoGPT does
    at 1.0); 0 leaves it alone. ``optimizer``: "adamw", or "muon" (``torch.optim.Muon``) for the
    GPT blocks' weight matrices with AdamW for the other parameters, same learning rate."""

    batch_size: int = 32
    lr: float = 3e-3
    min_lr: float = 3e-4
    warmup: int = 50
    steps: int = 1500
    max_seconds: float = 0.0
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.99
    grad_clip: float = 0.0
    optimizer: str = "adamw"
    eval_interval: int = 0
    eval_batches: int = 2
    sample_interval: int = 0
    sample_tokens: int = 200
    timeline_points: int = 20
    seed: int = 1337

    ERRORS = errors("text.err_config")

    def validate(self) -> "TrainConfig":
        if not 1 <= self.batch_size <= 1024:
            raise UserError("text.err_batch_size", size=self.batch_size)
        if not 0 < self.lr <= 1.0 or not 0 <= self.min_lr <= self.lr:
            raise UserError("text.err_learning_rate", lr=self.lr)
        if not 1 <= self.steps <= MAX_STEPS:
            raise UserError("text.err_steps", steps=self.steps, high=MAX_STEPS)
        counts = (self.warmup, self.eval_interval, self.sample_interval, self.sample_tokens)
        if (
            min(*counts, self.timeline_points, self.max_seconds) < 0
            or not math.isfinite(self.max_seconds)
            or self.eval_batches < 1
            or not 0 <= self.seed < 2**63
        ):
            raise UserError("text.err_train_settings")
        if not (
            0 <= self.beta1 < 1
            and 0 <= self.beta2 < 1
            and 0 <= self.weight_decay <= 10
            and 0 <= self.grad_clip < math.inf
        ):
            raise UserError("text.err_optimizer_settings")
        if self.optimizer not in OPTIMIZERS:
            raise UserError("text.err_optimizer", name=self.optimizer, known=", ".join(OPTIMIZERS))
        return self

    def check_fits(self, model: LMConfig) -> "TrainConfig":
        """Refuse a batch whose activations would not fit in ``GENLAB_MAX_BATCH_MB`` of memory
        (an estimate, measured within 15 %: 26 numbers per layer and width, and 4 per logit, for
        each token; "Let's build GPT" with batch 64 needs about 3.9 GB)."""
        per_token = model.n_layer * model.n_embd * 26 if model.model == "gpt" else 0
        per_token += 4 * model.vocab_size
        mb = self.batch_size * model.block_size * per_token * 4 / 2**20
        limit = int(os.environ.get("GENLAB_MAX_BATCH_MB", DEFAULT_MAX_BATCH_MB))
        if mb > limit:
            raise UserError("text.err_batch_memory", mb=mb, limit=limit)
        return self


# Presets are named by what they cost on the 2-core development machine (one thread, quiet);
# the larger ones were sized by their compute per token. "1min" is tuned for the time to a
# validation loss (docs/benchmarks.md): batch 16 (more updates for the same tokens than 32),
# short warmup, no weight decay, ReLU squared, the gradient clipped at 1.0 (without it some seeds
# start badly and end 0.2 higher), Muon for the blocks' matrices (0.04-0.06 lower than AdamW after
# the same CPU seconds: 770 Muon steps cost what 1,000 AdamW steps did); about 65 ms CPU a step.
GPT_PRESETS: dict[str, tuple[dict, dict]] = {
    "1min": (
        {
            "n_layer": 3,
            "n_head": 4,
            "n_embd": 96,
            "block_size": 64,
            "dropout": 0.0,
            "activation": "relu2",
        },
        {
            "batch_size": 16,
            "lr": 5e-3,
            "min_lr": 5e-4,
            "warmup": 30,
            "steps": 770,
            "weight_decay": 0.0,
            "grad_clip": 1.0,
            "optimizer": "muon",
        },
    ),
    "5min": (
        {"n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": 128, "dropout": 0.0},
        {"batch_size": 32, "lr": 3e-3, "min_lr": 3e-4, "warmup": 100, "steps": 1000},
    ),
    "20min": (
        {"n_layer": 6, "n_head": 6, "n_embd": 192, "block_size": 128, "dropout": 0.1},
        {"batch_size": 32, "lr": 2e-3, "min_lr": 2e-4, "warmup": 150, "steps": 1200},
    ),
    "nanogpt-cpu": (
        {"n_layer": 4, "n_head": 4, "n_embd": 128, "block_size": 64, "dropout": 0.0},
        {
            "batch_size": 12,
            "lr": 1e-3,
            "min_lr": 1e-4,
            "warmup": 100,
            "steps": 2000,
            "beta2": 0.99,
            "grad_clip": 1.0,
        },
    ),
}
DEFAULT_PRESET = "1min"
BIGRAM_TRAIN = {"batch_size": 64, "lr": 0.1, "min_lr": 0.01, "warmup": 0, "steps": 1500}


def preset(model: str, vocab_size: int, name: str = DEFAULT_PRESET) -> tuple[LMConfig, TrainConfig]:
    """The (model config, training config) pair of a preset for a model kind and vocabulary."""
    if model != "gpt":
        return LMConfig(model=model, vocab_size=vocab_size, block_size=8), TrainConfig(
            **BIGRAM_TRAIN
        )
    if name not in GPT_PRESETS:
        raise UserError("text.err_preset", name=name, known=", ".join(GPT_PRESETS))
    shape, train = GPT_PRESETS[name]
    return LMConfig(model="gpt", vocab_size=vocab_size, **shape), TrainConfig(**train)


def check_data(ids: torch.Tensor, block_size: int) -> None:
    """Refuse a text too short for the context (validation needs a window) or made of one token."""
    need = 10 * (block_size + 2)
    if len(ids) < need:
        raise UserError("text.err_text_too_short", tokens=len(ids), need=need, block=block_size)
    if int(ids.min()) == int(ids.max()):
        raise UserError("text.err_one_token")


def references(train_ids: torch.Tensor, val_ids: torch.Tensor, vocab_size: int) -> dict:
    """Validation losses to beat: uniform guess (ln V), unigram frequencies, count bigram."""
    counts = torch.bincount(train_ids, minlength=vocab_size).float() + 1.0
    unigram = -(counts / counts.sum()).log()[val_ids].mean().item()
    bigram = CountBigram(LMConfig(model="count-bigram", vocab_size=vocab_size))
    bigram.fit(train_ids)
    logp = bigram.log_probs()
    return {
        "uniform": math.log(vocab_size),
        "unigram": unigram,
        "bigram": -logp[val_ids[:-1], val_ids[1:]].mean().item(),
    }


@torch.no_grad()
def split_loss(model, ids: torch.Tensor, block_size: int, batch: int = EVAL_BATCH) -> float:
    """Mean cross-entropy over EVERY next token of ``ids`` (a whole split), read in consecutive
    windows of ``block_size`` tokens (the last one shorter): each token is predicted once, with
    the context a training window gives it (1 to ``block_size`` tokens back)."""
    was_training = model.training
    model.eval()
    device_ = next(iter(model.state_dict().values())).device
    n = len(ids) - 1
    rows = n // block_size
    x = ids[: rows * block_size].view(rows, block_size)
    y = ids[1 : rows * block_size + 1].view(rows, block_size)
    chunks = list(zip(x.split(batch), y.split(batch), strict=True))
    if n > rows * block_size:
        chunks.append((ids[rows * block_size : n][None], ids[rows * block_size + 1 :][None]))
    total = 0.0
    for xb, yb in chunks:
        logits = model(xb.to(device_))[0]
        total += F.cross_entropy(
            logits.reshape(-1, logits.size(-1)), yb.to(device_).reshape(-1), reduction="sum"
        ).item()
    model.train(was_training)
    return total / n


# tokens of the untrained model's sample: noise at any length, and a full one (200 tokens, about a
# second) in each run's first turn kept a class's 30 runs from their first steps for 15 s or more
UNTRAINED_SAMPLE = 40


class Trainer:
    """Trains one model on one text; advance it with ``run_for(seconds)`` until ``done``."""

    def __init__(
        self,
        text: str,
        tokenizer: Tokenizer,
        model_cfg: LMConfig,
        train_cfg: TrainConfig,
        corpus: str = "upload",
        ids: torch.Tensor | None = None,
    ):
        """``ids``: ``text`` already encoded with ``tokenizer``, if at hand."""
        self.device = device.configure()
        self.tokenizer = tokenizer
        if ids is None:
            ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
        check_data(ids, model_cfg.block_size)
        self.cfg = replace(model_cfg, vocab_size=tokenizer.vocab_size).validate()
        self.tcfg = train_cfg.validate().check_fits(self.cfg)
        self.corpus = corpus
        self.train_ids, self.val_ids = data.split(ids)
        torch.manual_seed(self.tcfg.seed)
        self.model = build_model(self.cfg).to(self.device)
        self.batch_gen = torch.Generator().manual_seed(self.tcfg.seed)
        self.refs = references(self.train_ids, self.val_ids, self.cfg.vocab_size)
        t = self.cfg.block_size
        self.eval_sets = {
            split: [
                (x.to(self.device), y.to(self.device))
                for x, y in data.fixed_batches(
                    ids_, EVAL_BATCH, t, self.tcfg.eval_batches, self.tcfg.seed
                )
            ]
            for split, ids_ in (("train", self.train_ids), ("val", self.val_ids))
        }
        self.counting = isinstance(self.model, CountBigram)
        self.optimizers = [] if self.counting else self._optimizers()
        self.step = 0
        self.elapsed = 0.0
        self.train_time = 0.0
        self.train_cpu = 0.0  # CPU seconds of the steps (this session's; steadier when shared)
        self.tokens = 0
        self.history: list[dict] = []
        self.samples: list[tuple[int, str]] = []
        self.timeline: list[tuple[int, torch.Tensor]] = []
        self.batch_losses: list[tuple[int, float]] = []
        # 0 means automatic: about 40 evaluations and 8 samples per run.
        self.eval_every = self.tcfg.eval_interval or max(1, self.total_steps // 40)
        self.sample_every = self.tcfg.sample_interval or max(1, self.total_steps // 8)

    def _optimizers(self) -> list:
        """AdamW for every parameter; or, with ``optimizer="muon"``, Muon for the blocks' weight
        matrices and AdamW for the rest (embeddings and the tied output head, norms, biases)."""
        c = self.tcfg
        adamw = {"lr": c.lr, "betas": (c.beta1, c.beta2), "weight_decay": c.weight_decay}
        blocks = getattr(self.model, "blocks", None)
        hidden = [p for p in blocks.parameters() if p.ndim == 2] if blocks else []
        if c.optimizer == "adamw" or not hidden:
            return [torch.optim.AdamW(self.model.parameters(), **adamw)]
        in_muon = {id(p) for p in hidden}
        rest = [p for p in self.model.parameters() if id(p) not in in_muon]
        # Muon's updates scaled to AdamW's size, so that one learning rate and schedule serve both
        muon = torch.optim.Muon(
            hidden, lr=c.lr, weight_decay=c.weight_decay, adjust_lr_fn="match_rms_adamw"
        )
        return [torch.optim.AdamW(rest, **adamw), muon]

    @property
    def total_steps(self) -> int:
        return 1 if self.counting else self.tcfg.steps

    @property
    def done(self) -> bool:
        over_time = self.tcfg.max_seconds and self.elapsed >= self.tcfg.max_seconds
        return self.step >= self.total_steps or bool(over_time)

    def progress(self) -> float:
        """Fraction done, by steps or by the time limit, whichever is further."""
        frac = self.step / self.total_steps
        if self.tcfg.max_seconds:
            frac = max(frac, self.elapsed / self.tcfg.max_seconds)
        return min(frac, 1.0)

    def remaining(self) -> float | None:
        """Estimated seconds left (None before anything was measured)."""
        frac = self.progress()
        if frac <= 0 or self.elapsed <= 0:
            return None
        return self.elapsed * (1 - frac) / frac

    def lr_at(self, step: int) -> float:
        """Linear warmup, then cosine decay from ``lr`` to ``min_lr`` at the last step."""
        c = self.tcfg
        if step < c.warmup:
            return c.lr * (step + 1) / c.warmup
        span = max(1, c.steps - c.warmup)
        ratio = min(1.0, (step - c.warmup) / span)
        return c.min_lr + 0.5 * (1 + math.cos(math.pi * ratio)) * (c.lr - c.min_lr)

    def _train_step(self) -> float:
        if self.counting:
            self.model.fit(self.train_ids.to(self.device))
            self.tokens += len(self.train_ids)
            return float("nan")
        for opt in self.optimizers:
            for group in opt.param_groups:
                group["lr"] = self.lr_at(self.step)
        x, y = data.get_batch(
            self.train_ids, self.tcfg.batch_size, self.cfg.block_size, self.batch_gen
        )
        _, loss = self.model(x.to(self.device), y.to(self.device))
        self.model.zero_grad(set_to_none=True)
        loss.backward()
        params = [p for p in self.model.parameters() if p.grad is not None]
        norm = torch.nn.utils.get_total_norm([p.grad for p in params])
        if not (torch.isfinite(loss) and torch.isfinite(norm)):
            raise UserError("text.err_diverged", step=self.step + 1)
        if self.tcfg.grad_clip:
            torch.nn.utils.clip_grads_with_norm_(params, self.tcfg.grad_clip, norm)
        for opt in self.optimizers:
            opt.step()
        self.tokens += x.numel()
        return loss.item()

    @torch.no_grad()
    def evaluate(self) -> dict:
        """Mean loss on the fixed train and validation batches."""
        self.model.eval()
        losses = {
            f"{split}_loss": sum(self.model(x, y)[1].item() for x, y in batches) / len(batches)
            for split, batches in self.eval_sets.items()
        }
        self.model.train()
        return losses

    def sample(self, n: int | None = None) -> str:
        """Text generated from the model with the run's seed."""
        self.model.eval()
        n = n or self.tcfg.sample_tokens
        text = sample_text(self.model, self.tokenizer, self.cfg, n, self.tcfg.seed)
        self.model.train()
        return text

    def _due(self, interval: int) -> bool:
        return self.done or self.step % interval == 0

    def _report(self) -> dict:
        record = {
            "step": self.step,
            "elapsed_s": round(self.elapsed, 3),
            **self.evaluate(),
            "tokens_per_s": self.tokens / self.train_time if self.train_time else 0.0,
            "lr": self.lr_at(max(0, self.step - 1)) if not self.counting else 0.0,
        }
        if self.done:
            record["val_loss_full"] = split_loss(self.model, self.val_ids, self.cfg.block_size)
        self.history.append(record)
        return record

    def _keep_timeline(self) -> None:
        every = max(1, self.total_steps // max(1, self.tcfg.timeline_points - 1))
        due = self.tcfg.timeline_points and (self.step % every == 0 or self.done)
        if due and (not self.timeline or self.timeline[-1][0] != self.step):
            self.timeline.append((self.step, self.model.token_embeddings().detach().cpu().clone()))

    def run_for(self, seconds: float) -> list[dict]:
        """Train for about ``seconds`` (at least one step); returns the evaluations made."""
        if not self.history:
            self._keep_timeline()
            self.history.append(
                {"step": 0, "elapsed_s": 0.0, **self.evaluate(), "tokens_per_s": 0.0, "lr": 0.0}
            )
            self.samples.append((0, self.sample(UNTRAINED_SAMPLE)))
            return [self.history[-1]]
        records = []
        start = time.perf_counter()
        while not self.done:
            t0, c0 = time.perf_counter(), time.process_time()
            loss = self._train_step()
            if not self.counting:
                self.batch_losses.append((self.step + 1, loss))
            self.step += 1
            dt = time.perf_counter() - t0
            self.train_time += dt
            self.train_cpu += time.process_time() - c0
            self.elapsed += dt
            if self._due(self.eval_every):
                t0 = time.perf_counter()
                records.append(self._report())
                self.elapsed += time.perf_counter() - t0
            if self._due(self.sample_every):
                self.samples.append((self.step, self.sample()))
            self._keep_timeline()
            if time.perf_counter() - start >= seconds:
                break
        return records

    def state(self) -> tuple[dict, dict]:
        """What ``restore`` needs besides the model's checkpoint: optimizer moments, the order of
        the batches, counters and samples (tensors, JSON-able metadata)."""
        tensors = {"batch_gen": self.batch_gen.get_state()}
        for prefix, optimizer in zip(OPTIM_PREFIXES, self.optimizers, strict=False):
            for i, moments in optimizer.state_dict()["state"].items():
                for name, value in moments.items():
                    tensors[f"{prefix}.{i}.{name}"] = value
        meta = {
            "kind": RESUME_KIND,
            "step": self.step,
            "elapsed": self.elapsed,
            "train_time": self.train_time,
            "tokens": self.tokens,
            "samples": self.samples,
            "batch_losses": self.batch_losses,
        }
        return tensors, meta

    def restore(self, lm: LanguageModel, tensors: dict, meta: dict) -> None:
        """Continue where a saved run stopped (``result()`` and ``state()`` of that run)."""
        if meta.get("kind") != RESUME_KIND or lm.config.to_dict() != self.cfg.to_dict():
            raise UserError("text.err_resume")
        try:
            self.model.load_state_dict(lm.model.state_dict())
            self.batch_gen.set_state(tensors["batch_gen"])
            for prefix, optimizer in zip(OPTIM_PREFIXES, self.optimizers, strict=False):
                state = optimizer.state_dict()
                moments: dict = {}
                for name, value in tensors.items():
                    if name.startswith(f"{prefix}."):
                        _, i, key = name.split(".")
                        moments.setdefault(int(i), {})[key] = value
                state["state"] = moments
                optimizer.load_state_dict(state)
        except (KeyError, ValueError, RuntimeError) as exc:
            raise UserError("text.err_resume") from exc
        self.model.train()
        self.step, self.elapsed = int(meta["step"]), float(meta["elapsed"])
        self.train_time, self.tokens = float(meta["train_time"]), int(meta["tokens"])
        self.samples = [tuple(s) for s in meta["samples"]]
        self.batch_losses = [tuple(b) for b in meta["batch_losses"]]
        self.history = list(lm.meta.get("history") or [])
        self.timeline = list(lm.timeline)

    def snapshot(self) -> dict:
        """What the page draws: progress, curves, reference lines, samples."""
        return {
            "step": self.step,
            "steps": self.total_steps,
            "elapsed_s": self.elapsed,
            "remaining_s": self.remaining(),
            "progress": self.progress(),
            "tokens_per_s": self.tokens / self.train_time if self.train_time else 0.0,
            "batch_losses": self.batch_losses[
                :: max(1, len(self.batch_losses) // MAX_BATCH_POINTS)
            ],
            "history": list(self.history),
            "samples": list(self.samples),
            "refs": self.refs,
            "done": self.done,
            # a count bigram takes no steps: it counts the training text's pairs at once
            "counted_pairs": len(self.train_ids) - 1 if self.counting else None,
        }

    def result(self, title: str = "") -> LanguageModel:
        """The trained model as a LanguageModel (eval mode) with its history in ``meta``."""
        last = self.history[-1] if self.history else self.evaluate()
        self.model.eval()
        meta = {
            "corpus": self.corpus,
            "steps": self.step,
            "val_loss": last["val_loss"],
            "val_loss_full": last.get("val_loss_full"),
            "train_loss": last["train_loss"],
            "seed": self.tcfg.seed,
            "title": title,
            "train": self.tcfg.to_dict(),
            "refs": self.refs,
            "history": self.history,
            "elapsed_s": self.elapsed,
        }
        return LanguageModel(self.model, self.tokenizer, self.cfg, meta, list(self.timeline))


def sample_text(model, tok: Tokenizer, cfg: LMConfig, n: int, seed: int) -> str:
    """``n`` tokens sampled from a model with a seed (same model + same seed = same text).

    Generation starts after a line break (or token 0 when the vocabulary has none).
    """
    start = [tok.tokens.index("\n")] if "\n" in tok.tokens else [0]
    g = torch.Generator().manual_seed(seed)
    out = generate(model, cfg, torch.tensor([start]), n, g)
    return tok.decode(out[0, 1:].tolist())


def corpus_text(params: dict) -> str:
    """The text a run trains on: a built-in corpus by name, or the text sent with the params."""
    name = params["corpus"]
    return corpora.load_corpus(name) if name in corpora.BUILTIN else params["text"]


@functools.lru_cache(maxsize=4)
def builtin_data(corpus: str, kind: str, vocab_size: int | None) -> tuple[Tokenizer, torch.Tensor]:
    """A bundled corpus's tokenizer and token ids, made once per process: on a worker shared by a
    class, the next runs on the same corpus start without tokenizing it again (about a second
    each). Both are only read by the runs."""
    text = corpora.load_corpus(corpus)
    tok = build_tokenizer(kind, text, vocab_size)
    return tok, torch.tensor(tok.encode(text), dtype=torch.long)


def trainer_from_params(params: dict) -> Trainer:
    """A Trainer from a JSON-able description (what the page sends to the worker).

    With ``resume`` (the directory of a saved run), it continues that run.
    """
    text = corpus_text(params)
    resume = Path(params["resume"]) if params.get("resume") else None
    lm = load_lm(resume / MODEL_FILE) if resume else None
    ids = None
    if lm is not None:
        tok = lm.tokenizer
    elif params["corpus"] in corpora.BUILTIN:
        tok, ids = builtin_data(params["corpus"], params["tokenizer"], params.get("vocab_size"))
    else:
        tok = build_tokenizer(params["tokenizer"], text, params.get("vocab_size"))
    model_cfg = LMConfig(**{**params["model"], "vocab_size": tok.vocab_size})
    trainer = Trainer(
        text, tok, model_cfg, TrainConfig.from_dict(params["train"]), params["corpus"], ids
    )
    if lm is not None:
        trainer.restore(lm, *checkpoint.load(resume / RESUME_FILE))
    return trainer


def keep(ctx, trainer: Trainer) -> bytes:
    """Write the run's checkpoint and resume state to its directory; returns the checkpoint."""
    model = dumps(trainer.result(ctx.params.get("title", "")))
    runs.keep(ctx.params, {MODEL_FILE: model, RESUME_FILE: checkpoint.dumps(*trainer.state())})
    return model


def resumed(params: dict) -> dict | None:
    """The params that continue a run from its last save (after its worker died), if any."""
    folder = Path(params["run_dir"]) if params.get("run_dir") else None
    if folder is None or not all((folder / name).is_file() for name in (MODEL_FILE, RESUME_FILE)):
        return None
    return {**params, "resume": str(folder)}


def run(ctx) -> dict:
    """The jobs task: train in chunks, publish snapshots, obey play/pause/stop, and save the run
    every ``SAVE_EVERY_S`` seconds, when paused and at the end.

    Bad input, and a training that diverges (its last good save stays on disk), come back as
    ``{"user_error": (key, params)}`` for the page to translate.
    """
    try:
        trainer = trainer_from_params(ctx.params)
        saved = time.monotonic()
        while ctx.checkpoint() and not trainer.done:
            if ctx.paused or time.monotonic() - saved >= SAVE_EVERY_S:
                keep(ctx, trainer)
                saved = time.monotonic()
            if ctx.paused:
                continue
            for record in trainer.run_for(ctx.interval):
                ctx.log(**record)
            ctx.publish(trainer.snapshot())
    except UserError as err:
        return {"user_error": (err.key, err.params)}
    ctx.publish(trainer.snapshot(), force=True)
    return {"checkpoint": keep(ctx, trainer), "snapshot": trainer.snapshot()}
