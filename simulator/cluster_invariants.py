"""Self-checks of the cluster model, run by tests after every step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from simulator.cluster_model import (
    HEALTH_STATUSES,
    RUNNING,
    STARTING,
    STOPPED,
    STOPPING,
    Isolation,
    SimServer,
)

_PROCESSES = (RUNNING, STOPPED, STARTING, STOPPING)


@dataclass(frozen=True)
class Snapshot:
    """What the checker needs to see of a cluster at one instant.

    ``drain_caps`` maps each isolated server's id to the most Clients its drain allows
    now; ``overdue`` tells whether some pending Client's reconnect time has passed.
    """

    servers: Sequence[SimServer]
    pending: int
    pending_recount: int
    arrivals: int
    departures: int
    drain_caps: Mapping[str, int]
    overdue: bool


class InvariantChecker:
    """Checks model invariants; remembers isolated servers' Client counts between calls."""

    def __init__(self, *, initial_population: int) -> None:
        self._initial_population = initial_population
        self._isolated_seen: dict[str, tuple[Isolation, int]] = {}

    def check(self, snapshot: Snapshot) -> None:
        """Raise ``AssertionError`` whose text names the first broken invariant."""
        for server in snapshot.servers:
            _check_server(server)
        _require(
            snapshot.pending == snapshot.pending_recount and snapshot.pending >= 0,
            f"pending count {snapshot.pending} disagrees with the reconnect queue "
            f"({snapshot.pending_recount})",
        )
        connected = sum(server.clients for server in snapshot.servers)
        population = connected + snapshot.pending
        _require(
            snapshot.arrivals - snapshot.departures == population - self._initial_population,
            f"Clients are not conserved: {snapshot.arrivals} arrivals - "
            f"{snapshot.departures} departures != population {population} - initial "
            f"{self._initial_population}",
        )
        _require(
            not (snapshot.overdue and any(s.accepts_clients for s in snapshot.servers)),
            "pending Clients wait past their reconnect delay while a server is online",
        )
        self._check_isolated(snapshot)

    def _check_isolated(self, snapshot: Snapshot) -> None:
        seen: dict[str, tuple[Isolation, int]] = {}
        for server in snapshot.servers:
            isolation = server.isolation
            if isolation is None:
                continue
            cap = snapshot.drain_caps.get(server.id)
            _require(cap is not None, f"isolated server {server.id} has no drain record")
            _require(
                cap is None or server.clients <= cap,
                f"isolated server {server.id} holds {server.clients} Clients, "
                f"above its drain cap {cap}",
            )
            previous = self._isolated_seen.get(server.id)
            if previous is not None and previous[0] is isolation:
                _require(
                    server.clients <= previous[1],
                    f"isolated server {server.id} gained Clients "
                    f"({previous[1]} -> {server.clients})",
                )
            seen[server.id] = (isolation, server.clients)
        self._isolated_seen = seen


def _check_server(server: SimServer) -> None:
    _require(server.process in _PROCESSES, f"server {server.id} has process {server.process!r}")
    _require(server.clients >= 0, f"server {server.id} has {server.clients} Clients")
    _require(
        server.process == RUNNING or server.clients == 0,
        f"{server.process} server {server.id} holds {server.clients} Clients",
    )
    _require(
        server.health_override is None or server.health_override in HEALTH_STATUSES,
        f"server {server.id} has health override {server.health_override!r}",
    )
    _require(server.last_seen.utcoffset() is not None, f"server {server.id} last_seen is naive")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(f"cluster invariant broken: {message}")
