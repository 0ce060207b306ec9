"""Importing many connections: one atomic write, all or nothing, skipped entries reported."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.connections import ConnectionStore, ConnectionStoreError
from app.connections.transfer import export_connections, import_connections
from app.paths import AppPaths
from tests.helpers.profiles import MakeProfile, profile_factory

COUNT = 10_000


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10,000 connections, two of them invalid (no URL; a C0 control in the name).

    Made once for the module (about two seconds of CPU); the tests only read it."""
    make_profile = profile_factory()
    profiles = [make_profile(name=f"Site {i:05d}") for i in range(COUNT)]
    path = tmp_path_factory.mktemp("bulk") / "big.json"
    export_connections(profiles, path)
    document = json.loads(path.read_bytes())
    document["connections"][5]["urls"] = []
    document["connections"][7]["name"] = "evil\x1b[31m"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_ten_thousand_entries_are_saved_in_one_write(
    big_export: Path,
    store: ConnectionStore,
    make_profile: MakeProfile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store.add(make_profile(name="Site 00001"))  # a clash: the import gets a suffix
    writes: list[Path] = []
    real = __import__("app.connections.store", fromlist=["write_atomically"]).write_atomically

    def counting(path: Path, data: bytes) -> None:
        writes.append(path)
        real(path, data)

    monkeypatch.setattr("app.connections.store.write_atomically", counting)
    result = import_connections(big_export, store.load().profiles)
    assert result.skipped == 2
    store.add_many(result.profiles)
    assert writes.count(store.path) == 1
    saved = store.load().profiles
    assert len(saved) == 1 + COUNT - 2
    assert "Site 00001 (imported)" in {p.name for p in saved}


def test_a_full_disk_imports_nothing(
    big_export: Path,
    store: ConnectionStore,
    make_profile: MakeProfile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = store.add(make_profile(name="Kept"))
    before = store.path.read_bytes()

    def no_space(*_args: Any, **_kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("app.connections.store.write_atomically", no_space)
    result = import_connections(big_export, store.load().profiles)
    with pytest.raises(ConnectionStoreError, match="No space left on device"):
        store.add_many(result.profiles)
    assert store.path.read_bytes() == before
    assert [p.id for p in store.load().profiles] == [kept.id]


def test_the_command_reports_skipped_entries_with_escaped_names(
    big_export: Path, paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connections", "import", str(big_export)]) == 0
    captured = capsys.readouterr()
    assert f"Imported {COUNT - 2} connection(s); 2 entries skipped" in captured.out
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert "\x1b" not in captured.err
    assert len(ConnectionStore(paths).load().profiles) == COUNT - 2


def test_an_entry_that_is_not_text_is_skipped_not_fatal(
    tmp_path: Path, paths: AppPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "surrogate.json"
    good = {"name": "Good", "urls": ["https://mt.example"], "username": "u"}
    bad = {**good, "name": "bad\ud800"}  # json.dumps writes it as the escape \\ud800
    document = {"format": "ekran-console/connections-export", "version": 1}
    export.write_text(json.dumps({**document, "connections": [bad, good]}), encoding="utf-8")
    assert main(["connections", "import", str(export)]) == 0
    captured = capsys.readouterr()
    assert "Imported 1 connection(s); 1 entries skipped" in captured.out
    assert "not valid text" in captured.err
    assert [p.name for p in ConnectionStore(paths).load().profiles] == ["Good"]
