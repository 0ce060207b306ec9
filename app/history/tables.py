"""Reading and writing history rows: the SQL behind the writer thread.

Every function takes an open connection from ``app.history.database`` and is run on
one thread at a time (the writer's). Rows are keyed in memory by connection id and
server key (``""`` for the cluster total); ``SeriesIds`` maps those keys to row ids.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import numpy.typing as npt

from app.history.events import EventKind, HistoryEvent
from app.history.ring import Columns
from app.history.rollup import MINUTE_DTYPES, MINUTE_S, ClosedMinutes, MinuteRow
from app.history.series import RAW_DTYPES

SeriesKey = tuple[str, str]
"""(connection id, server key)."""
SeriesIds = dict[SeriesKey, int]
PRUNE_BATCH_ROWS = 5000


@dataclass(frozen=True)
class PollRows:
    """The raw rows of one poll: at ``t``, ``clients[i]`` and ``status[i]`` of ``keys[i]``."""

    t: float
    keys: tuple[str, ...]
    clients: npt.NDArray[np.int32]
    status: npt.NDArray[np.int8]


@dataclass
class WriteBatch:
    """What one poll (or one action) of a connection adds to the database.

    A poll's raw rows come as one ``PollRows`` and the minute it closed as one
    ``ClosedMinutes`` (with the key of each of its slots): arrays, not a tuple per
    server, so that the poll does no per-server work to hand them over.
    """

    connection_id: str
    names: list[tuple[str, str]] = field(default_factory=list)  # (server key, name)
    raw: list[tuple[str, float, int, int]] = field(default_factory=list)  # key, t, clients, status
    minutes: list[tuple[str, MinuteRow]] = field(default_factory=list)
    events: list[HistoryEvent] = field(default_factory=list)
    polls: list[PollRows] = field(default_factory=list)
    closed: list[tuple[tuple[str, ...], ClosedMinutes]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(
            self.names or self.raw or self.minutes or self.events or self.polls or self.closed
        )


@dataclass(frozen=True)
class StoredSeries:
    connection_id: str
    server_key: str
    name: str
    raw: Columns
    minutes: Columns


@dataclass(frozen=True)
class StoredHistory:
    """Rows read back from disk, each series' rows oldest first, events in time order."""

    series: tuple[StoredSeries, ...] = ()
    events: tuple[HistoryEvent, ...] = ()


def write(connection: sqlite3.Connection, batches: Iterable[WriteBatch], ids: SeriesIds) -> None:
    """Write ``batches`` in one transaction (all or nothing)."""
    connection.execute("BEGIN")
    try:
        for batch in batches:
            _write_one(connection, batch, ids)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        ids.clear()  # ids inserted by the rolled-back transaction are gone
        raise


def _write_one(connection: sqlite3.Connection, batch: WriteBatch, ids: SeriesIds) -> None:
    cid = batch.connection_id
    for key, name in batch.names:
        connection.execute(
            "INSERT INTO series (connection_id, server_id, name) VALUES (?, ?, ?) "
            "ON CONFLICT (connection_id, server_id) DO UPDATE SET name = excluded.name",
            (cid, key, name),
        )
    connection.executemany(
        "INSERT OR REPLACE INTO raw (series, t, clients, status) VALUES (?, ?, ?, ?)",
        [(_series_id(connection, ids, cid, key), t, c, s) for key, t, c, s in batch.raw],
    )
    connection.executemany(
        "INSERT OR REPLACE INTO minute (series, t, low, high, total, count, status, rising) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                _series_id(connection, ids, cid, key),
                row.t,
                row.low,
                row.high,
                row.total,
                row.count,
                row.status,
                int(row.rising),
            )
            for key, row in batch.minutes
        ],
    )
    for poll in batch.polls:
        series = _series_ids(connection, ids, cid, poll.keys)
        connection.executemany(
            "INSERT OR REPLACE INTO raw (series, t, clients, status) VALUES (?, ?, ?, ?)",
            zip(series, repeat(poll.t), poll.clients.tolist(), poll.status.tolist(), strict=False),
        )
    for keys, closed in batch.closed:
        values = closed.values
        connection.executemany(
            "INSERT OR REPLACE INTO minute (series, t, low, high, total, count, status, rising) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            zip(
                _series_ids(connection, ids, cid, keys),
                repeat(closed.t),
                values["low"].tolist(),
                values["high"].tolist(),
                values["total"].tolist(),
                values["count"].tolist(),
                values["status"].tolist(),
                values["rising"].astype(np.int8).tolist(),
                strict=False,
            ),
        )
    connection.executemany(
        "INSERT INTO event (connection_id, server_id, t, kind, text) VALUES (?, ?, ?, ?, ?)",
        [(e.connection_id, e.server_id, e.at, e.kind.value, e.text) for e in batch.events],
    )


