"""HistoryStore: the Clients and status history of every monitored connection.

Kept in memory in fixed-size numpy rings (raw samples for the last hour, 1-minute
rows for seven days, per server and per cluster total) and saved to SQLite by a writer
thread, so that a restart shows the last day again. All methods except ``flush``,
``close`` and ``load`` return without touching the disk.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from app.api.models import ClusterSnapshot
from app.history.connection import TOTAL_KEY, ConnectionHistory
from app.history.database import HISTORY_FILE, open_database
from app.history.downsample import (
    EMPTY,
    ENVELOPE_COLUMNS,
    Series,
    downsample,
    downsample_columns,
    downsample_minutes,
    raw_points,
)
from app.history.events import EventKind, HistoryEvent
from app.history.rollup import minute_of
from app.history.series import MINUTE_CAPACITY, RAW_CAPACITY, RAW_SPAN_S, SeriesHistory
from app.history.tables import StoredHistory, StoredSeries, WriteBatch
from app.history.writer import DAY_S, KEEP_S, HistoryWriter
from app.paths import AppPaths
from app.seam.capabilities import LoadValues

log = logging.getLogger(__name__)

Listener = Callable[[str], None]
DEFAULT_MAX_POINTS = 2000
SPARKLINE_POINTS = 60
PRUNE_EVERY_S = 60.0


class OpenedHistory(NamedTuple):
    """A store and, when something went wrong with its file, one line for the user."""

    store: HistoryStore
    notice: str | None


def history_file(paths: AppPaths) -> Path:
    """Where the console keeps its load history."""
    return paths.data_dir / HISTORY_FILE


class HistoryStore:
    """Load history of all connections; one instance per console.

    Not thread-safe: call it from one thread (the event loop's). Times are POSIX
    seconds; ``clock`` gives "now" for sparklines and retention. Feed it every
    successful poll, either through ``HistoryFeeder`` or by calling ``record`` with
    each new snapshot and ``record_unchanged`` for polls that found nothing new.
    """

    def __init__(
        self,
        *,
        writer: HistoryWriter | None = None,
        clock: Callable[[], float] = time.time,
        raw_capacity: int = RAW_CAPACITY,
        minute_capacity: int = MINUTE_CAPACITY,
    ) -> None:
        self._writer = writer
        self._clock = clock
        self._capacities = (raw_capacity, minute_capacity)
        self._connections: dict[str, ConnectionHistory] = {}
        self._listeners: list[Listener] = []
        self._loaded = False
        self._last_prune = clock()

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        clock: Callable[[], float] = time.time,
        load_s: float | None = DAY_S,
        raw_capacity: int = RAW_CAPACITY,
        minute_capacity: int = MINUTE_CAPACITY,
    ) -> OpenedHistory:
        """A store saving to ``path``, with the last ``load_s`` seconds loaded from it.

        Blocks on the disk (run it off the event loop at start-up). A damaged file is set
        aside and replaced; a file that cannot be used at all leaves the store in memory
        only. Either way the notice says so in one line; it is None when all is well.
        """
        connection, notice = open_database(path)
        writer = None if connection is None else HistoryWriter(path, connection, clock=clock)
        store = cls(
            writer=writer, clock=clock, raw_capacity=raw_capacity, minute_capacity=minute_capacity
        )
        if load_s is not None:
            notice = store.load(clock() - load_s) or notice
        return OpenedHistory(store, notice)

    # -- feeding ----------------------------------------------------------------------------
    def record(
        self,
        connection_id: str,
        snapshot: ClusterSnapshot,
        at: float,
        values: LoadValues | None = None,
    ) -> bool:
        """Record one poll of ``connection_id`` that returned ``snapshot`` at time ``at``.

        ``values`` replaces the servers' Clients (and their sum) by another load measure.

        Returns False (and records nothing) when ``at`` is not later than the previous
        poll of this connection.
        """
        batch = self._history(connection_id).record(snapshot, at, values)
        return self._recorded(connection_id, batch)

    def record_unchanged(self, connection_id: str, at: float) -> bool:
        """Record a poll that found the cluster unchanged (HTTP 304): the last values again.

        Returns False when nothing was recorded for this connection yet in this run, or
        ``at`` is not later than its previous poll.
        """
        history = self._connections.get(connection_id)
        batch = None if history is None else history.record_unchanged(at)
        return self._recorded(connection_id, batch)

    def record_action(
        self, connection_id: str, server_id: str | None, at: float, text: str
    ) -> None:
        """Add an event for something done from this console ("Isolated by you")."""
        event = HistoryEvent(at, connection_id, server_id, EventKind.ACTION, text)
        self._history(connection_id).add_event(event)
        self._submit(WriteBatch(connection_id, events=[event]))
        self._notify(connection_id)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(connection_id)`` after each change; returns the unsubscriber."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def forget(self, connection_id: str) -> None:
        """Drop a connection's history, in memory and on disk (the connection was deleted)."""
        self._connections.pop(connection_id, None)
        if self._writer is not None:
            self._writer.forget(connection_id)
        self._notify(connection_id)

    # -- queries ----------------------------------------------------------------------------
    def connections(self) -> list[str]:
        return sorted(self._connections)

    def servers(self, connection_id: str) -> dict[str, str]:
        """Id to last known name of every server with history, sorted by name."""
        history = self._connections.get(connection_id)
        return {} if history is None else history.server_names()

    def series(
        self,
        connection_id: str,
        server_id: str,
        start: float,
        end: float,
        max_points: int = DEFAULT_MAX_POINTS,
    ) -> Series:
        """One server's Clients from ``start`` to ``end``, at most ``max_points`` points.

        The raw tier answers when it holds the whole range, the 1-minute tier otherwise
        (each minute's low and high, see ``minute_envelope``). Longer results are reduced
        to buckets of equal time that keep their lowest and highest point
        (``downsample``, ``downsample_minutes``).
        """
        return _points(self._find(connection_id, server_id), start, end, max_points)

    def total_series(
        self, connection_id: str, start: float, end: float, max_points: int = DEFAULT_MAX_POINTS
    ) -> Series:
        """Like ``series`` for the cluster's total Clients (the sum over its servers per poll)."""
        return _points(self._find(connection_id, TOTAL_KEY), start, end, max_points)

    def series_many(
        self,
        connection_id: str,
        server_ids: Sequence[str],
        start: float,
        end: float,
        max_points: int = DEFAULT_MAX_POINTS,
        *,
        total: bool = False,
    ) -> list[Series]:
        """``series`` of each of ``server_ids`` (in that order), preceded by
        ``total_series`` when ``total`` is true: equal to asking one at a time, but the
        raw tier is read once for all of them (the Load graph draws 25 lines a poll)."""
        keys = [TOTAL_KEY, *server_ids] if total else list(server_ids)
        found = [self._find(connection_id, key) for key in keys]
        return _points_many(found, start, end, max_points)

    def sparklines(
        self,
        connection_id: str,
        server_ids: Sequence[str],
        seconds: float,
        max_points: int = SPARKLINE_POINTS,
    ) -> list[npt.NDArray[np.float64]]:
        """``sparkline`` of each of ``server_ids`` (in that order), read in one pass."""
        now = self._clock()
        found = [self._find(connection_id, key) for key in server_ids]
        return [series.y for series in _points_many(found, now - seconds, now, max_points)]

    def sparkline(
        self,
        connection_id: str,
        server_id: str,
        seconds: float,
        max_points: int = SPARKLINE_POINTS,
    ) -> npt.NDArray[np.float64]:
        """The server's Clients over the last ``seconds``: at most ``max_points`` values."""
        now = self._clock()
        return _points(self._find(connection_id, server_id), now - seconds, now, max_points).y

    def events(self, connection_id: str, start: float, end: float) -> list[HistoryEvent]:
        """Status changes, servers joining or leaving, and actions; oldest first."""
        history = self._connections.get(connection_id)
        return [] if history is None else history.events(start, end)

    @property
    def nbytes(self) -> int:
        """Bytes held by the numpy buffers of every series."""
        return sum(history.nbytes for history in self._connections.values())

    # -- disk -------------------------------------------------------------------------------
    @property
    def problem(self) -> str | None:
        """One line about the latest failure to save history, or None."""
        return None if self._writer is None else self._writer.problem

    def load(self, since: float | None = None) -> str | None:
        """Rebuild the buffers from disk (default: the last 24 hours); call once, first.

        Blocks until the writer thread has read the rows. Returns a one-line notice when
        the file turned out damaged (it is then set aside and replaced), else None.
        """
        if self._writer is None:
            return None
        start, raw_since = self._load_range(since)
        stored, notice = self._writer.read(start, raw_since).result()
        self._apply(stored, raw_since)
        return notice

    async def load_async(self, since: float | None = None) -> str | None:
        """``load`` without blocking the event loop (the rows are read on the writer thread)."""
        if self._writer is None:
            return None
        start, raw_since = self._load_range(since)
        stored, notice = await asyncio.wrap_future(self._writer.read(start, raw_since))
        self._apply(stored, raw_since)
        return notice

    def flush(self, timeout: float | None = 30.0) -> None:
        """Block until everything recorded so far is written to disk."""
        if self._writer is not None:
            self._writer.flush(timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Write what is pending and close the file; the store keeps working in memory."""
        if self._writer is not None:
            self._writer.close(timeout)

    # -- internals --------------------------------------------------------------------------
    def _history(self, connection_id: str) -> ConnectionHistory:
        history = self._connections.get(connection_id)
        if history is None:
            raw_capacity, minute_capacity = self._capacities
            history = ConnectionHistory(
                connection_id, raw_capacity=raw_capacity, minute_capacity=minute_capacity
            )
            self._connections[connection_id] = history
        return history

    def _find(self, connection_id: str, key: str) -> SeriesHistory | None:
        history = self._connections.get(connection_id)
        return None if history is None else history.series.get(key)

    def _recorded(self, connection_id: str, batch: WriteBatch | None) -> bool:
        if batch is None:
            return False
        self._submit(batch)
        self._maybe_prune()
        self._notify(connection_id)
        return True

    def _submit(self, batch: WriteBatch) -> None:
        if self._writer is not None:
            self._writer.submit(batch)

    def _notify(self, connection_id: str) -> None:
        for listener in list(self._listeners):
            try:
                listener(connection_id)
            except Exception:
                log.exception("history listener %r failed", listener)

    def _maybe_prune(self) -> None:
        now = self._clock()
        if now - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = now
        for history in self._connections.values():
            history.prune(now - KEEP_S)

    def _load_range(self, since: float | None) -> tuple[float, float]:
        if self._loaded:
            raise RuntimeError("the history was already loaded")
        self._loaded = True
        now = self._clock()
        return (now - DAY_S if since is None else since), now - RAW_SPAN_S

    def _apply(self, stored: StoredHistory, raw_since: float) -> None:
        by_connection: dict[str, list[StoredSeries]] = {}
        for item in stored.series:
            by_connection.setdefault(item.connection_id, []).append(item)
        for connection_id, items in by_connection.items():
            self._submit(self._history(connection_id).restore(items, raw_since))
        for event in stored.events:
            self._history(event.connection_id).add_event(event)
        for connection_id in {item.connection_id for item in stored.series}:
            self._notify(connection_id)


def _points_many(
    found: Sequence[SeriesHistory | None], start: float, end: float, max_points: int
) -> list[Series]:
    """``_points`` of each of ``found``; the series the raw tier answers for that share
    one ``Tiers`` (those of one connection) are read from it in one pass."""
    result: list[Series] = [EMPTY] * len(found)
    shared = [(position, series) for position, series in enumerate(found) if series is not None]
    if end < start or not shared:
        return result
    tiers = shared[0][1].tiers
    if any(series.tiers is not tiers for _, series in shared):
        return [_points(series, start, end, max_points) for series in found]
    slots = np.fromiter((series.slot for _, series in shared), np.intp, len(shared))
    raw_first = tiers.raw.first_times(slots)
    batched: list[tuple[int, int]] = []  # (position in found, column in the read)
    for column, (position, series) in enumerate(shared):
        first = float(raw_first[column])
        if first == first and (first <= start or series.raw_covers(start)):
            batched.append((position, column))
        else:  # no raw sample, or older ones in the minute tier: as one at a time
            result[position] = _points(series, start, end, max_points)
    if not batched:
        return result
    times, values, present = tiers.raw.window_slots(slots, start, end, "clients")
    everywhere: npt.NDArray[np.bool_] = np.all(present, axis=0)
    whole = [(position, column) for position, column in batched if everywhere[column]]
    if whole:  # polled every time in the window: reduced together
        columns = values[:, [column for _, column in whole]]
        for (position, _), points in zip(
            whole, downsample_columns(times, columns, max_points), strict=True
        ):
            result[position] = points
    for position, column in batched:
        if not everywhere[column]:
            keep = present[:, column]
            points = Series(times[keep], values[keep, column].astype(np.float64))
            result[position] = downsample(points, max_points)
    return result


def _points(series: SeriesHistory | None, start: float, end: float, max_points: int) -> Series:
    if series is None or end < start:
        return EMPTY
    if series.raw_covers(start):
        return downsample(raw_points(series.raw_window(start, end)), max_points)
    rows = series.minute_window(minute_of(start), end, ENVELOPE_COLUMNS)
    return downsample_minutes(rows, max_points)
