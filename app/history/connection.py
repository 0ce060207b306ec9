"""The history of one monitored connection: a series per server, the total, and events."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from app.api.models import ClusterSnapshot, Server, ServerStatus
from app.history.codes import StatusCode
from app.history.events import EventKind, HistoryEvent, status_change
from app.history.ring import TIME
from app.history.rollup import MINUTE_DTYPES, MINUTE_S, MinuteAccumulator, MinuteRow
from app.history.series import (
    MINUTE_CAPACITY,
    NO_STATUS,
    RAW_CAPACITY,
    SeriesHistory,
    Tiers,
)
from app.history.tables import PollRows, StoredSeries, WriteBatch
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
_STATUS = attrgetter("status")


def _names(servers: Iterable[Server]) -> dict[str, str]:
    """Id to name of the servers that have an id."""
    named = list(filter(_ID, servers))
    return dict(zip(map(_ID, named), map(_NAME, named), strict=True))


@dataclass(frozen=True)
class _Poll:
    """One snapshot as the tiers take it: the servers' keys, then the total's (``""``),
    with their slots, values and status codes in the same order."""

    keys: tuple[str, ...]
    names: tuple[str, ...]
    slots: npt.NDArray[np.intp]
    clients: npt.NDArray[np.int32]
    codes: npt.NDArray[np.int8]


@dataclass(frozen=True)
class _Prepared:
    """The ``_Poll`` of a snapshot's servers and values (a repeated poll reuses it)."""

    servers: tuple[Server, ...]
    values: LoadValues | None
    poll: _Poll


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
        self._tiers = Tiers(raw_capacity, minute_capacity)
        self._keys: list[str | None] = []  # the series key of each slot (None: free)
        self._free: list[int] = []  # slots a pruned series left
        self._prepared: _Prepared | None = None
        self._member_keys: tuple[str, ...] | None = None  # the last poll's server keys
        self._sorted_names: dict[str, str] | None = None  # ``server_names`` until a change

    @property
    def total(self) -> SeriesHistory | None:
        return self.series.get(TOTAL_KEY)

    @property
    def nbytes(self) -> int:
        return self._tiers.nbytes

    def server_names(self) -> dict[str, str]:
        """Server id to last known name, for every server with history, sorted by name.

        Sorted again only after a series came, went or was renamed (the graph asks on
        every poll).
        """
        if self._sorted_names is None:
            pairs = [(key, s.name) for key, s in self.series.items() if key != TOTAL_KEY]
            pairs.sort(key=lambda pair: (pair[1].casefold(), pair[0]))
            self._sorted_names = dict(pairs)
        return dict(self._sorted_names)

    def record(
        self, snapshot: ClusterSnapshot, at: float, values: LoadValues | None = None
    ) -> WriteBatch | None:
        """Add one poll; returns the rows to store, or None when ``at`` is too early.

        ``values`` gives each server's value and the total instead of the Clients. The
        samples of every server and of the total are written in one row of the tiers.
        """
        if not self._tiers.accepts(at):
            return None
        batch = WriteBatch(self.connection_id)
        poll = self._poll(snapshot, values, batch)
        codes = poll.codes
        previous = self._tiers.last_status[poll.slots[:-1]]
        closed = self._tiers.add(at, poll.slots, poll.clients, codes)
        batch.polls.append(PollRows(at, poll.keys, poll.clients, codes))
        if closed is not None:
            batch.closed.append((tuple(map(self._key, closed.slots.tolist())), closed))
        changed = np.flatnonzero((previous != codes[:-1]) & (previous != NO_STATUS))
        for index in changed.tolist():  # a few servers at most per poll
            key = poll.keys[index]
            change = status_change(
                self.series[key].name,
                StatusCode.parse(int(previous[index])),
                StatusCode(int(codes[index])),
            )
            if change is not None:
                self._event(batch, at, key, *change)
        self._membership_events(snapshot, poll.keys, at, batch)
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

    def restore(self, stored: Sequence[StoredSeries], raw_since: float) -> WriteBatch:
        """Refill series from disk; returns the rows still to store.

        Per series, the minute rows go to the minute tier and raw samples from
        ``raw_since`` on to the raw tier; raw samples later than its last stored minute
        are folded again (the minute open at shutdown carries on, and the minutes this
        replay closes are returned to be stored). A series that already has samples
        keeps them and its stored rows are skipped. The open minute is one for the whole
        connection: a series' open minute older than the newest one is closed now.
        """
        batch = WriteBatch(self.connection_id)
        raw_items: list[tuple[int, dict[str, npt.NDArray[Any]]]] = []
        minute_items: list[tuple[int, dict[str, npt.NDArray[Any]]]] = []
        pendings: list[tuple[SeriesHistory, MinuteRow]] = []
        fresh = {item.server_key for item in stored} - self.series.keys()
        self._tiers.widen(len(self._keys) + len(fresh))  # once, not doubling per series
        for item in stored:
            if item.server_key in self.series:
                log.debug("history of %s already has samples; stored rows skipped", item.name)
                continue
            series = self._series(item.server_key, item.name, None)
            closed, pending = _replay(item.raw, item.minutes)
            keep = item.raw[TIME] >= raw_since
            raw = item.raw if keep.all() else {n: c[keep] for n, c in item.raw.items()}
            raw_items.append((series.slot, raw))
            minute_items.append((series.slot, _with_rows(item.minutes, closed)))
            batch.minutes.extend((item.server_key, row) for row in closed)
            if pending is not None:
                pendings.append((series, pending))
        tiers = self._tiers
        open_minute = tiers.fold.minute
        if open_minute is None and pendings:
            open_minute = max(pending.t for _, pending in pendings)
        resumed = []
        for series, pending in pendings:
            if pending.t == open_minute:
                resumed.append((series, pending))
            else:  # the minute ended long ago: it is complete
                minute_items.append((series.slot, _with_rows(None, [pending])))
                batch.minutes.append((self._key(series.slot), pending))
        tiers.raw.merge(raw_items)
        tiers.minutes.merge(minute_items)
        for series, pending in resumed:
            tiers.fold.resume(series.slot, pending)
        for slot, _ in raw_items:
            self._settle(slot)
        self._prepared = None
        return batch

    def prune(self, before: float) -> None:
        """Forget series with no sample since ``before``, and events older than it."""
        stale = np.flatnonzero(self._tiers.last_time < before).tolist()
        for slot in stale:
            key = self._keys[slot] if slot < len(self._keys) else None
            if key is None:
                continue
            del self.series[key]
            self._sorted_names = None
            self._keys[slot] = None
            self._tiers.forget(slot)
            self._free.append(slot)
        if stale:
            self._prepared = None
        self._events = self.events(before, float("inf"))

    # -- internals ------------------------------------------------------------------------
    def _series(self, key: str, name: str, batch: WriteBatch | None) -> SeriesHistory:
        """The series of ``key`` (named ``name``), made with a slot of its own if new."""
        series = self.series.get(key)
        if series is None:
            if self._free:
                slot = self._free.pop()
                self._keys[slot] = key
            else:
                slot = len(self._keys)
                self._keys.append(key)
            if slot >= self._tiers.width:
                self._tiers.widen(max(slot + 1, 2 * self._tiers.width))
            series = SeriesHistory(name, tiers=self._tiers, slot=slot)
            self.series[key] = series
            self._sorted_names = None
            if batch is not None:
                batch.names.append((key, name))
        elif series.name != name:
            series.name = name
            self._sorted_names = None
            if batch is not None:
                batch.names.append((key, name))
        return series

    def _poll(
        self, snapshot: ClusterSnapshot, values: LoadValues | None, batch: WriteBatch
    ) -> _Poll:
        """The slots, values and codes of ``snapshot``'s servers and the total.

        This runs on every poll: no per-server Python beyond a few ``map`` calls, and a
        repeated snapshot (a poll answered 304) reuses the last result.
        """
        total = self._series(TOTAL_KEY, snapshot.cluster.name, batch)
        prepared = self._prepared
        servers = snapshot.servers
        if prepared is not None and prepared.servers is servers and prepared.values is values:
            return prepared.poll
        named = list(filter(_ID, servers))  # those with an id
        keys = (*map(_ID, named), TOTAL_KEY)
        names = (*map(_NAME, named), total.name)
        last = None if prepared is None else prepared.poll
        if last is not None and keys == last.keys and names[:-1] == last.names[:-1]:
            slots = last.slots
        else:
            pairs = zip(keys, names, strict=True)
            slots = np.fromiter(
                (self._series(key, name, batch).slot for key, name in pairs), np.intp, len(keys)
            )
        if values is None:
            counts: list[int] = [*map(_CLIENTS, named)]
            counts.append(sum(counts))
        else:
            counts = [values.servers.get(key, 0) for key in keys[:-1]]
            counts.append(values.total)
        codes = np.fromiter(map(_CODE_VALUES.__getitem__, map(_STATUS, named)), np.int8, len(named))
        poll = _Poll(
            keys,
            names,
            slots,
            _stored_counts(keys, counts),
            np.append(codes, np.int8(StatusCode.NONE)),
        )
        self._prepared = _Prepared(servers, values, poll)
        return poll

    def _key(self, slot: int) -> str:
        key = self._keys[slot]
        if key is None:
            raise RuntimeError(f"slot {slot} holds no series")
        return key

    def _settle(self, slot: int) -> None:
        """Set a restored slot's newest time and status from what its tiers hold."""
        series = SeriesHistory("", tiers=self._tiers, slot=slot)
        pending = series.pending()
        raw_last, minute_last = series.raw.last(), series.minutes.last()
        times = [row[TIME] for row in (raw_last, minute_last) if row is not None]
        if pending is not None:
            times.append(pending.t)
        if times:
            self._tiers.last_time[slot] = max(times)
        newest = pending or raw_last or minute_last
        if isinstance(newest, MinuteRow):
            self._tiers.last_status[slot] = newest.status
        elif newest is not None:
            self._tiers.last_status[slot] = int(newest["status"])

    def _membership_events(
        self, snapshot: ClusterSnapshot, keys: tuple[str, ...], at: float, batch: WriteBatch
    ) -> None:
        last, last_keys = self._last, self._member_keys
        self._member_keys = keys
        if last is None or last.servers is snapshot.servers or keys == last_keys:
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


