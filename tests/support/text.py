"""Small trained language models for the text tests."""

import random

import pytest

from genlab.text.models import LMConfig
from genlab.text.tokenizers import build_tokenizer
from genlab.text.training import TrainConfig, Trainer

FOODS = {"peras": 80, "melancia": 13, "pregos": 4, "cimento": 3}


def lecture_text(sentences: int = 600) -> str:
    """'Glauco gosta de comer X .' with X drawn as in the lecture, between other sentences."""
    rng = random.Random(0)
    lines = []
    for _ in range(sentences):
        food = rng.choices(list(FOODS), weights=list(FOODS.values()))[0]
        lines.append(f"Glauco gosta de comer {food} .")
        lines.append(rng.choice(["Ana lê livros .", "O gato dorme .", "Ana gosta de ler ."]))
    return "\n".join(lines) + "\n"


def train(text: str, kind: str, model: str, steps: int):
    tok = build_tokenizer(kind, text)
    cfg = LMConfig(
        model=model, vocab_size=tok.vocab_size, block_size=8, n_layer=1, n_head=2, n_embd=32
    )
    trainer = Trainer(
        text,
        tok,
        cfg,
        TrainConfig(
            steps=steps,
            batch_size=32,
            lr=1e-2,
            warmup=5,
            eval_interval=steps,
            sample_interval=steps,
            sample_tokens=5,
            timeline_points=0,
        ),
    )
    while not trainer.done:
        trainer.run_for(5.0)
    return trainer.result("tiny")


@pytest.fixture(scope="session")
def word_gpt():
    """A word-level GPT trained on the lecture's sentences (one per test session: about 5 s)."""
    return train(lecture_text(), "word", "gpt", 250)
