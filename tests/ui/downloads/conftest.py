"""Fixtures of the Downloads panel tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.simulator_process import SimulatorProcess

LOG_SIZE = 2_000_000


@pytest.fixture
def sim(start_simulator: Callable[..., SimulatorProcess]) -> SimulatorProcess:
    """Two Application Servers whose log archives are 2 MB."""
    return start_simulator("--servers", "2", "--log-size", str(LOG_SIZE))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty download folder (``tmp_path`` also holds the simulator's files)."""
    path = tmp_path / "downloads"
    path.mkdir()
    return path
