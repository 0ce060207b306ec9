"""A history file from a newer console is left alone (a downgrade does not lose history)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.history.database import APPLICATION_ID, SCHEMA_VERSION, open_database


def make_newer(path: Path) -> bytes:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE future (x INTEGER)")
    connection.execute("INSERT INTO future VALUES (1)")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    return path.read_bytes()


def test_a_newer_file_is_kept_as_it_is_and_history_stays_in_memory(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    before = make_newer(path)
    connection, notice = open_database(path)
    assert connection is None
    assert notice is not None
    assert "newer version" in notice
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]  # no side files


def test_an_older_schema_is_still_set_aside_without_orphan_side_files(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE past (x INTEGER)")
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.close()
    opened, notice = open_database(path)
    assert opened is not None
    opened.close()
    assert notice is not None
    names = sorted(p.name for p in tmp_path.iterdir())
    assert "history.sqlite3" in names
    aside = [n for n in names if ".corrupt-" in n]
    assert aside
    assert not [n for n in names if n.endswith(("-wal", "-shm")) and ".corrupt-" not in n]
