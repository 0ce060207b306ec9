"""The 1-minute tier: raw samples folded into one row per calendar minute (UTC)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

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
