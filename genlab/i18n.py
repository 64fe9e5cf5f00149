"""The catalogue of every string a participant reads, in English and Brazilian Portuguese.

Each area keeps its strings in ``genlab/locales/<area>.toml``; a key ``name`` in ``gan.toml`` is
read as ``gan.name``. Each entry holds both languages side by side.

Numbers in placeholders are written for the language by Babel: ``{n:,}`` is ``1,234`` in English
and ``1.234`` in Portuguese, ``{x:.1f}`` ``2.9`` / ``2,9``, ``{p:.1%}`` ``44.2%`` / ``44,2 %``. The
catalogues keep Python's format specs; the digits are Python's (same rounding), the separators
Babel's.
"""

import functools
import math
import numbers
import re
import string
import tomllib
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.numbers import parse_pattern

LANGUAGES = ("en", "pt-BR")
DEFAULT = "en"
LOCALES_DIR = Path(__file__).with_name("locales")
BABEL_LOCALES = {"en": "en", "pt-BR": "pt_BR"}
PERCENT = {"en": "%", "pt-BR": " %"}
# Plotly's layout.separators: the decimal mark, then the thousands separator (as Babel's)
SEPARATORS = {"en": ".,", "pt-BR": ",."}
SPEC = re.compile(r"(?P<grouping>,?)(?:\.(?P<precision>\d+))?(?P<type>[dfF%]?)")


@functools.cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every key (``area.name``) with its text per language."""
    entries = {}
    for path in sorted(LOCALES_DIR.glob("*.toml")):
        with path.open("rb") as f:
            for name, texts in tomllib.load(f).items():
                entries[f"{path.stem}.{name}"] = texts
    return entries


def translate(lang: str, key: str, **params) -> str:
    """The text of ``key`` in ``lang``, with ``params`` filled in.

    A missing key shows as the key itself so that a gap is visible instead of fatal.
    """
    texts = catalogue().get(key)
    if texts is None:
        return key
    text = texts.get(lang) or texts.get(DEFAULT) or key
    return _Formatter(lang).format(text, **params) if params else text


class _Formatter(string.Formatter):
    """``str.format`` with numbers written for the language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            return number(self.lang, value, format_spec)
        return super().format_field(value, format_spec)


def number(lang: str, value, spec: str = "") -> str:
    """``format(value, spec)`` written for ``lang``: Python's digits, Babel's separators."""
    python = format(value, spec)  # the reference (and Python's errors for a bad spec)
    match = SPEC.fullmatch(spec)
    if not math.isfinite(value) or match is None or not match.group("type"):
        return _marks(lang, python)  # no type, widths, signs, e/g/x...: Python's text, its marks
    grouping, precision, kind = match.group("grouping", "precision", "type")
    places = 0 if kind == "d" else 6 if precision is None else int(precision)
    pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places else "")
    digits = Decimal(python.rstrip("%").replace(",", ""))
    text = _pattern(pattern).apply(digits, _locale(lang))
    return text + PERCENT.get(lang, "%") if kind == "%" else text


_pattern = functools.cache(parse_pattern)


@functools.cache
def parse_number(lang: str, text) -> float | None:
    """The number a participant typed, with either decimal mark (and the language's thousands
    separator when both marks are there); None when it is not a finite number."""
    if not isinstance(text, str):
        return None
    text = text.strip().replace(" ", "")
    if "," in text and "." in text:
        text = text.replace(SEPARATORS[lang][1], "")
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _locale(lang: str) -> Locale:
    return Locale.parse(BABEL_LOCALES.get(lang, "en"))


def _marks(lang: str, text: str) -> str:
    """Python's number text with the language's decimal mark and thousands separator."""
    symbols = _locale(lang).number_symbols["latn"]
    return text.translate(str.maketrans({".": symbols["decimal"], ",": symbols["group"]}))


def placeholders(text: str) -> set[str]:
    """The names of the ``{placeholders}`` in a catalogue text."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def normalise(tag: str | None) -> str | None:
    """A supported language for a tag such as ``pt``, ``pt-BR``, ``pt_br`` or ``en-US``."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].lower()
    return {"pt": "pt-BR", "en": "en"}.get(primary)


def negotiate(requested: str | None, locale: str | None) -> str:
    """The language to use: an explicit request (the URL) first, then the browser's locale."""
    return normalise(requested) or normalise(locale) or DEFAULT
