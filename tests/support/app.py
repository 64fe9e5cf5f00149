"""Shared by the AppTest files."""

import re

from genlab import jobs


def session_job(at, slot: str) -> jobs.Job | None:
    """The job a page session shows in ``slot`` (found as that participant)."""
    state = at.session_state
    if "jobs" not in state or slot not in state["jobs"]:
        return None
    return jobs.get(state["jobs"][slot], state["owner"])


def shown(markdown: str) -> str:
    """Markdown as the participant reads it (placeholders are escaped with backslashes)."""
    return re.sub(r"\\(.)", r"\1", markdown)


BUILDS: list[str] = []  # what tests/app/scripts/cache_page.py built, in order
