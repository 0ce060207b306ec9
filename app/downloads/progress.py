"""Download progress reports and a smoothed transfer rate."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class DownloadProgress:
    """One progress report.

    ``bytes_done`` counts the whole file (including what an earlier run saved, see
    ``resumed_from``); ``total_bytes`` is None when the server did not say; ``rate`` is a
    smoothed bytes per second of this run; ``eta_seconds`` is None while unknown.
    """

    server_id: str
    bytes_done: int
    total_bytes: int | None
    rate: float
    eta_seconds: float | None
    resumed_from: int = 0

    @property
    def fraction(self) -> float | None:
        """Done as 0.0-1.0, or None when the total is unknown."""
        if not self.total_bytes:
            return None
        return min(1.0, self.bytes_done / self.total_bytes)


class RateMeter:
    """An exponentially smoothed rate of a growing counter.

    ``time_constant`` (seconds) is how fast old samples fade: after that long a change
    of speed is about 63 % visible.
    """

    def __init__(self, time_constant: float = 2.0) -> None:
        if time_constant <= 0:
            raise ValueError("time_constant must be positive")
        self._tau = time_constant
        self._last_time: float | None = None
        self._last_count = 0
        self._rate = 0.0
        self._primed = False

    @property
    def rate(self) -> float:
        return self._rate

    def update(self, count: int, now: float) -> float:
        """Record that the counter is at ``count`` at time ``now``; return the rate."""
        if self._last_time is None:
            self._last_time, self._last_count = now, count
            return self._rate
        elapsed = now - self._last_time
        if elapsed <= 0:
            return self._rate
        instant = (count - self._last_count) / elapsed
        if self._primed:
            weight = 1.0 - math.exp(-elapsed / self._tau)
            self._rate += weight * (instant - self._rate)
        else:
            self._rate, self._primed = instant, True
        self._last_time, self._last_count = now, count
        return self._rate

    def eta(self, remaining: int | None) -> float | None:
        """Seconds until ``remaining`` more bytes arrive at the current rate, if known."""
        if remaining is None or self._rate <= 0:
            return None
        return max(0.0, remaining / self._rate)
