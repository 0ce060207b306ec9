"""A simulated Ekran System high-availability cluster: servers, Clients and load balancer.

Everything is deterministic: randomness comes from ``random.Random(config.seed)`` and
time moves only through ``Cluster.advance``. Simulated time is kept in whole
microseconds so drains and delays land exactly on their deadlines.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from simulator.balancer import least_connections
from simulator.cluster_invariants import InvariantChecker, Snapshot
from simulator.cluster_model import (
    HEALTH_STATUSES,
    RUNNING,
    STARTING,
    STOPPED,
    STOPPING,
    ActionConflict,
    ClusterConfig,
    ClusterError,
    InvalidRequest,
    Isolation,
    ServerNotFound,
    SimServer,
    make_servers,
)
from simulator.reconnects import ReconnectQueue
from simulator.sampling import binomial, poisson, split_evenly

__all__ = [
    "ActionConflict",
    "Cluster",
    "ClusterConfig",
    "ClusterError",
    "InvalidRequest",
    "Isolation",
    "ServerNotFound",
    "SimServer",
]

_US = 1_000_000
_MAX_STEP_US = _US
_SETTLE_SECONDS = 60.0  # a population off its target returns to it over about this long


def _us(seconds: float) -> int:
    return round(seconds * _US)


@dataclass(frozen=True)
class Drain:
    """An isolated server's drain: it had ``start_clients`` at ``since_us``."""

    start_clients: int
    since_us: int

    def cap(self, now_us: int, drain_us: int) -> int:
        """Most Clients the server may still hold: ceil(n0 * (1 - elapsed / drain))."""
        left_us = drain_us - (now_us - self.since_us)
        if left_us <= 0:
            return 0
        return min(self.start_clients, -(-self.start_clients * left_us // drain_us))


class Cluster:
    """The whole cluster as its shared database sees it; see ``ClusterConfig`` for knobs.

    ``revision`` increases exactly when something the API shows changes (status,
    Client counts, isolation, last_seen, health), so it can back an ETag. Operations
    raise ``ServerNotFound`` (404), ``ActionConflict`` (409) or ``InvalidRequest`` (400)
    and leave the cluster unchanged when they do.
    """

    def __init__(self, config: ClusterConfig, *, start: datetime | None = None) -> None:
        if start is None:
            start = datetime.now(UTC).replace(microsecond=0)
        elif start.utcoffset() is None:
            raise ValueError("start must be timezone-aware")
        self.config = config
        self._start = start.astimezone(UTC)
        self._clock_us = 0
        self._rng = random.Random(config.seed)
        self._isolations: dict[str, Isolation] = {}
        self._drains: dict[int, Drain] = {}
        self._transitions: dict[int, int] = {}  # server index -> when its process settles
        self._queue = ReconnectQueue()
        self._dirty = False
        self.servers = make_servers(config, self._start, self._isolations)
        self._index = {server.id: index for index, server in enumerate(self.servers)}
        self._next_heartbeat = self._stagger_heartbeats()
        self.arrivals = 0
        self.departures = 0
        self.revision = 1
        self._place_waiting(config.clients)
        self._dirty = False
        self._invariants = InvariantChecker(initial_population=config.clients)

    # -- reading ----------------------------------------------------------------------
    @property
    def now(self) -> datetime:
        """The simulated wall clock (UTC)."""
        return self._start + timedelta(microseconds=self._clock_us)

    @property
    def connected(self) -> int:
        """Clients connected to some server."""
        return sum(server.clients for server in self.servers)

    @property
    def pending(self) -> int:
        """Clients that were dropped and wait to reconnect."""
        return self._queue.total

    @property
    def population(self) -> int:
        """All Clients of the deployment: connected plus pending."""
        return self.connected + self.pending

    def server(self, server_id: str) -> SimServer:
        """The server with ``server_id``; raises ``ServerNotFound``."""
        index = self._index.get(server_id)
        if index is None:
            raise ServerNotFound(f"There is no Application Server with id {server_id!r}.")
        return self.servers[index]

    # -- time -------------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Run the dynamics for ``seconds`` of simulated time, in steps of at most 1 s."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        remaining = _us(seconds)
        while remaining > 0:
            step = min(remaining, _MAX_STEP_US)
            self._step(step)
            remaining -= step

    def _step(self, step_us: int) -> None:
        self._clock_us += step_us
        self._finish_transitions()
        leave = 1.0 - (1.0 - self.config.churn_per_minute) ** (step_us / (60 * _US))
        self._depart(leave)
        arrived = self._arrive(leave, step_us / _US)
        self._place_waiting(arrived + self._drain_isolated())
        self._refresh_heartbeats()
        self._commit()

    # -- operations -------------------------------------------------------------------
    def set_isolation(
        self,
        server_id: str,
        *,
        isolated: bool,
        reason: str | None,
        by: str,
        force: bool = False,
    ) -> SimServer:
        """Isolate a server (stop new placements, drain its Clients) or return it to service.

        Idempotent: isolating an isolated server keeps its original record. Refuses
        (409) a server that is stopped or stopping, and isolating the last server in
        service unless ``force``.
        """
        server = self.server(server_id)
        if server.process in (STOPPED, STOPPING):
            action = "isolated" if isolated else "returned to service"
            raise ActionConflict(
                f"{server.name} is {server.process}; it cannot be {action} until it runs.",
                title="Server is offline",
            )
        index = self._index[server_id]
        if isolated and server.id not in self._isolations:
            if not force and server.accepts_clients and self._online_indices() == [index]:
                raise ActionConflict(
                    f"{server.name} is the last server in service; isolating it would leave "
                    "no server to take Clients. Force the isolation to proceed.",
                    title="Last server in service",
                )
            self._isolations[server.id] = Isolation(since=self.now, by=by, reason=reason)
            self._drains[index] = Drain(server.clients, self._clock_us)
            self._dirty = True
        elif not isolated and server.id in self._isolations:
            del self._isolations[server.id]
            del self._drains[index]
            self._dirty = True
        self._settle()
        return server

    def stop_server(self, server_id: str) -> SimServer:
        """Stop a server's process; its Clients drop at once and reconnect elsewhere.

        The process is ``stopping`` for ``stop_seconds``, then ``stopped``. Refuses (409)
        a server that is already stopped or stopping.
        """
        server = self.server(server_id)
        if server.process in (STOPPED, STOPPING):
            raise ActionConflict(f"{server.name} is already {server.process}.")
        index = self._index[server_id]
        dropped, server.clients = server.clients, 0
        server.process = STOPPING
        self._transitions[index] = self._clock_us + _us(self.config.stop_seconds)
        self._schedule_reconnects(dropped)
        self._dirty = True
        self._settle()
        return server

    def rename_server(self, server_id: str, name: str, version: str | None = None) -> SimServer:
        """Give a server another name (and version): any text, as a hostile server might."""
        server = self.server(server_id)
        server.name = name
        if version is not None:
            server.version = version
        self._dirty = True
        self._settle()
        return server

    def start_server(
        self,
        server_id: str,
        *,
        version: str | None = None,
        build: str | None = None,
        released: str | None = None,
    ) -> SimServer:
        """Start a stopped server: ``starting`` for ``start_seconds``, then ``running``.

        With ``version`` (and optionally ``build`` and ``released``, an ISO date) the
        server comes back running that version: an upgrade done while it was stopped.
        Refuses (409) unless the server is stopped; 400 for an empty version.
        """
        server = self.server(server_id)
        if server.process != STOPPED:
            raise ActionConflict(
                f"{server.name} is {server.process}; only a stopped server starts."
            )
        if version is not None:
            if not version.strip():
                raise InvalidRequest("The version must not be empty.")
            server.version = version.strip()
            server.build = build or server.version.rsplit(".", 1)[-1]
            server.released = released or self.now.date().isoformat()
        server.process = STARTING
        self._transitions[self._index[server_id]] = self._clock_us + _us(self.config.start_seconds)
        self._dirty = True
        self._settle()
        return server

    def set_health(self, server_id: str, status: str | None) -> SimServer:
        """Force the health a server reports (``None`` reverts to its natural health)."""
        if status is not None and status not in HEALTH_STATUSES:
            raise InvalidRequest(
                f"Unknown health status {status!r}; use one of {', '.join(HEALTH_STATUSES)}."
            )
        server = self.server(server_id)
        if server.health_override != status:
            server.health_override = status
            self._dirty = True
        self._commit()
        return server

    def clear_health_overrides(self) -> None:
        """Revert every server to its natural health."""
        for server in self.servers:
            if server.health_override is not None:
                server.health_override = None
                self._dirty = True
        self._commit()

    def check_invariants(self) -> None:
        """Raise ``AssertionError`` naming the first broken model invariant.

        Checks that no Client is lost or duplicated, that only running servers hold
        Clients, that isolated servers never gain Clients and respect their drain, and
        that no Client waits past its reconnect delay while a server could take it.
        "Never gains" compares against the state seen by the previous call.
        """
        drain_us = _us(self.config.drain_seconds)
        due = self._queue.next_due_us()
        self._invariants.check(
            Snapshot(
                servers=self.servers,
                pending=self._queue.total,
                pending_recount=self._queue.recount(),
                arrivals=self.arrivals,
                departures=self.departures,
                drain_caps={
                    self.servers[index].id: drain.cap(self._clock_us, drain_us)
                    for index, drain in self._drains.items()
                },
                overdue=self._queue.stranded > 0 or (due is not None and due <= self._clock_us),
            )
        )

    # -- dynamics ---------------------------------------------------------------------
    def _online_indices(self) -> list[int]:
        return [index for index, server in enumerate(self.servers) if server.accepts_clients]

    def _settle(self) -> None:
        """Complete due transitions and drains, place due Clients, publish the change."""
        self._finish_transitions()
        self._place_waiting(self._drain_isolated())
        self._commit()

    def _commit(self) -> None:
        if self._dirty:
            self.revision += 1
            self._dirty = False

    def _finish_transitions(self) -> None:
        for index, due_us in list(self._transitions.items()):
            if due_us > self._clock_us:
                continue
            del self._transitions[index]
            server = self.servers[index]
            if server.process == STOPPING:
                server.process = STOPPED
            else:
                server.process = RUNNING
                server.last_seen = self.now
                self._next_heartbeat[index] = self._clock_us + _us(self.config.heartbeat_seconds)
            self._dirty = True

    def _drain_isolated(self) -> int:
        """Move Clients above their drain cap off isolated servers; how many moved."""
        moved = 0
        drain_us = _us(self.config.drain_seconds)
        for index, drain in self._drains.items():
            server = self.servers[index]
            if server.clients:
                excess = server.clients - drain.cap(self._clock_us, drain_us)
                if excess > 0:
                    server.clients -= excess
                    moved += excess
        if moved:
            self._dirty = True
        return moved

    def _depart(self, probability: float) -> None:
        if probability <= 0.0:
            return
        rng = self._rng
        left = 0
        for server in self.servers:
            if server.clients:
                count = binomial(rng, server.clients, probability)
                server.clients -= count
                left += count
        if left:
            self.departures += left
            self._dirty = True

    def _arrive(self, probability: float, step_seconds: float) -> int:
        """How many new Clients arrive: replacements for churn plus a pull toward target."""
        target = self.config.clients
        pull = (target - self.population) * min(1.0, step_seconds / _SETTLE_SECONDS)
        count = poisson(self._rng, max(0.0, target * probability + pull))
        if count:
            self.arrivals += count
            self._dirty = True
        return count

    def _place_waiting(self, extra: int) -> None:
        """Place ``extra`` Clients plus every due pending one; strand them if nothing can."""
        online = self._online_indices()
        if not online:
            if extra:
                self._queue.strand(extra)
                self._dirty = True
            return
        count = extra + self._queue.take_due(self._clock_us)
        if count == 0:
            return
        servers = self.servers
        shares = least_connections([servers[index].clients for index in online], count)
        for index, share in zip(online, shares, strict=True):
            servers[index].clients += share
        self._dirty = True

    def _schedule_reconnects(self, dropped: int) -> None:
        """Spread ``dropped`` Clients over reconnect delays of up to ``reconnect_seconds``."""
        reconnect_us = _us(self.config.reconnect_seconds)
        slots = max(1, math.ceil(self.config.reconnect_seconds))
        for slot, count in enumerate(split_evenly(self._rng, dropped, slots)):
            self._queue.schedule(self._clock_us + reconnect_us * (slot + 1) // slots, count)

    def _stagger_heartbeats(self) -> list[int]:
        """Spread the servers' heartbeat phases; back-date ``last_seen`` to match."""
        period_ms = max(1, _us(self.config.heartbeat_seconds) // 1000)
        next_beats = []
        for server in self.servers:
            age_us = self._rng.randrange(period_ms) * 1000
            server.last_seen = self._start - timedelta(microseconds=age_us)
            next_beats.append(period_ms * 1000 - age_us)
        return next_beats

    def _refresh_heartbeats(self) -> None:
        clock = self._clock_us
        period = max(1, _us(self.config.heartbeat_seconds))
        now: datetime | None = None
        for index, server in enumerate(self.servers):
            due = self._next_heartbeat[index]
            if due <= clock and server.process == RUNNING:
                now = now or self.now
                server.last_seen = now
                self._next_heartbeat[index] = due + period * ((clock - due) // period + 1)
                self._dirty = True
