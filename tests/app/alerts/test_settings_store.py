"""AlertSettingsStore: per-connection alert settings in one file the window and the
command line share."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.alerts import AlertKind, AlertSettings
from app.alerts.settings_store import (
    ALERT_SETTINGS_FILE,
    AlertSettingsStore,
    AlertSettingsWriteError,
)
from app.paths import AppPaths

FIRST = "c0ffee00-0000-4000-8000-000000000001"
SECOND = "c0ffee00-0000-4000-8000-000000000002"
QUIET = AlertSettings(disabled=frozenset({AlertKind.OFFLINE}), max_per_minute=2)


@pytest.fixture
def store(tmp_path: Path) -> AlertSettingsStore:
    return AlertSettingsStore.in_config_dir(AppPaths.under(tmp_path / "home"))


def test_nothing_stored_means_the_defaults(store: AlertSettingsStore) -> None:
    assert store.load(FIRST) == AlertSettings()
    assert not store.path.exists()


def test_saved_settings_are_read_back_by_another_store(store: AlertSettingsStore) -> None:
    store.save(FIRST, QUIET)
    again = AlertSettingsStore(store.path)
    assert again.load(FIRST) == QUIET
    assert again.load(SECOND) == AlertSettings()
    assert store.path.name == ALERT_SETTINGS_FILE


def test_a_change_keeps_what_another_process_wrote_meanwhile(store: AlertSettingsStore) -> None:
    other = AlertSettingsStore(store.path)
    store.save(FIRST, QUIET)
    assert other.load(FIRST) == QUIET  # read once, then cached
    store.save(SECOND, QUIET)
    other.remove(FIRST)  # re-reads before it writes: SECOND survives
    assert AlertSettingsStore(store.path).connection_ids() == [SECOND]


def test_remove_forgets_one_connection(store: AlertSettingsStore) -> None:
    store.save(FIRST, QUIET)
    store.save(SECOND, QUIET)
    store.remove(FIRST)
    store.remove("never-stored")
    assert store.load(FIRST) == AlertSettings()
    assert store.connection_ids() == [SECOND]


def test_remove_without_a_file_creates_none(store: AlertSettingsStore) -> None:
    store.remove(FIRST)
    assert not store.path.exists()


def test_add_missing_keeps_what_is_stored(store: AlertSettingsStore) -> None:
    store.save(FIRST, QUIET)
    store.add_missing({FIRST: AlertSettings(), SECOND: QUIET})
    assert store.load(FIRST) == QUIET
    assert store.load(SECOND) == QUIET


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'{"format": "something else", "connections": {}}',
        b'{"format": "ekran-console/alert-settings", "version": 1, "connections": []}',
    ],
)
def test_a_damaged_file_gives_the_defaults(store: AlertSettingsStore, content: bytes) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    assert store.load(FIRST) == AlertSettings()


def test_a_damaged_entry_gives_the_defaults_for_that_connection_only(
    store: AlertSettingsStore,
) -> None:
    store.save(SECOND, QUIET)
    document = json.loads(store.path.read_text(encoding="utf-8"))
    document["connections"][FIRST] = {"max_per_minute": 0}
    store.path.write_text(json.dumps(document), encoding="utf-8")
    reader = AlertSettingsStore(store.path)
    assert reader.load(FIRST) == AlertSettings()
    assert reader.load(SECOND) == QUIET


def test_a_file_of_a_newer_version_is_read_but_never_overwritten(
    store: AlertSettingsStore,
) -> None:
    store.path.parent.mkdir(parents=True)
    document = {
        "format": "ekran-console/alert-settings",
        "version": 2,
        "connections": {FIRST: QUIET.to_dict()},
        "something_new": True,
    }
    store.path.write_text(json.dumps(document), encoding="utf-8")
    before = store.path.read_bytes()
    assert store.load(FIRST) == QUIET
    with pytest.raises(AlertSettingsWriteError, match="newer version"):
        store.save(SECOND, QUIET)
    assert store.path.read_bytes() == before


def test_a_full_disk_is_one_line_naming_the_folder(
    store: AlertSettingsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(FIRST, QUIET)
    before = store.path.read_bytes()

    def no_space(*_args: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("app.alerts.settings_store.write_atomically", no_space)
    with pytest.raises(AlertSettingsWriteError) as caught:
        store.save(SECOND, QUIET)
    message = str(caught.value)
    assert str(store.path.parent) in message
    assert "No space left on device" in message
    assert "\n" not in message
    assert store.path.read_bytes() == before
