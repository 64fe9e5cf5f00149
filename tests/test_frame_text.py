"""The rules that put Streamlit's own words in the participant's language (ui/frame_text.py),
applied as the page's script applies them: the first rule whose pattern matches the whole text."""

import re

import pytest

from ui.frame_text import rules


def shown(text: str, lang: str = "pt-BR") -> str:
    for pattern, replacement in rules(lang):
        if re.search(pattern, text):
            # JavaScript's $1 and $$ in Python's terms
            python = re.sub(r"\$(\d)", r"\\\1", replacement).replace("$$", "$")
            return re.sub(pattern, python, text)
    return text


@pytest.mark.parametrize(
    ("streamlit", "portuguese"),
    [("412.0B", "412,0 B"), ("1.5KB", "1,5 KB"), ("20.3MB", "20,3 MB"), ("1.0GB", "1,0 GB")],
)
def test_an_uploaded_file_s_size_is_written_the_brazilian_way(streamlit, portuguese):
    assert shown(streamlit) == portuguese
    assert shown(streamlit, "en") == streamlit


def test_a_digits_placeholder_leaves_other_texts_alone():
    # the upload box's own label for a file (an aria-label) ends like a size but is a file name
    assert shown("x.csv, 90.0B") == "x.csv, 90.0B"
    assert shown("model.B") == "model.B"
    assert shown("200MB per file • CSV") == "200 MB por arquivo • CSV"  # any text: still any
