"""One line of the load graphs: a server's (or the cluster total's) Clients and status."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from app.history.ring import Columns, RingBuffer
from app.history.rollup import MINUTE_DTYPES, MINUTE_S, MinuteAccumulator, MinuteRow, minute_of

RAW_DTYPES: dict[str, type[np.generic]] = {
    "t": np.float64,  # poll time, POSIX seconds
    "clients": np.int32,
    "status": np.int8,  # a StatusCode
}
RAW_SPAN_S = 3600.0
"""The raw tier is meant for the last hour; older samples live on as 1-minute rows."""
RAW_CAPACITY = 7200
"""Raw slots per series: one hour at the fastest poll interval a connection allows (0.5 s)."""
MINUTE_CAPACITY = 10_080
"""1-minute slots per series: seven days."""


class SeriesHistory:
    """The raw tier, the 1-minute tier and the open minute of one series.

    Every sample goes to both tiers: the raw ring as is, the minute tier through a
    ``MinuteAccumulator`` (a minute becomes a row when a sample of a later minute
    arrives; until then it is the ``pending`` row). Memory is fixed at construction.
    """

    def __init__(
        self,
        name: str,
        *,
        raw_capacity: int = RAW_CAPACITY,
        minute_capacity: int = MINUTE_CAPACITY,
    ) -> None:
        self.name = name
        self.raw = RingBuffer(raw_capacity, RAW_DTYPES)
        self.minutes = RingBuffer(minute_capacity, MINUTE_DTYPES)
        self._open = MinuteAccumulator()

    @property
    def nbytes(self) -> int:
        return self.raw.nbytes + self.minutes.nbytes

    @property
    def last_time(self) -> float | None:
        """Time of the newest sample (or of the newest minute row when no raw sample is kept)."""
        pending = self._open.minute
        candidates = [self.raw.last_time, self.minutes.last_time]
        if pending is not None:
            candidates.append(pending)
        known = [t for t in candidates if t is not None]
        return max(known) if known else None

    @property
    def last_status(self) -> int | None:
        """Status code of the newest sample, or None when there is none."""
        status = self._open.status
        if status is not None:
            return status
        last = self.raw.last() or self.minutes.last()
        return None if last is None else int(last["status"])

    def accepts(self, t: float) -> bool:
        """Whether a sample at ``t`` is later than every sample and minute held."""
        raw_last = self.raw.last_time
        if raw_last is not None and t <= raw_last:
            return False
        minute_last = self.minutes.last_time
        return minute_last is None or minute_of(t) > minute_last

    def add(
        self, t: float, clients: int, status: int, *, accepted: bool = False
    ) -> MinuteRow | None:
        """Record one sample; returns the minute row it closed, if any.

        Raises ``ValueError`` when ``accepts(t)`` is False; ``accepted`` says the caller
        has just found it True (it is not asked again).
        """
        if not accepted and not self.accepts(t):
            raise ValueError("sample is not later than the series' newest sample")
        self.raw.append_values((t, clients, status))  # the order of RAW_DTYPES
        closed = self._open.add(t, clients, status)
        if closed is not None:
            self.minutes.append_values(closed.as_values())
        return closed

    def restore(self, raw: Columns, minutes: Columns, raw_since: float) -> list[MinuteRow]:
        """Fill an empty series from stored rows (each oldest first).

        The minute rows go to the minute tier; raw samples from ``raw_since`` on go to the
        raw tier; raw samples later than the last stored minute are folded again into
        the minute tier (the minute open at shutdown carries on). Returns the minute
        rows this replay closed, which were not stored yet.
        """
        if len(self.raw) or len(self.minutes) or self._open.pending() is not None:
            raise RuntimeError("restore() needs an empty series")
        self.minutes.extend(minutes)
        times = raw["t"]
        keep = times >= raw_since
        self.raw.extend({name: column[keep] for name, column in raw.items()})
        minute_last = self.minutes.last_time
        replay_from = -np.inf if minute_last is None else minute_last + MINUTE_S
        closed: list[MinuteRow] = []
        for index in np.flatnonzero(times >= replay_from):
            row = self._open.add(
                float(times[index]), int(raw["clients"][index]), int(raw["status"][index])
            )
            if row is not None:
                self.minutes.append(row.as_dict())
                closed.append(row)
        return closed

    def raw_window(self, start: float, end: float) -> Columns:
        return self.raw.window(start, end)

    def minute_window(
        self, start: float, end: float, names: Iterable[str] | None = None
    ) -> Columns:
        """The minute rows of ``[start, end]`` (by minute start), the open minute included.

        ``names`` limits the result to these columns (default: all).
        """
        rows = self.minutes.window(start, end, names)
        pending = self._open.pending()
        if pending is None or not start <= pending.t <= end:
            return rows
        extra = pending.as_dict()
        return {
            name: np.append(column, np.asarray(extra[name], column.dtype))
            for name, column in rows.items()
        }

    def raw_covers(self, start: float) -> bool:
        """Whether the raw tier holds every sample from ``start`` on that the series has."""
        raw_first = self.raw.first_time
        if raw_first is None:
            return False
        if raw_first <= start:
            return True
        minute_first = self.minutes.first_time
        return minute_first is None or minute_first >= minute_of(raw_first)
