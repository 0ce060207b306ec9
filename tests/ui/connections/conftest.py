"""Fixtures for the connections pane tests: profiles, a private store and a memory keyring."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.connections import ConnectionStore
from app.credentials import CredentialStore
from app.paths import AppPaths
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.profiles import MakeProfile, profile_factory
from tests.helpers.removal import removal_beside
from ui.connections.repository import ConnectionRepository
from ui.tasks import TaskRunner


@pytest.fixture
def make_profile() -> MakeProfile:
    """Build a valid profile; keyword arguments override the defaults."""
    return profile_factory()


@pytest.fixture
def store(tmp_path: Path) -> ConnectionStore:
    return ConnectionStore(AppPaths.under(tmp_path / "home"))


@pytest.fixture
def keyring_backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def credentials(keyring_backend: MemoryKeyring) -> CredentialStore:
    return CredentialStore(keyring_backend)


@pytest.fixture
async def runner() -> AsyncIterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    await task_runner.shutdown()


@pytest.fixture
def repository(
    store: ConnectionStore, credentials: CredentialStore, runner: TaskRunner
) -> ConnectionRepository:
    return ConnectionRepository(store, credentials, runner, removal_beside(store, credentials))
