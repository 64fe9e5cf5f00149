"""Moved to tests/support/browser.py (kept for the bench scripts and branches not yet merged)."""

from tests.support.browser import *  # noqa: F403
