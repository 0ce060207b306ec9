"""The 1-minute tier: raw samples folded into one row per calendar minute (UTC)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MINUTE_S = 60.0

MINUTE_DTYPES: dict[str, type[np.generic]] = {
    "t": np.float64,  # start of the minute, POSIX seconds, a multiple of 60
    "low": np.int32,  # fewest Clients seen in the minute
    "high": np.int32,  # most Clients seen in the minute
    "total": np.int64,  # sum of the Clients counts of the minute's samples
    "count": np.int32,  # number of samples in the minute
    "status": np.int8,  # status code of the minute's last sample
    "rising": np.bool_,  # True when the low came no later than the high
}


def minute_of(t: float) -> float:
    """The start of the UTC minute holding ``t``."""
    return math.floor(t / MINUTE_S) * MINUTE_S


@dataclass(frozen=True)
class MinuteRow:
    """One minute of one series; ``average`` is ``total / count``."""

    t: float
    low: int
    high: int
    total: int
    count: int
    status: int
    rising: bool

    @property
    def average(self) -> float:
        return self.total / self.count

    def as_values(self) -> tuple[float, int, int, int, int, int, bool]:
        """The row's values in the column order of ``MINUTE_DTYPES``."""
        return (self.t, self.low, self.high, self.total, self.count, self.status, self.rising)

    def as_dict(self) -> dict[str, float | int]:
        """The row keyed by the column names of ``MINUTE_DTYPES``."""
        return {
            "t": self.t,
            "low": self.low,
            "high": self.high,
            "total": self.total,
            "count": self.count,
            "status": self.status,
            "rising": self.rising,
        }


class MinuteAccumulator:
    """Folds the samples of the current minute; ``add`` returns the minute it closes.

    Samples must come in increasing time order (the caller's ring enforces it). The
    open minute is never lost or counted twice: it is returned exactly once, by the
    first ``add`` of a later minute, and ``pending()`` shows it meanwhile.
    """

    def __init__(self) -> None:
        self._t: float | None = None
        self._low = self._high = self._total = self._count = self._status = 0
        self._low_index = self._high_index = 0

    def add(self, t: float, clients: int, status: int) -> MinuteRow | None:
        """Fold one sample; returns the previous minute when ``t`` starts a new one."""
        minute = minute_of(t)
        closed: MinuteRow | None = None
        if self._t is not None and minute != self._t:
            closed = self.pending()
            self._t = None
        if self._t is None:
            self._t = minute
            self._low = self._high = clients
            self._total = self._count = 0
            self._low_index = self._high_index = 0
        if clients < self._low:
            self._low, self._low_index = clients, self._count
        if clients > self._high:
            self._high, self._high_index = clients, self._count
        self._total += clients
        self._count += 1
        self._status = status
        return closed

    @property
    def status(self) -> int | None:
        """The status code of the newest sample (``pending().status`` without the row)."""
        return None if self._t is None else self._status

    @property
    def minute(self) -> float | None:
        """The start of the open minute (``pending().t``), None before the first sample."""
        return self._t

    def pending(self) -> MinuteRow | None:
        """The open minute so far, or None before the first sample."""
        if self._t is None:
            return None
        return MinuteRow(
            t=self._t,
            low=self._low,
            high=self._high,
            total=self._total,
            count=self._count,
            status=self._status,
            rising=self._low_index <= self._high_index,
        )


MINUTE_VALUES = {name: dtype for name, dtype in MINUTE_DTYPES.items() if name != "t"}
"""The columns of a minute row besides its time."""


@dataclass(frozen=True)
class ClosedMinutes:
    """The minute ``t`` of every slot that had a sample in it: ``values[name][i]`` is
    column ``name`` of slot ``slots[i]`` (the columns of ``MINUTE_VALUES``)."""

    t: float
    slots: npt.NDArray[np.intp]
    values: dict[str, npt.NDArray[Any]]

    def row(self, index: int) -> MinuteRow:
        """The minute of ``slots[index]`` as a ``MinuteRow``."""
        values = self.values
        return MinuteRow(
            t=self.t,
            low=int(values["low"][index]),
            high=int(values["high"][index]),
            total=int(values["total"][index]),
            count=int(values["count"][index]),
            status=int(values["status"][index]),
            rising=bool(values["rising"][index]),
        )


