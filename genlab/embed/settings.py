"""The view's settings as a shareable link (``genlab.settings``: ``?e_<field>=...``).

A link is typed or edited by people, so a bad value is dropped (the default is used) rather than
breaking the page; ``from_query`` says which keys it ignored.
"""

from dataclasses import dataclass

from genlab.embed.projection import METHODS, UMAP_METRICS
from genlab.embed.space import ANALOGY_METHODS, METRICS
from genlab.errors import UserError
from genlab.settings import Settings, errors

COLOURS = ("kind", "frequency", "none")
TABS = ("map", "analogy", "axis", "timeline", "export")
EXAMPLES = {
    "shakespeare": {
        "word": "king",
        "a": "king",
        "b": "man",
        "c": "woman",
        "expected": "queen",
        "axl": "man, woman",
        "axr": "king, queen",
        "ayl": "man, king, he",
        "ayr": "woman, queen, she",
    },
    "portuguese": {
        "word": "peras",
        "a": "maçãs",
        "b": "maçã",
        "c": "pera",
        "expected": "peras",
        "axl": "ele, professor",
        "axr": "ela, professora",
        "ayl": "pregos, cimento",
        "ayr": "peras, melancia",
    },
}
CHARACTERS = {  # for models whose tokens are characters: "a - A + B = b", vowels, capitals
    "word": "e",
    "a": "a",
    "b": "A",
    "c": "B",
    "expected": "b",
    "axl": "a, e, i, o, u",
    "axr": "b, c, d, f, g",
    "ayl": "a, b, c, d, e",
    "ayr": "A, B, C, D, E",
}


def examples(corpus: str | None, tokens: list[str]) -> dict[str, str]:
    """Example words for the search, the analogy and the axes that the vocabulary ``tokens``
    holds: the corpus's words, else characters, else nothing (no "not in the vocabulary"
    warnings for words the participant did not type)."""
    known = {tok.strip() for tok in tokens}
    for candidate in (EXAMPLES.get(corpus or "", EXAMPLES["shakespeare"]), CHARACTERS):
        words = (w.strip() for text in candidate.values() for w in text.split(","))
        if all(w in known for w in words):
            return dict(candidate)
    return dict.fromkeys(CHARACTERS, "")


CHOICES = {
    "method": METHODS,
    "metric": METRICS,
    "map_metric": UMAP_METRICS,
    "colour": COLOURS,
    "analogy": ANALOGY_METHODS,
    "dims": (2, 3),
    "tab": TABS[:-1],  # a link opens on a room's part, not on the place it was copied from
}
PREFIX = "e_"


@dataclass
class View(Settings):
    """Everything a participant set on the Embeddings page that another person needs to see it."""

    PREFIX = PREFIX
    ERRORS = errors("embed.err_settings")

    source: str = ""
    method: str = "pacmap"
    dims: int = 2
    pcx: int = 1
    pcy: int = 2
    pcz: int = 3
    perplexity: int = 30
    neighbours: int = 10
    min_dist: float = 0.1
    map_metric: str = "cosine"
    seed: int = 0
    spherize: bool = False
    colour: str = "kind"
    word: str = ""
    metric: str = "cosine"
    k: int = 10
    a: str = ""
    b: str = ""
    c: str = ""
    expected: str = ""
    analogy: str = "3cosadd"
    exclude: bool = True
    axl: str = ""
    axr: str = ""
    ayl: str = ""
    ayr: str = ""
    tab: str = "map"

    def validate(self) -> "View":
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise UserError("embed.err_settings", detail=name)
        return self

    @classmethod
    def from_query(cls, query) -> tuple["View", list[str]]:
        """Read ``e_<name>`` parameters; returns the view and the names of values it ignored."""
        values, ignored = {}, []
        for name, raw in cls.query_values(query).items():
            value = raw[:200] if isinstance(raw, str) else raw
            try:
                values[name] = getattr(cls.from_dict({name: value}), name)
            except UserError:
                ignored.append(name)
        return cls(**values), ignored
