"""ConnectionRemoval: the profile, its own keyring entry, its alert settings and its load
history go; other connections keep theirs; a failure after the profile is gone is reported."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from keyring.errors import KeyringLocked

from app.alerts import AlertKind, AlertSettings
from app.alerts.settings_store import AlertSettingsStore
from app.connections import ConnectionProfile, ConnectionStore
from app.credentials import LEGACY_SERVICE, SERVICE, CredentialStore, NullCredentialStore, entry_key
from app.history import HistoryStore, history_file
from app.paths import AppPaths
from app.removal import ConnectionRemoval, HistoryFile, OpenHistory
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.app.history.snapshots import cluster
from tests.helpers.profiles import MakeProfile, profile_factory

QUIET = AlertSettings().with_kind(AlertKind.OFFLINE, False)


@pytest.fixture
def home(tmp_path: Path) -> AppPaths:
    return AppPaths.under(tmp_path / "home").ensure()


@pytest.fixture
def make_profile() -> MakeProfile:
    return profile_factory()


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


def saved(home: AppPaths, backend: MemoryKeyring, profile: ConnectionProfile) -> ConnectionProfile:
    """Save ``profile`` with a password, alert settings and a few polls of history."""
    ConnectionStore(home).add(profile)
    CredentialStore(backend).set(profile, "pw")
    AlertSettingsStore.in_config_dir(home).save(profile.id, QUIET)
    history, _ = HistoryStore.open(history_file(home))
    now = time.time()
    for step in range(3):
        history.record(profile.id, cluster([10, 20]), now - 10 + step)
    history.close()
    return profile


def history_of(home: AppPaths) -> list[str]:
    """The connections the history file holds rows of (series or events)."""
    db = sqlite3.connect(history_file(home))
    try:
        rows = db.execute(
            "SELECT connection_id FROM series UNION SELECT connection_id FROM event"
        ).fetchall()
    finally:
        db.close()
    return sorted(row[0] for row in rows)


async def test_the_command_lines_removal_takes_everything_of_one_connection(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    gone = saved(home, backend, make_profile(name="Gone", username="admin"))
    kept = saved(home, backend, make_profile(name="Kept", username="admin"))
    backend.set_password(LEGACY_SERVICE, "admin", "shared")  # an earlier version's entry
    store = ConnectionStore(home)
    removal = ConnectionRemoval.for_files(home, store, CredentialStore(backend))

    report = await removal.remove(gone.id)

    assert report is not None
    assert report.profile == gone
    assert report.password_removed is True
    assert report.problems == []
    assert [p.id for p in store.load().profiles] == [kept.id]
    assert (SERVICE, entry_key(gone.id, "admin")) not in backend.entries
    assert backend.entries[(SERVICE, entry_key(kept.id, "admin"))] == "pw"
    assert backend.entries[(LEGACY_SERVICE, "admin")] == "shared"  # others may need it
    assert AlertSettingsStore.in_config_dir(home).connection_ids() == [kept.id]
    assert history_of(home) == [kept.id]


async def test_an_unknown_connection_changes_nothing(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    kept = saved(home, backend, make_profile())
    removal = ConnectionRemoval.for_files(home, ConnectionStore(home), CredentialStore(backend))
    assert await removal.remove(make_profile().id) is None
    assert history_of(home) == [kept.id]
    assert len(backend.entries) == 1


async def test_without_a_history_file_none_is_created(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    ConnectionStore(home).add(profile)
    removal = ConnectionRemoval.for_files(home, ConnectionStore(home), CredentialStore(backend))
    report = await removal.remove(profile.id)
    assert report is not None
    assert report.password_removed is False
    assert not history_file(home).exists()


async def test_without_a_keyring_the_rest_still_goes(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    profile = saved(home, backend, make_profile())
    store = ConnectionStore(home)
    removal = ConnectionRemoval.for_files(home, store, NullCredentialStore("none here"))
    report = await removal.remove(profile.id)
    assert report is not None
    assert report.password_removed is False
    assert report.problems == []
    assert history_of(home) == []
    assert AlertSettingsStore.in_config_dir(home).connection_ids() == []


class _LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")


async def test_a_keyring_failure_is_reported_and_the_rest_still_goes(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    profile = saved(home, backend, make_profile())
    store = ConnectionStore(home)
    removal = ConnectionRemoval.for_files(home, store, CredentialStore(_LockedKeyring()))
    report = await removal.remove(profile.id)
    assert report is not None
    assert report.password_removed is None
    assert report.problems == [
        "Its saved password may remain: The system keyring is locked; could not read the password."
    ]
    assert store.load().profiles == []
    assert history_of(home) == []


async def test_the_windows_open_history_forgets_at_once(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    profile = saved(home, backend, make_profile())
    history, _ = HistoryStore.open(history_file(home))
    store = ConnectionStore(home)
    alert_settings = AlertSettingsStore.in_config_dir(home)
    removal = ConnectionRemoval(
        store, CredentialStore(backend), alert_settings, OpenHistory(history)
    )
    assert history.connections() == [profile.id]
    report = await removal.remove(profile.id)
    assert report is not None
    assert history.connections() == []  # in memory, before anything else runs
    history.close()
    assert history_of(home) == []


async def test_a_history_file_of_a_newer_version_is_left_alone_with_a_problem(
    home: AppPaths, backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    profile = saved(home, backend, make_profile())
    db = sqlite3.connect(history_file(home))
    db.execute("PRAGMA user_version = 999")
    db.close()
    before = history_file(home).read_bytes()
    report = await HistoryFile(history_file(home)).erase(profile.id)
    assert report  # the start-up notice about the newer file
    assert history_file(home).read_bytes() == before