class MinuteFold:
    """``MinuteAccumulator`` for many slots at once: one call folds a whole poll.

    Every slot shares the open minute (a poll has one time). ``add`` folds the samples of
    ``slots`` and, when the poll starts a later minute, first closes the open one for
    every slot that had a sample in it (``ClosedMinutes``). Each slot's rows equal what a
    ``MinuteAccumulator`` fed only that slot's samples gives.
    """

    def __init__(self, width: int = 1) -> None:
        self.minute: float | None = None
        self._low = np.zeros(width, np.int32)
        self._high = np.zeros(width, np.int32)
        self._total = np.zeros(width, np.int64)
        self._count = np.zeros(width, np.int32)
        self._status = np.zeros(width, np.int8)
        self._low_index = np.zeros(width, np.int32)
        self._high_index = np.zeros(width, np.int32)

    def widen(self, width: int) -> None:
        """Make room for slots up to ``width - 1``."""
        for name in ("_low", "_high", "_total", "_count", "_status", "_low_index", "_high_index"):
            array = getattr(self, name)
            if width > len(array):
                wider = np.zeros(width, array.dtype)
                wider[: len(array)] = array
                setattr(self, name, wider)

    def add(
        self,
        t: float,
        slots: npt.NDArray[np.intp],
        clients: npt.NDArray[np.int32],
        status: npt.NDArray[np.int8],
    ) -> ClosedMinutes | None:
        """Fold one poll (``clients`` and ``status`` in slot order); returns the minute it
        closed, if any. Times must increase from call to call (the caller checks)."""
        minute = minute_of(t)
        closed = None
        if self.minute is not None and minute != self.minute:
            closed = self.close()
        self.minute = minute
        count = self._count[slots]
        fresh = count == 0
        lower = fresh | (clients < self._low[slots])
        higher = fresh | (clients > self._high[slots])
        self._low[slots] = np.where(lower, clients, self._low[slots])
        self._low_index[slots] = np.where(lower, count, self._low_index[slots])
        self._high[slots] = np.where(higher, clients, self._high[slots])
        self._high_index[slots] = np.where(higher, count, self._high_index[slots])
        self._total[slots] += clients
        self._count[slots] = count + 1
        self._status[slots] = status
        return closed

    def close(self) -> ClosedMinutes | None:
        """Close the open minute now (None when no slot has a sample in it)."""
        if self.minute is None:
            return None
        slots = np.flatnonzero(self._count)
        closed = ClosedMinutes(self.minute, slots, self._values(slots)) if len(slots) else None
        self.minute = None
        self._count[:] = 0
        self._total[:] = 0
        return closed

    def pending(self, slot: int) -> MinuteRow | None:
        """The open minute of ``slot`` so far, or None when it has no sample in it."""
        if self.minute is None or not self._count[slot]:
            return None
        return ClosedMinutes(self.minute, np.array([slot]), self._values(np.array([slot]))).row(0)

    def status(self, slot: int) -> int | None:
        """The status of ``slot``'s newest sample in the open minute, or None."""
        if self.minute is None or not self._count[slot]:
            return None
        return int(self._status[slot])

    def resume(self, slot: int, row: MinuteRow) -> None:
        """Carry on ``row`` (a minute open at shutdown) as ``slot``'s open minute.

        The open minute must be ``row.t`` or not started (``ValueError`` otherwise).
        """
        if self.minute is not None and self.minute != row.t:
            raise ValueError("another minute is open")
        self.minute = row.t
        self._low[slot], self._high[slot] = row.low, row.high
        self._total[slot], self._count[slot], self._status[slot] = row.total, row.count, row.status
        # Only the order of the two indices matters to later samples (theirs is ``count``).
        last = max(0, row.count - 1)
        self._low_index[slot], self._high_index[slot] = (0, last) if row.rising else (last, 0)

    def forget(self, slot: int) -> None:
        """Drop ``slot``'s open minute."""
        self._count[slot] = 0
        self._total[slot] = 0

    def _values(self, slots: npt.NDArray[np.intp]) -> dict[str, npt.NDArray[Any]]:
        return {
            "low": self._low[slots],
            "high": self._high[slots],
            "total": self._total[slots],
            "count": self._count[slots],
            "status": self._status[slots],
            "rising": self._low_index[slots] <= self._high_index[slots],
        }
