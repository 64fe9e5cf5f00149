"""The catalogue of every string a participant reads, in English and Brazilian Portuguese.

Each area keeps its strings in ``genlab/locales/<area>.toml``; a key ``name`` in ``gan.toml`` is
read as ``gan.name``. Each entry holds both languages side by side.
"""

import functools
import string
import tomllib
from pathlib import Path

LANGUAGES = ("en", "pt-BR")
DEFAULT = "en"
LOCALES_DIR = Path(__file__).with_name("locales")


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
    return text.format(**params) if params else text


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
