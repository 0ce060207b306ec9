"""BusiestServers: which servers of a large cluster get a line in the load graph."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from itertools import islice

RANKING_REFRESH_S = 10.0
"""How often the busiest servers are chosen again, so lines do not come and go with
every poll."""


class BusiestServers:
    """Ranks servers by their Clients now and chooses the ones to draw.

    ``set_loads`` takes each server's Clients from the latest cluster snapshot (which
    the window has anyway), so ranking queries no history: it is one sort of a list of
    numbers, whatever the size of the cluster or the range shown. ``choose`` gives the
    selected servers first, then the busiest, most Clients first (ties by id); servers
    the snapshot does not list (they left the cluster) count as idle. Until the first
    loads arrive the servers rank by id.

    The ranking is redone when the servers to rank change, when the first loads
    arrive, and otherwise at most every ``refresh_s`` seconds of ``clock`` (monotonic
    seconds).
    """

    def __init__(
        self,
        refresh_s: float = RANKING_REFRESH_S,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._refresh_s = refresh_s
        self._clock = clock
        self._loads: Mapping[str, float] = {}
        self._loads_changed = False
        self._ranking: list[str] = []
        self._ranked: frozenset[str] = frozenset()
        self._ranked_with_loads = False
        self._ranked_at = float("-inf")

    @property
    def ranking(self) -> list[str]:
        """Every server of the last ranking, busiest first."""
        return list(self._ranking)

    def set_loads(self, loads: Mapping[str, float]) -> None:
        """Each server's Clients now (server id -> Clients)."""
        self._loads = loads
        self._loads_changed = True

    def clear(self) -> None:
        """Forget the loads and the ranking (another connection is shown)."""
        self._loads = {}
        self._loads_changed = self._ranked_with_loads = False
        self._ranking = []
        self._ranked = frozenset()
        self._ranked_at = float("-inf")

    def choose(self, servers: Iterable[str], selected: frozenset[str], limit: int) -> list[str]:
        """At most ``limit`` of ``servers``: the selected ones, then the busiest, both in
        ranking order."""
        self._rank(frozenset(servers))
        chosen = [sid for sid in self._ranking if sid in selected][:limit]
        others = (sid for sid in self._ranking if sid not in selected)
        chosen += islice(others, limit - len(chosen))
        return chosen

    def _rank(self, servers: frozenset[str]) -> None:
        now = self._clock()
        has_loads = bool(self._loads)
        due = self._loads_changed and now - self._ranked_at >= self._refresh_s
        if servers == self._ranked and has_loads == self._ranked_with_loads and not due:
            return
        loads = self._loads
        self._ranking = sorted(servers, key=lambda sid: (-loads.get(sid, 0.0), sid))
        self._ranked, self._ranked_with_loads, self._ranked_at = servers, has_loads, now
        self._loads_changed = False
