"""The history of one monitored connection: a series per server, the total, and events."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable
from operator import attrgetter

from app.api.models import ClusterSnapshot, Server, ServerStatus
from app.history.codes import StatusCode
from app.history.events import EventKind, HistoryEvent, status_change
from app.history.series import MINUTE_CAPACITY, RAW_CAPACITY, SeriesHistory
from app.history.tables import StoredSeries, WriteBatch
from app.seam.capabilities import LoadValues

log = logging.getLogger(__name__)

MAX_STORED_CLIENTS = 2**31 - 1
"""The largest Clients count the int32 ``clients`` column holds (a total is capped there)."""
TOTAL_KEY = ""
"""The series key of the cluster total (server ids are never empty)."""
MAX_EVENTS = 20_000
"""Events kept in memory per connection; the oldest go first."""
_CODE_VALUES = {status: int(StatusCode.of(status)) for status in ServerStatus}
"""The recorded code of each status as a plain int (stored as is, compared cheaply)."""
_ID = attrgetter("id")
_NAME = attrgetter("name")
_CLIENTS = attrgetter("clients")


def _names(servers: Iterable[Server]) -> dict[str, str]:
    """Id to name of the servers that have an id."""
    named = list(filter(_ID, servers))
    return dict(zip(map(_ID, named), map(_NAME, named), strict=True))


class ConnectionHistory:
    """Series and events of one connection, fed one poll at a time.

    ``record`` takes the poll's snapshot; every server in it gets a sample at the same
    time ``at``, and so does the cluster total (the sum of the servers' Clients). A poll
    whose time is not later than the previous one is ignored (the clock went back).
    Servers that leave the list keep their past samples; servers that join get a new
    series. The first snapshot recorded (per run) is the reference for "joined" and
    "left" events; status events compare with the server's last known status.
    """

    def __init__(
        self,
        connection_id: str,
        *,
        raw_capacity: int = RAW_CAPACITY,
        minute_capacity: int = MINUTE_CAPACITY,
        max_events: int = MAX_EVENTS,
    ) -> None:
        self.connection_id = connection_id
        self.series: dict[str, SeriesHistory] = {}
        self._capacities = (raw_capacity, minute_capacity)
        self._max_events = max_events
        self._events: list[HistoryEvent] = []
        self._last: ClusterSnapshot | None = None
        self._last_values: LoadValues | None = None

    @property
    def total(self) -> SeriesHistory | None:
        return self.series.get(TOTAL_KEY)

    @property
    def nbytes(self) -> int:
        return sum(series.nbytes for series in self.series.values())

    def server_names(self) -> dict[str, str]:
        """Server id to last known name, for every server with history, sorted by name."""
        pairs = [(key, s.name) for key, s in self.series.items() if key != TOTAL_KEY]
        return dict(sorted(pairs, key=lambda pair: (pair[1].casefold(), pair[0])))

    def record(
        self, snapshot: ClusterSnapshot, at: float, values: LoadValues | None = None
    ) -> WriteBatch | None:
        """Add one poll; returns the rows to store, or None when ``at`` is too early.

        ``values`` gives each server's value and the total instead of the Clients.
        """
        known_total = self.total
        if known_total is not None and not known_total.accepts(at):
            return None
        batch = WriteBatch(self.connection_id)
        total = self._series(TOTAL_KEY, snapshot.cluster.name, batch)
        servers = list(filter(_ID, snapshot.servers))  # those with an id
        known = self.series
        codes = _CODE_VALUES
        for server in servers:  # this runs for every server on every poll: kept lean
            key, name = server.id, server.name
            series = known.get(key)
            if series is None or series.name != name:
                series = self._series(key, name, batch)
            previous = series.last_status
            if not series.accepts(at):
                continue
            code = codes[server.status]
            value = server.clients if values is None else values.servers.get(key, 0)
            self._add(series, key, at, value, code, batch)
            if previous is not None and previous != code:  # (no enum made per steady server)
                change = status_change(name, StatusCode.parse(previous), StatusCode(code))
                if change is not None:
                    self._event(batch, at, key, *change)
        cluster = sum(map(_CLIENTS, servers)) if values is None else values.total
        self._add(total, TOTAL_KEY, at, cluster, StatusCode.NONE, batch)
        self._membership_events(snapshot, at, batch)
        self._last = snapshot
        self._last_values = values
        return batch

    def record_unchanged(self, at: float) -> WriteBatch | None:
        """Repeat the last recorded snapshot at ``at``; None if there is none (or too early)."""
        return None if self._last is None else self.record(self._last, at, self._last_values)

    def add_event(self, event: HistoryEvent) -> None:
        """Insert an event in time order, dropping the oldest beyond the limit."""
        bisect.insort_right(self._events, event, key=lambda e: e.at)
        if len(self._events) > self._max_events:
            del self._events[: len(self._events) - self._max_events]

    def events(self, start: float, end: float) -> list[HistoryEvent]:
        """Events with ``start <= at <= end``, oldest first."""
        low = bisect.bisect_left(self._events, start, key=lambda e: e.at)
        high = bisect.bisect_right(self._events, end, key=lambda e: e.at)
        return self._events[low:high]

    def restore(self, stored: StoredSeries, raw_since: float) -> WriteBatch:
        """Refill one series from disk (``SeriesHistory.restore``); rows still to store."""
        if stored.server_key in self.series:
            raise RuntimeError("this series already has samples")
        series = SeriesHistory(
            stored.name, raw_capacity=self._capacities[0], minute_capacity=self._capacities[1]
        )
        closed = series.restore(stored.raw, stored.minutes, raw_since)
        self.series[stored.server_key] = series
        return WriteBatch(self.connection_id, minutes=[(stored.server_key, r) for r in closed])

    def prune(self, before: float) -> None:
        """Forget series with no sample since ``before``, and events older than it."""
        for key in [k for k, s in self.series.items() if (s.last_time or 0.0) < before]:
            del self.series[key]
        self._events = self.events(before, float("inf"))

    # -- internals ------------------------------------------------------------------------
    def _series(self, key: str, name: str, batch: WriteBatch) -> SeriesHistory:
        series = self.series.get(key)
        if series is None:
            raw_capacity, minute_capacity = self._capacities
            series = SeriesHistory(name, raw_capacity=raw_capacity, minute_capacity=minute_capacity)
            self.series[key] = series
            batch.names.append((key, name))
        elif series.name != name:
            series.name = name
            batch.names.append((key, name))
        return series

    @staticmethod
    def _add(
        series: SeriesHistory, key: str, at: float, clients: int, code: int, batch: WriteBatch
    ) -> None:
        if not 0 <= clients <= MAX_STORED_CLIENTS:
            # Replies are validated before they get here; a total of many huge counts can
            # still pass the column's range, and one bad value must never stop history.
            log.warning("%s: %d Clients is out of range; stored as %d", key, clients,
                        min(max(clients, 0), MAX_STORED_CLIENTS))  # fmt: skip
            clients = min(max(clients, 0), MAX_STORED_CLIENTS)
        closed = series.add(at, clients, code, accepted=True)
        batch.raw.append((key, at, clients, code))
        if closed is not None:
            batch.minutes.append((key, closed))

    def _membership_events(self, snapshot: ClusterSnapshot, at: float, batch: WriteBatch) -> None:
        last = self._last
        if last is None or last.servers is snapshot.servers:
            return
        before = _names(last.servers)
        now = _names(snapshot.servers)
        if before.keys() == now.keys():
            return
        for sid in sorted(now.keys() - before.keys()):
            self._event(batch, at, sid, EventKind.ADDED, f"{now[sid]} joined the cluster")
        for sid in sorted(before.keys() - now.keys()):
            self._event(batch, at, sid, EventKind.REMOVED, f"{before[sid]} left the cluster")

    def _event(
        self, batch: WriteBatch, at: float, server_id: str | None, kind: EventKind, text: str
    ) -> None:
        event = HistoryEvent(at, self.connection_id, server_id, kind, text)
        self.add_event(event)
        batch.events.append(event)
