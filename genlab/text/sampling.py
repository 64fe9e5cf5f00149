"""From a model's logits to the distribution a token is drawn from.

The order of operations (the page writes it out, the CLI follows it):

1. ``raw``: softmax of the logits at temperature 1, no filter (what the model "thinks");
2. repetition penalty: tokens already in the context get their logit divided by the penalty
   when it is positive and multiplied when it is negative (the CTRL rule, as in Hugging Face);
3. temperature: softmax(logits / T); T = 0 puts all the mass on the most likely token (greedy);
4. filters, one after the other on what is left: top-k, then top-p (nucleus), then min-p;
   each filter always keeps the most likely token, so the set is never empty;
5. ``final``: the kept probabilities renormalised to sum to 1; sampling draws from it.

Probabilities are always over the whole vocabulary: nothing is renormalised over a display subset.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch

from genlab.errors import UserError
from genlab.settings import Settings, errors

MAX_TEMPERATURE = 5.0
MAX_PENALTY = 5.0


@dataclass(frozen=True)
class SamplingConfig(Settings):
    """Sampling controls; the defaults change nothing (temperature 1, no filter, no penalty)."""

    temperature: float = 1.0
    top_k: int = 0  # 0 = off
    top_p: float = 1.0  # 1 = off
    min_p: float = 0.0  # 0 = off
    repetition_penalty: float = 1.0  # 1 = off

    ERRORS = errors(
        "common.err_settings_unreadable", "next.err_unknown_setting", "common.err_setting_value"
    )

    def validate(self) -> "SamplingConfig":
        checks = (
            ("temperature", 0.0 <= self.temperature <= MAX_TEMPERATURE, 0.0, MAX_TEMPERATURE),
            ("top_k", self.top_k >= 0, 0, "∞"),
            ("top_p", 0.0 < self.top_p <= 1.0, 0.0, 1.0),
            ("min_p", 0.0 <= self.min_p <= 1.0, 0.0, 1.0),
            ("repetition_penalty", 0.0 < self.repetition_penalty <= MAX_PENALTY, 0.0, MAX_PENALTY),
        )
        for name, ok, low, high in checks:
            value = getattr(self, name)
            if not ok or (isinstance(value, float) and math.isnan(value)):
                raise UserError("next.err_setting", name=name, value=value, low=low, high=high)
        return self


@dataclass
class Pipeline:
    """Every stage of the pipeline for one position: probability vectors over the vocabulary."""

    logits: torch.Tensor  # the model's raw scores for every token (cleaned of NaN)
    scores: torch.Tensor  # the scores after the repetition penalty (what is divided by T)
    raw: torch.Tensor  # softmax(logits), temperature 1, no penalty, no filter
    penalised: torch.Tensor  # softmax after the repetition penalty, temperature 1
    tempered: torch.Tensor  # after penalty and temperature
    kept: torch.Tensor  # bool mask: tokens that survive the filters
    final: torch.Tensor  # tempered * kept, renormalised: what sampling draws from

    @property
    def penalised_ids(self) -> list[int]:
        """Tokens whose score the repetition penalty changed (they stay in view, struck)."""
        changed = self.scores != self.logits
        return torch.nonzero(changed & torch.isfinite(self.logits)).flatten().tolist()

    @property
    def order(self) -> torch.Tensor:
        """Token ids from most to least likely after penalty and temperature (stable on ties)."""
        return torch.sort(self.penalised, descending=True, stable=True).indices


def apply_repetition_penalty(
    logits: torch.Tensor, previous: Iterable[int], penalty: float
) -> torch.Tensor:
    """Make tokens already seen less likely: positive logits / penalty, negative ones * penalty."""
    ids = torch.tensor(sorted(set(previous)), dtype=torch.long)
    if penalty == 1.0 or ids.numel() == 0:
        return logits
    out = logits.clone()
    seen = out[ids]
    out[ids] = torch.where(seen > 0, seen / penalty, seen * penalty)
    return out


def clean(logits: torch.Tensor) -> torch.Tensor:
    """Logits every stage can use: NaN counts as impossible (-inf), tokens at +inf share all the
    mass, and when every token is impossible they all become equally likely."""
    logits = torch.nan_to_num(logits.double(), nan=-math.inf, posinf=math.inf, neginf=-math.inf)
    top = torch.isposinf(logits)
    if top.any():
        logits = torch.where(top, 0.0, -math.inf).double()
    if torch.isneginf(logits).all():
        logits = torch.zeros_like(logits)
    return logits


def apply_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T); T = 0 is greedy: all the mass on the (first) most likely token."""
    logits = logits.double()
    if temperature == 0.0:
        probs = torch.zeros_like(logits)
        probs[torch.argmax(logits)] = 1.0
        return probs
    return torch.softmax((logits - logits.max()) / temperature, dim=-1)  # no overflow at T < 1


