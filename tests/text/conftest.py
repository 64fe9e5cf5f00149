"""Fixtures of the text tests (defined in tests/support/text.py)."""

from tests.support.text import word_gpt  # noqa: F401 (fixture: trained once for both modules)
