"""The history database file: schema, checks, and setting a damaged file aside.

One SQLite file (WAL journal, ``synchronous=NORMAL``) with the tables ``series`` (one
row per server, or per cluster total with server key ``""``), ``raw``, ``minute`` and
``event``. ``PRAGMA application_id`` marks the file as the console's history and
``PRAGMA user_version`` carries the schema version.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from pathlib import Path

from app.connections.setaside import set_aside_file

log = logging.getLogger(__name__)

HISTORY_FILE = "history.sqlite3"
SCHEMA_VERSION = 1
APPLICATION_ID = 0x45434849  # "ECHI": Ekran Console HIstory
BUSY_TIMEOUT_S = 5.0

_SCHEMA = """
CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL,
    server_id TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (connection_id, server_id)
);
CREATE TABLE raw (
    series INTEGER NOT NULL,
    t REAL NOT NULL,
    clients INTEGER NOT NULL,
    status INTEGER NOT NULL,
    UNIQUE (series, t)
);
CREATE INDEX raw_by_time ON raw (t);
CREATE TABLE minute (
    series INTEGER NOT NULL,
    t REAL NOT NULL,
    low INTEGER NOT NULL,
    high INTEGER NOT NULL,
    total INTEGER NOT NULL,
    count INTEGER NOT NULL,
    status INTEGER NOT NULL,
    rising INTEGER NOT NULL,
    UNIQUE (series, t)
);
CREATE INDEX minute_by_time ON minute (t);
CREATE TABLE event (
    id INTEGER PRIMARY KEY,
    connection_id TEXT NOT NULL,
    server_id TEXT,
    t REAL NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX event_by_connection ON event (connection_id, t);
CREATE INDEX event_by_time ON event (t);
"""

_COLUMNS = {
    "series": ("id", "connection_id", "server_id", "name"),
    "raw": ("series", "t", "clients", "status"),
    "minute": ("series", "t", "low", "high", "total", "count", "status", "rising"),
    "event": ("id", "connection_id", "server_id", "t", "kind", "text"),
}
_DAMAGE_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


class DamagedDatabaseError(Exception):
    """The file is not a usable history database; ``reason`` says why in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NewerDatabaseError(Exception):
    """The file was written by a newer version of the console: kept as it is, not used."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version}")
        self.version = version


def is_damage(error: sqlite3.Error) -> bool:
    """Whether an SQLite error means the file's content is damaged (not busy, full, etc.)."""
    name = getattr(error, "sqlite_errorname", "")
    return name in _DAMAGE_CODES or "malformed" in str(error)


def connect(path: Path) -> sqlite3.Connection:
    """Open ``path`` (created if missing), usable from one thread at a time; nothing written."""
    return sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )


def configure(connection: sqlite3.Connection) -> None:
    """Switch a checked database to the WAL journal with ``synchronous=NORMAL``."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")


def prepare(connection: sqlite3.Connection) -> None:
    """Create the schema in an empty file, or check an existing one.

    Raises ``NewerDatabaseError`` for a file of a newer schema version (a downgrade: the
    file is left alone so the newer version finds its history again), and
    ``DamagedDatabaseError`` for a file that is damaged, belongs to something else or has
    an older schema version; other ``sqlite3.Error`` (busy, read-only, I/O) pass.
    """
    try:
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        app_id = connection.execute("PRAGMA application_id").fetchone()[0]
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if not tables and app_id == 0 and version == 0:
            _create(connection)
            return
        if app_id != APPLICATION_ID:
            raise DamagedDatabaseError("it is not a console history file")
        if version > SCHEMA_VERSION:
            raise NewerDatabaseError(version)
        if version != SCHEMA_VERSION:
            raise DamagedDatabaseError(f"it has schema version {version}, not {SCHEMA_VERSION}")
        for table, columns in _COLUMNS.items():
            found = tuple(row[1] for row in connection.execute(f"PRAGMA table_info({table})"))
            if found != columns:
                raise DamagedDatabaseError(f"its table {table!r} is missing or different")
        problem = connection.execute("PRAGMA quick_check(1)").fetchone()[0]
        if problem != "ok":
            raise DamagedDatabaseError("its pages are damaged")
    except sqlite3.Error as error:
        if is_damage(error):
            raise DamagedDatabaseError(_short(error)) from None
        raise


def _create(connection: sqlite3.Connection) -> None:
    script = (
        "BEGIN IMMEDIATE;"
        + _SCHEMA
        + f"PRAGMA application_id = {APPLICATION_ID};"
        + f"PRAGMA user_version = {SCHEMA_VERSION};"
        + "COMMIT;"
    )
    try:
        connection.executescript(script)
    except BaseException:
        if connection.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
        raise


def open_checked(path: Path) -> sqlite3.Connection:
    """``connect``, ``prepare`` and ``configure``; the connection is closed if one fails.

    Nothing is written to an existing file before it has passed the checks.
    """
    connection = connect(path)
    try:
        prepare(connection)
        configure(connection)
    except BaseException:
        connection.close()
        raise
    return connection


def set_aside(path: Path) -> Path:
    """Rename the database and its WAL side files to ``<name>.corrupt-<UTC time>``."""
    target = set_aside_file(path)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def replace_damaged(path: Path, reason: str) -> tuple[sqlite3.Connection, str]:
    """Set the damaged file aside, start a new one, and say so in one line."""
    kept = set_aside(path)
    log.warning("history database %s was damaged (%s); kept as %s", path, reason, kept.name)
    message = (
        f"The load history file could not be used ({reason}); it was kept as {kept.name} "
        "and a new one was started."
    )
    return open_checked(path), message


def open_database(path: Path) -> tuple[sqlite3.Connection | None, str | None]:
    """The checked database at ``path`` and a one-line notice for the user, if any.

    A damaged file is set aside and replaced (with a notice); a file from a newer
    version is left untouched and history stays in memory (with a notice). When the file cannot be
    opened at all (locked, no permission, disk error) the connection is None and the
    notice says history is kept in memory only. Never raises ``sqlite3.Error``.
    """
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            return open_checked(path), None
        except DamagedDatabaseError as damage:
            return replace_damaged(path, damage.reason)
        except NewerDatabaseError as newer:
            log.warning("history database %s is from a newer version (%s)", path, newer)
            return None, (
                "The load history file was written by a newer version of the console; it is "
                "left as it is, and history is kept in memory only."
            )
    except (sqlite3.Error, OSError) as error:
        log.warning("history database %s cannot be used: %s", path, error)
        return None, (
            f"The load history cannot be saved ({_short(error)}); it is kept in memory only."
        )


def _short(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text and text[0] else type(error).__name__
