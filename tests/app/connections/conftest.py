"""Fixtures for the saved-connections tests: a private console home and profile factories."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.connections.store import ConnectionStore
from app.paths import HOME_ENV_VAR, AppPaths
from tests.helpers.profiles import MakeProfile, profile_factory


@pytest.fixture
def console_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``EKRAN_CONSOLE_HOME`` pointing at a fresh folder, so nothing touches the real home."""
    home = tmp_path / "console-home"
    monkeypatch.setenv(HOME_ENV_VAR, str(home))
    return home


@pytest.fixture
def paths(console_home: Path) -> AppPaths:
    return AppPaths.default()


@pytest.fixture
def store(paths: AppPaths) -> ConnectionStore:
    return ConnectionStore(paths)


@pytest.fixture
def make_profile() -> MakeProfile:
    """Build a valid profile; keyword arguments override the defaults."""
    return profile_factory()
