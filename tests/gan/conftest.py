"""The GAN tests run torch like the worker does: one thread (see genlab.device)."""

import pytest

from genlab.device import configure


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    configure()
