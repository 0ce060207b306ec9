"""Synthetic load history: a HistoryStore fed with snapshots of a made-up cluster."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from app.api.models import ClusterSnapshot, ServerStatus
from app.history import HistoryStore
from tests.ui.cluster.support import server, snapshot

CONNECTION = "c0ffee00-0000-4000-8000-000000000001"
START = 1_795_000_000.0  # a POSIX time; every synthetic history starts here

Clients = Callable[[int, int], int]
"""(server number from 1, poll index) -> that server's Clients at that poll."""


def ramp(number: int, poll: int) -> int:
    """Server n has 10·n Clients plus the poll index: distinct, rising lines."""
    return 10 * number + poll


class FakeClock:
    """POSIX seconds that move only when told to."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def cluster_at(
    at: float,
    poll: int,
    servers: int,
    clients: Clients = ramp,
    statuses: dict[int, ServerStatus] | None = None,
) -> ClusterSnapshot:
    """A snapshot of ``servers`` servers (as-01…) taken at POSIX time ``at``."""
    moment = datetime.fromtimestamp(at, UTC)
    status = statuses or {}
    return snapshot(
        [
            server(
                n,
                clients=clients(n, poll),
                status=status.get(n, ServerStatus.ONLINE),
                last_seen=moment,
            )
            for n in range(1, servers + 1)
        ],
        received_at=moment,
    )


def feed(
    store: HistoryStore,
    times: Sequence[float],
    servers: int = 4,
    *,
    clients: Clients = ramp,
    first_poll: int = 0,
    connection_id: str = CONNECTION,
    statuses: Callable[[int], dict[int, ServerStatus]] | None = None,
) -> None:
    """Record one poll of the cluster at each of ``times``."""
    for index, at in enumerate(times):
        poll = first_poll + index
        state = statuses(poll) if statuses is not None else None
        assert store.record(connection_id, cluster_at(at, poll, servers, clients, state), at)