def top_k_mask(probs: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the k most likely tokens (all of them when k is 0 or at least the vocabulary)."""
    if k <= 0 or k >= probs.numel():
        return torch.ones_like(probs, dtype=torch.bool)
    mask = torch.zeros_like(probs, dtype=torch.bool)
    mask[torch.sort(probs, descending=True, stable=True).indices[:k]] = True
    return mask


def top_p_mask(probs: torch.Tensor, p: float) -> torch.Tensor:
    """Keep the smallest set of most likely tokens whose total probability reaches p."""
    if p >= 1.0:
        return probs > 0
    sorted_probs, order = torch.sort(probs, descending=True, stable=True)
    before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # mass of the tokens ahead
    keep_sorted = before < p * probs.sum()
    keep_sorted[0] = True
    mask = torch.zeros_like(probs, dtype=torch.bool)
    mask[order[keep_sorted]] = True
    return mask


def min_p_mask(probs: torch.Tensor, min_p: float) -> torch.Tensor:
    """Keep the tokens whose probability is at least min_p times the largest probability."""
    return probs >= min_p * probs.max()


def renormalise(probs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    kept = torch.where(mask, probs, torch.zeros_like(probs))
    return kept / kept.sum()


def run(logits: torch.Tensor, config: SamplingConfig, previous: Iterable[int] = ()) -> Pipeline:
    """Every stage of the pipeline for a vector of logits over the vocabulary."""
    config.validate()
    logits = clean(logits.detach().flatten())
    penalised_logits = clean(apply_repetition_penalty(logits, previous, config.repetition_penalty))
    tempered = apply_temperature(penalised_logits, config.temperature)
    kept = tempered > 0
    for make_mask, setting in (
        (top_k_mask, config.top_k),
        (top_p_mask, config.top_p),
        (min_p_mask, config.min_p),
    ):
        kept &= make_mask(renormalise(tempered, kept), setting)
    return Pipeline(
        logits=logits,
        scores=penalised_logits,
        raw=torch.softmax(logits, dim=-1),
        penalised=torch.softmax(penalised_logits, dim=-1),
        tempered=tempered,
        kept=kept,
        final=renormalise(tempered, kept),
    )


def temperature_regime(temperature: float) -> str:
    """How a temperature reshapes the bars: "greedy", "low", "one" or "high"."""
    if temperature == 0.0:
        return "greedy"
    if abs(temperature - 1.0) < 1e-9:
        return "one"
    return "low" if temperature < 1.0 else "high"


def entropy_bits(probs: torch.Tensor) -> float:
    """Shannon entropy in bits (0 log 0 = 0)."""
    p = probs.double()
    nonzero = p[p > 0]
    return max(float(-(nonzero * torch.log2(nonzero)).sum()), 0.0)


def effective_choices(probs: torch.Tensor) -> float:
    """2 ** entropy: how many equally likely tokens would be as uncertain as this distribution."""
    return 2.0 ** entropy_bits(probs)


def sample(
    probs: torch.Tensor, n: int = 1, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Draw n token ids (with replacement) from a probability vector with torch.multinomial."""
    return torch.multinomial(probs.double(), n, replacement=True, generator=generator)


def histogram(samples: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """Fraction of the samples that fell on each token id."""
    return torch.bincount(samples, minlength=vocab_size).double() / max(samples.numel(), 1)
