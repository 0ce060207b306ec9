"""Clients that lost their connection and wait to reconnect through the load balancer."""

from __future__ import annotations

import heapq
import itertools


class ReconnectQueue:
    """Pending Clients, grouped by the simulated instant (µs) at which they try again.

    Clients whose instant has passed but that nothing could take wait as *stranded*
    and are handed out first as soon as a server can take them. ``total`` is kept
    incrementally and always equals ``stranded`` plus every scheduled group.
    """

    def __init__(self) -> None:
        self._groups: list[tuple[int, int, int]] = []  # (due µs, sequence, count)
        self._sequence = itertools.count()
        self.stranded = 0
        self.total = 0

    def schedule(self, due_us: int, count: int) -> None:
        """Add ``count`` Clients that retry at ``due_us``."""
        if count < 0:
            raise ValueError("count must not be negative")
        if count:
            heapq.heappush(self._groups, (due_us, next(self._sequence), count))
            self.total += count

    def strand(self, count: int) -> None:
        """Add ``count`` Clients that are due now but have nowhere to go."""
        if count < 0:
            raise ValueError("count must not be negative")
        self.stranded += count
        self.total += count

    def take_due(self, now_us: int) -> int:
        """Remove and count every Client due at or before ``now_us``, stranded ones included."""
        taken = self.stranded
        self.stranded = 0
        groups = self._groups
        while groups and groups[0][0] <= now_us:
            taken += heapq.heappop(groups)[2]
        self.total -= taken
        return taken

    def next_due_us(self) -> int | None:
        """When the earliest scheduled group retries; ``None`` if nothing is scheduled."""
        return self._groups[0][0] if self._groups else None

    def recount(self) -> int:
        """Recount every waiting Client from scratch (for invariant checks)."""
        return self.stranded + sum(count for _, _, count in self._groups)
