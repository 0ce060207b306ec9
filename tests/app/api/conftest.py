"""Fixtures of the API client's tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tests.app.api import test_network


@pytest.fixture(autouse=True)
def earlier_workers_left_out() -> Iterator[None]:
    """``test_network.worker_threads`` counts only the threads the running test started."""
    test_network._EARLIER_WORKERS.clear()
    test_network._EARLIER_WORKERS.update(
        t for t in threading.enumerate() if t.name.startswith("http-worker")
    )
    yield
    test_network._EARLIER_WORKERS.clear()
