"""Fixtures for the connections pane tests: profiles, a private store and a memory keyring."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from app.connections import ConnectionProfile, ConnectionStore
from app.credentials import CredentialStore
from app.paths import AppPaths
from tests.app.connections.keyring_fake import MemoryKeyring
from ui.connections.repository import ConnectionRepository
from ui.tasks import TaskRunner

MakeProfile = Callable[..., ConnectionProfile]


@pytest.fixture
def make_profile() -> MakeProfile:
    """Build a valid profile; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> ConnectionProfile:
        number = next(counter)
        fields: dict[str, Any] = {
            "name": f"Cluster {number}",
            "urls": [f"mt{number}.corp.example:8443"],
            "username": "admin",
        }
        fields.update(overrides)
        return ConnectionProfile(**fields)

    return make


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
    return ConnectionRepository(store, credentials, runner)
