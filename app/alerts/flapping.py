"""Flapping: a server that keeps going offline and online gets one alert, then silence."""

from __future__ import annotations

from collections import deque
from datetime import datetime
from enum import Enum


class FlapVerdict(Enum):
    NORMAL = "normal"  # alert as usual
    STARTED = "started"  # this change made the server flapping: one "flapping" alert
    HELD = "held"  # the server is flapping: no alert


class FlapTracker:
    """Counts each server's trips offline within a sliding window.

    More than ``count`` trips within ``window_s`` seconds make the server flapping. While
    flapping, its offline and online changes are held; it is stable again once
    ``window_s`` seconds pass without such a change (``settle``).
    """

    def __init__(self) -> None:
        self._trips: dict[str, deque[datetime]] = {}
        self._flapping: dict[str, datetime] = {}  # server id -> time of its latest change

    def is_flapping(self, server_id: str) -> bool:
        return server_id in self._flapping

    def went_offline(
        self, server_id: str, at: datetime, *, count: int, window_s: float
    ) -> FlapVerdict:
        if server_id in self._flapping:
            self._flapping[server_id] = at
            return FlapVerdict.HELD
        trips = self._trips.setdefault(server_id, deque())
        trips.append(at)
        while trips and (at - trips[0]).total_seconds() > window_s:
            trips.popleft()
        if len(trips) <= count:
            return FlapVerdict.NORMAL
        del self._trips[server_id]
        self._flapping[server_id] = at
        return FlapVerdict.STARTED

    def came_back(self, server_id: str, at: datetime) -> FlapVerdict:
        if server_id not in self._flapping:
            return FlapVerdict.NORMAL
        self._flapping[server_id] = at
        return FlapVerdict.HELD

    def settle(self, at: datetime, *, window_s: float) -> list[str]:
        """Servers that were flapping and have not changed for ``window_s``; now stable."""
        stable = [
            sid for sid, last in self._flapping.items() if (at - last).total_seconds() >= window_s
        ]
        for sid in stable:
            del self._flapping[sid]
        return stable

    def forget(self, server_id: str) -> None:
        self._trips.pop(server_id, None)
        self._flapping.pop(server_id, None)
