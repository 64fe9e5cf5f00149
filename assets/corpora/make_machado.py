"""Writes assets/corpora/machado.txt, the lab's real Portuguese corpus (run it to regenerate).

    .venv/bin/python assets/corpora/make_machado.py

Three public-domain novels of Machado de Assis (1839-1908), in modern spelling, bundled as they
were received in ``assets/corpora/machado/`` (see its README.md for the source). Those files are
hard-wrapped at about 80 characters like printed pages, mark paragraphs inconsistently, and glue
some chapter headings to neighbouring text. This script rebuilds:

- headings apart: each book's title, then every ``CAPÍTULO ...`` with its title, on a line of its
  own, glued text split off (``DO LIVROAgora que`` -> ``DO LIVRO`` / ``Agora que``);
- paragraphs: wrapped lines joined with a space; a paragraph ends at a blank line after a
  sentence's end (a blank line inside a sentence is a page break), before a dialogue line (``—``),
  or after a line that ends a sentence well short of the page's usual width;
- one paragraph per line, a blank line between paragraphs, as in the other corpora; the closing
  ``FIM`` dropped.

The output is deterministic.
"""

import re
import statistics
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW = HERE / "machado"
OUT = HERE / "machado.txt"
BOOKS = (  # (file, title), in the order of publication
    ("memorias_postumas.txt", "MEMÓRIAS PÓSTUMAS DE BRÁS CUBAS"),
    ("quincas.txt", "QUINCAS BORBA"),
    ("dom_casmurro.txt", "DOM CASMURRO"),
)
CHAPTER = "CAPÍTULO "
SENTENCE_END = (".", "!", "?", "…", ":", '"', "”", "»", ")")
SHORT = 0.85  # a line shorter than this fraction of the usual width may end a paragraph


def has_lower(line: str) -> bool:
    return any(c.islower() for c in line)


def split_glued_title(line: str) -> tuple[str, str]:
    """('DO LIVRO', 'Agora que ...') from 'DO LIVROAgora que ...'; (line, '') when not glued."""
    for i in range(1, len(line) - 1):
        if line[i].isupper() and line[i + 1].islower() and not has_lower(line[:i]):
            return line[:i].strip(), line[i:]
    return (line, "") if not has_lower(line) else ("", line)


def roman(n: int) -> str:
    out = ""
    for value, digits in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX")):
        count, n = divmod(n, value)
        out += digits * count
    return out + ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII")[n] if n < 9 else out


def lines_of(raw: str) -> list[str]:
    """The file's lines, with chapter headings glued to a previous line's end put on their own."""
    raw = re.sub(r"(?<=\S) *(CAPÍTULO [A-Z])", r"\n\1", raw)
    lines = [line.rstrip() for line in raw.split("\n")]
    while lines and lines[-1].strip() in ("", "FIM"):
        lines.pop()
    return lines


def title_line(line: str) -> bool:
    """A heading's second line: capitals only (no dotted or underlined drawing)."""
    return any(c.isalpha() for c in line) and not has_lower(line) and ".." not in line


def heading(lines: list[str], i: int, number: int) -> tuple[str, int]:
    """Chapter ``number``'s heading at line i (its title split off the text glued to it) and the
    index of the line after it. The chapter's number tells where a glued title starts
    (``CAPÍTULO XLUMA ÉGUA Ficando só`` is chapter XL, 'UMA ÉGUA')."""
    numeral = "PRIMEIRO" if number == 1 else roman(number)
    line = lines[i].strip()
    if not line.startswith(CHAPTER + numeral):
        raise ValueError(f"expected chapter {numeral}: {line[:60]}")
    rest = line[len(CHAPTER + numeral) :].strip().lstrip("/").strip()
    parts = [CHAPTER + numeral]
    if not rest and i + 1 < len(lines) and not lines[i + 1].lstrip().startswith("—"):
        i, rest = i + 1, lines[i + 1].strip()
    title, text = split_glued_title(rest)
    parts += [title] if title else []
    two_lines = title and not text and not title.endswith(SENTENCE_END)
    if two_lines and i + 1 < len(lines) and title_line(lines[i + 1].strip()):
        i += 1
        parts[-1] += " " + lines[i].strip()
    if text:
        lines[i] = text
        return " — ".join(parts), i
    return " — ".join(parts), i + 1 if title or not rest else i


def paragraphs(lines: list[str]) -> list[str]:
    """Headings and paragraphs of one book, in order."""
    widths = [len(line) for line in lines if len(line.strip()) > 40]
    short = SHORT * statistics.median(widths)
    out: list[str] = []
    current: list[str] = []

    def close() -> None:
        if current:
            out.append(join(current))
            current.clear()

    i = chapters = 0
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith(CHAPTER):
            close()
            chapters += 1
            title, i = heading(lines, i, chapters)
            out.append(title)
            continue
        if not line:
            if current and current[-1].endswith(SENTENCE_END):
                close()
        else:
            if line.startswith("—") and current and current[-1].endswith(SENTENCE_END):
                close()
            current.append(line)
            if len(line) < short and line.endswith(SENTENCE_END):
                close()
        i += 1
    close()
    return out


def join(lines: list[str]) -> str:
    text = lines[0]
    for line in lines[1:]:
        text += line if text.endswith("-") else " " + line
    return re.sub(r" {2,}", " ", text)


def corpus() -> str:
    books = []
    for name, title in BOOKS:
        raw = (RAW / name).read_text(encoding="utf-8")
        books.append("\n\n".join([title, *paragraphs(lines_of(raw))]))
    return "\n\n".join(books) + "\n"


if __name__ == "__main__":
    text = corpus()
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(text):,} characters, {len(text.split()):,} words")