def _stored_counts(keys: Sequence[str], counts: list[int]) -> npt.NDArray[np.int32]:
    """``counts`` as the int32 column stores them: a value out of range is capped.

    Replies are validated before they get here; a total of many huge counts (or a load
    measure's value) can still pass the column's range, and one bad value must never
    stop history.
    """
    try:
        array = np.array(counts, np.int64)
    except OverflowError:  # beyond int64: cap in Python first
        array = np.array([min(max(c, -1), MAX_STORED_CLIENTS + 1) for c in counts], np.int64)
    bad = (array < 0) | (array > MAX_STORED_CLIENTS)
    if bad.any():
        for index in np.flatnonzero(bad).tolist():
            capped = min(max(counts[index], 0), MAX_STORED_CLIENTS)
            log.warning("%s: %d Clients is out of range; stored as %d",
                        keys[index], counts[index], capped)  # fmt: skip
        array = np.clip(array, 0, MAX_STORED_CLIENTS)
    return array.astype(np.int32)


def _replay(
    raw: dict[str, npt.NDArray[Any]], minutes: dict[str, npt.NDArray[Any]]
) -> tuple[list[MinuteRow], MinuteRow | None]:
    """Fold the raw samples later than the last stored minute again: the minutes that
    closes, and the minute left open."""
    minute_t = minutes[TIME]
    replay_from = float(minute_t[-1]) + MINUTE_S if len(minute_t) else -np.inf
    times = raw[TIME]
    accumulator = MinuteAccumulator()
    closed: list[MinuteRow] = []
    for index in np.flatnonzero(times >= replay_from).tolist():
        row = accumulator.add(
            float(times[index]), int(raw["clients"][index]), int(raw["status"][index])
        )
        if row is not None:
            closed.append(row)
    return closed, accumulator.pending()


def _with_rows(
    minutes: dict[str, npt.NDArray[Any]] | None, rows: list[MinuteRow]
) -> dict[str, npt.NDArray[Any]]:
    """Minute columns with ``rows`` after them."""
    if minutes is not None and not rows:
        return minutes
    added = {
        name: np.array([row.as_dict()[name] for row in rows], dtype)
        for name, dtype in MINUTE_DTYPES.items()
    }
    if minutes is None:
        return added
    return {name: np.concatenate([minutes[name], added[name]]) for name in MINUTE_DTYPES}