def _series_ids(
    connection: sqlite3.Connection, ids: SeriesIds, cid: str, keys: tuple[str, ...]
) -> list[int]:
    """The row ids of ``keys``' series (made when missing)."""
    get = ids.get
    found = [get((cid, key)) for key in keys]
    if None not in found:
        return found  # type: ignore[return-value]  # (no None in it)
    return [_series_id(connection, ids, cid, key) for key in keys]


def _series_id(connection: sqlite3.Connection, ids: SeriesIds, cid: str, key: str) -> int:
    known = ids.get((cid, key))
    if known is not None:
        return known
    connection.execute(
        "INSERT OR IGNORE INTO series (connection_id, server_id, name) VALUES (?, ?, ?)",
        (cid, key, key),
    )
    row = connection.execute(
        "SELECT id FROM series WHERE connection_id = ? AND server_id = ?", (cid, key)
    ).fetchone()
    ids[(cid, key)] = int(row[0])
    return int(row[0])


def read(connection: sqlite3.Connection, since: float, raw_since: float) -> StoredHistory:
    """Minute rows and events from ``since`` on, raw rows from ``raw_since`` on.

    For each series, raw rows later than its last stored minute are read as well, even
    before ``raw_since``, so that the minute open at shutdown can be completed.
    """
    found: list[StoredSeries] = []
    series_rows = connection.execute(
        "SELECT id, connection_id, server_id, name FROM series ORDER BY id"
    ).fetchall()
    for series_id, cid, key, name in series_rows:
        minutes = _columns(
            connection.execute(
                "SELECT t, low, high, total, count, status, rising FROM minute "
                "WHERE series = ? AND t >= ? ORDER BY t",
                (series_id, since),
            ).fetchall(),
            MINUTE_DTYPES,
        )
        raw_from = raw_since
        if len(minutes["t"]):
            raw_from = max(since, min(raw_since, float(minutes["t"][-1]) + MINUTE_S))
        raw = _columns(
            connection.execute(
                "SELECT t, clients, status FROM raw WHERE series = ? AND t >= ? ORDER BY t",
                (series_id, raw_from),
            ).fetchall(),
            RAW_DTYPES,
        )
        if len(minutes["t"]) or len(raw["t"]):
            found.append(StoredSeries(str(cid), str(key), str(name), raw, minutes))
    events = tuple(
        HistoryEvent(float(t), str(cid), sid, EventKind(kind), str(text))
        for cid, sid, t, kind, text in connection.execute(
            "SELECT connection_id, server_id, t, kind, text FROM event WHERE t >= ? ORDER BY t",
            (since,),
        )
        if kind in _EVENT_KINDS
    )
    return StoredHistory(tuple(found), events)


_EVENT_KINDS = frozenset(kind.value for kind in EventKind)


def _columns(rows: list[tuple[object, ...]], dtypes: dict[str, type[np.generic]]) -> Columns:
    table = (
        np.array(rows, dtype=list(dtypes.items())) if rows else np.empty(0, list(dtypes.items()))
    )
    return {name: np.ascontiguousarray(table[name]) for name in dtypes}


def prune(connection: sqlite3.Connection, *, raw_before: float, minute_before: float) -> bool:
    """Delete rows older than the limits, in small transactions; True if a series went away."""
    for table, before in (("raw", raw_before), ("minute", minute_before), ("event", minute_before)):
        while True:
            deleted = connection.execute(
                f"DELETE FROM {table} WHERE rowid IN "
                f"(SELECT rowid FROM {table} WHERE t < ? LIMIT ?)",
                (before, PRUNE_BATCH_ROWS),
            ).rowcount
            if deleted < PRUNE_BATCH_ROWS:
                break
    emptied = connection.execute(
        "DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM raw WHERE raw.series = series.id) "
        "AND NOT EXISTS (SELECT 1 FROM minute WHERE minute.series = series.id)"
    ).rowcount
    return emptied > 0


def forget(connection: sqlite3.Connection, connection_id: str) -> None:
    """Delete everything recorded for one connection."""
    connection.execute("BEGIN")
    try:
        for table in ("raw", "minute"):
            connection.execute(
                f"DELETE FROM {table} WHERE series IN "
                "(SELECT id FROM series WHERE connection_id = ?)",
                (connection_id,),
            )
        connection.execute("DELETE FROM series WHERE connection_id = ?", (connection_id,))
        connection.execute("DELETE FROM event WHERE connection_id = ?", (connection_id,))
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
