"""The cluster model's value types: configuration, servers, isolation records and errors.

``simulator.cluster`` re-exports everything here; import from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

RUNNING = "running"
STOPPED = "stopped"
STARTING = "starting"
STOPPING = "stopping"

ONLINE = "online"
OFFLINE = "offline"
ISOLATED = "isolated"

HEALTH_STATUSES = ("Healthy", "Degraded", "Unhealthy")


class ClusterError(Exception):
    """An operation the cluster refuses.

    ``status`` is the HTTP status to answer with, ``title`` a short summary and
    ``detail`` one human-readable line (also the exception's text).
    """

    status: ClassVar[int] = 409
    default_title: ClassVar[str] = "Request refused"

    def __init__(self, detail: str, *, title: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.title = title or self.default_title


class ServerNotFound(ClusterError):
    """No Application Server has the requested id."""

    status = 404
    default_title = "Server not found"


class ActionConflict(ClusterError):
    """The action does not fit the server's current state."""

    status = 409
    default_title = "Action not possible now"


class InvalidRequest(ClusterError):
    """An argument has a value the model does not know."""

    status = 400
    default_title = "Invalid value"


@dataclass(frozen=True)
class ClusterConfig:
    """Shape and dynamics of a simulated cluster; durations are simulated seconds.

    ``churn_per_minute`` is the fraction of connected Clients that leave per simulated
    minute; as many new ones arrive, so the population stays near ``clients``. The last
    ``old_version_servers`` servers run ``old_version`` (an upgrade in progress).
    Raises ``ValueError`` for values outside their documented range.
    """

    name: str = "Ekran HA cluster"
    servers: int = 4
    clients: int = 100  # target population of Clients (endpoint agents)
    seed: int = 0
    drain_seconds: float = 120.0  # an isolated server's Clients move off over this long
    start_seconds: float = 5.0  # how long "starting" lasts
    stop_seconds: float = 3.0  # how long "stopping" lasts
    reconnect_seconds: float = 10.0  # dropped Clients reconnect within this delay
    churn_per_minute: float = 0.02
    heartbeat_seconds: float = 30.0  # a running server's last_seen refresh cadence
    old_version_servers: int = 1
    version: str = "9.2.4.1270"
    build: str = "1270"
    released: str = "2026-09-14"
    old_version: str = "9.1.8.1102"
    old_build: str = "1102"
    old_released: str = "2026-03-02"

    def __post_init__(self) -> None:
        if self.servers < 1:
            raise ValueError("a cluster needs at least one server")
        if self.clients < 0 or self.old_version_servers < 0:
            raise ValueError("clients and old_version_servers must not be negative")
        durations = (self.drain_seconds, self.start_seconds, self.stop_seconds)
        if min(*durations, self.reconnect_seconds) < 0:
            raise ValueError("durations must not be negative")
        if self.heartbeat_seconds <= 0:
            raise ValueError("heartbeat_seconds must be positive")
        if not 0.0 <= self.churn_per_minute <= 1.0:
            raise ValueError("churn_per_minute is a fraction between 0 and 1")


@dataclass(frozen=True)
class Isolation:
    """Why and since when a server is out of service; shared cluster (database) state."""

    since: datetime
    by: str
    reason: str | None


@dataclass(eq=False)
class SimServer:
    """One Application Server as its Management Tool reports it.

    ``process`` is ``running``, ``stopped``, ``starting`` or ``stopping``;
    ``health_override`` is ``None`` or one of ``HEALTH_STATUSES`` (fault injection);
    ``last_seen`` is UTC-aware. The owning ``Cluster`` mutates these fields.
    """

    id: str
    name: str
    address: str
    version: str
    build: str
    released: str
    process: str
    clients: int
    health_override: str | None
    last_seen: datetime
    _isolations: Mapping[str, Isolation] = field(repr=False)

    @property
    def isolation(self) -> Isolation | None:
        """This server's isolation record in the cluster table, if it is isolated."""
        return self._isolations.get(self.id)

    @property
    def status(self) -> str:
        """``offline``, ``starting``, ``stopping``, ``isolated`` or ``online``."""
        if self.process == STOPPED:
            return OFFLINE
        if self.process != RUNNING:
            return self.process
        return ISOLATED if self.id in self._isolations else ONLINE

    @property
    def accepts_clients(self) -> bool:
        """Whether the load balancer may place Clients here (running and not isolated)."""
        return self.process == RUNNING and self.id not in self._isolations


def make_servers(
    config: ClusterConfig, last_seen: datetime, isolations: Mapping[str, Isolation]
) -> list[SimServer]:
    """The cluster's servers in id order, all running with no Clients yet.

    Ids are ``as-01``, ``as-02``, ... zero-padded to the width the count needs (at least
    two digits); names are ``EKRAN-AS01`` ...; addresses are display-only private IPs.
    """
    width = max(2, len(str(config.servers)))
    first_old = config.servers - min(config.old_version_servers, config.servers)
    servers = []
    for index in range(config.servers):
        number = f"{index + 1:0{width}d}"
        old = index >= first_old
        servers.append(
            SimServer(
                id=f"as-{number}",
                name=f"EKRAN-AS{number}",
                address=f"10.20.{index // 200}.{11 + index % 200}",
                version=config.old_version if old else config.version,
                build=config.old_build if old else config.build,
                released=config.old_released if old else config.released,
                process=RUNNING,
                clients=0,
                health_override=None,
                last_seen=last_seen,
                _isolations=isolations,
            )
        )
    return servers
