"""Moved to tests/support/app.py (kept for branches not yet merged)."""

from tests.support.app import BUILDS, session_job, shown  # noqa: F401
