"""Fixtures of the embedding room's tests (defined in tests/support/embed.py)."""

from tests.support.embed import tiny_lm  # noqa: F401 (fixture)
