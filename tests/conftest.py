"""Every test runs torch as the lab does: one thread on the CPU (see genlab.device).

Without it torch takes both cores, and a small GAN ran over 100x slower under load.
Runs saved by the tests (and by the servers they start) go to a temporary data directory, and
up to 4 trainings run at once whatever the machine's cores (tests of the queue set their own cap).
The GPT presets are not timed (``GENLAB_PRESET_TIMING=0``; tests/text/test_preset_time.py tests
the timing): each page server and each test process would spend about 20 CPU seconds on it.
"""

import os

import pytest

from genlab.device import configure

os.environ.setdefault("GENLAB_PRESET_TIMING", "0")


def pytest_collection_modifyitems(items):
    """The deployment tests first (their own Chromium, closed after them: tests/deploy/conftest.py),
    then the ``long`` ones, then the rest in their order: the two xdist workers then end together.
    A browser walk left for the end kept one core busy for 30-45 s after the other had finished."""
    items.sort(
        key=lambda item: (
            "tests/deploy/" not in str(item.fspath),
            item.get_closest_marker("long") is None,
        )
    )


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    configure()


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory):
    os.environ["GENLAB_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    os.environ.setdefault("GENLAB_MAX_JOBS", "4")
