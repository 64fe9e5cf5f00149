"""GenLab served as deploy/serve.sh serves it: two replicas behind nginx, for real-browser tests.

Like the browser tests, these skip with a message when nginx or Chromium is missing, except under
CI=true, where they fail (``./lab test`` installs both when it runs as root).

One process can drive only one Playwright at a time, and tests/browser keeps its Chromium open
until the session ends: these tests run first, with their own Chromium closed after them.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.browser import (  # noqa: F401 (_chromium_present: the same skip/fail policy)
    _chromium_present,
    chromium,
    healthy,
)

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = 2


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session", autouse=True)
def _nginx_present():
    if shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin"):  # as serve.sh
        return
    message = "nginx is missing: install Debian's nginx (./lab test does it as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; deployment tests must run under CI=true")
    pytest.skip(message)


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            first = s.getsockname()[1]
        if first + count < 65536 and all(_free(first + i) for i in range(count)):
            return first
    pytest.fail(f"no {count} consecutive free ports")


@dataclass
class Served:
    base: str  # nginx's address, the one participants open
    replicas: list[str]  # each replica's host:port, as nginx names it in X-GenLab-Replica
    run_dir: Path


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """deploy/serve.sh with two replicas on free ports; everything it started ends at teardown."""
    run_dir = tmp_path_factory.mktemp("serve")
    first = _free_ports(REPLICAS + 1)
    nginx_port = first + REPLICAS
    process = subprocess.Popen(
        ["deploy/serve.sh", str(REPLICAS)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=dict(
            os.environ,
            PORT=str(nginx_port),
            REPLICA_PORT=str(first),
            RUN_DIR=str(run_dir),
            GENLAB_DATA_DIR=str(run_dir / "data"),
        ),
    )
    base = f"http://127.0.0.1:{nginx_port}"
    if not healthy(base, process, seconds=90):
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"deploy/serve.sh did not serve within 90 s; logs in {run_dir}")
    yield Served(base, [f"127.0.0.1:{first + i}" for i in range(REPLICAS)], run_dir)
    os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(15)
    with contextlib.suppress(ProcessLookupError):  # a replica that outlived serve.sh
        os.killpg(process.pid, signal.SIGKILL)
