"""Every test runs torch as the lab does: one thread on the CPU (see genlab.device).

Without it torch takes both cores, and a small GAN ran over 100x slower under load.
"""

import pytest

from genlab.device import configure


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    configure()
