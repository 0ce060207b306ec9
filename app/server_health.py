"""What a server's own healthcheck says is wrong, read together with its status.

Shared by the servers table, the overview strip and the alerts, so that all three call
the same thing a problem: an Unhealthy report, a check that failed, or Degraded for any
reason but an isolation (a server isolated on purpose reports Degraded with an
``isolation`` entry; that is the cluster doing what it was asked, not a fault). A
server that is not running has no health problem of its own: its status says it all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING

from app.api.states import HealthStatus, ServerStatus
from app.monitor.status import ServerHealth

if TYPE_CHECKING:
    from app.api.models import HealthReport, Server

__all__ = ["health_problem", "health_problem_count", "only_isolation_degraded"]

_RUNNING = (ServerStatus.ONLINE, ServerStatus.ISOLATED)
_ID = attrgetter("id")


def health_problem(server: Server, health: ServerHealth | None) -> str | None:
    """What a running server's own healthcheck found wrong, in a few words, or None.

    None when the server is not running (its status says it all), was not probed, is
    healthy, or is Degraded only because it is isolated (an isolation the cluster shows
    is intended, not a problem).
    """
    if health is None or server.status not in _RUNNING:
        return None
    report = health.report
    if report is None:
        return "health check failed"
    if report.status is HealthStatus.UNHEALTHY:
        return f"unhealthy: HTTP {report.http_status}"
    if report.status is HealthStatus.DEGRADED and not only_isolation_degraded(report):
        return "degraded"
    return None


def only_isolation_degraded(report: HealthReport) -> bool:
    """True when the report's only finding is the ``isolation`` entry (isolated on purpose)."""
    if not report.isolated:
        return False
    return all(
        entry.status is HealthStatus.HEALTHY
        for name, entry in report.entries.items()
        if name != "isolation"
    )


def health_problem_count(servers: Iterable[Server], health: Mapping[str, ServerHealth]) -> int:
    """How many servers have a ``health_problem`` (the overview strip's "1 unhealthy")."""
    if not health:
        return 0
    listed = list(servers)
    results = list(map(health.get, map(_ID, listed)))  # only servers with a result count
    return sum(
        1
        for server, result in zip(listed, results, strict=True)
        if result is not None and health_problem(server, result) is not None
    )
