"""Health reports of simulated Application Servers, shaped like ASP.NET Core health checks."""

from __future__ import annotations

import random
from typing import Any

from simulator.cluster import SimServer
from simulator.timefmt import rfc3339

HEALTHY = "Healthy"
DEGRADED = "Degraded"
UNHEALTHY = "Unhealthy"

_durations = random.Random()


def health_status(server: SimServer) -> str | None:
    """The overall health a running server reports, or ``None`` when it is not running.

    A control-API override wins; otherwise an isolated server is ``Degraded``.
    """
    if server.process != "running":
        return None
    if server.health_override is not None:
        return server.health_override
    return DEGRADED if server.isolation is not None else HEALTHY


def health_report(server: SimServer) -> dict[str, Any]:
    """The ``?debug=True`` JSON body for a running server.

    Entries: ``database``, ``applicationServer``, ``licensing`` and, while isolated,
    ``isolation`` (``Degraded``). An ``Unhealthy`` override fails ``database``; a
    ``Degraded`` override degrades ``licensing``.
    """
    override = server.health_override
    checks = [
        (
            "database",
            UNHEALTHY if override == UNHEALTHY else HEALTHY,
            "The cluster database does not answer."
            if override == UNHEALTHY
            else "The cluster database answers.",
        ),
        ("applicationServer", HEALTHY, f"Application Server {server.name} is running."),
        (
            "licensing",
            DEGRADED if override == DEGRADED else HEALTHY,
            "Licenses expire in 7 days." if override == DEGRADED else "Licenses are valid.",
        ),
    ]
    isolation = server.isolation
    if isolation is not None:
        text = f"Isolated since {rfc3339(isolation.since)} by {isolation.by}"
        if isolation.reason:
            text += f": {isolation.reason}"
        checks.append(("isolation", DEGRADED, text))
    durations = [_durations.uniform(0.2, 12.0) for _ in checks]
    entries = {
        name: {"status": status, "description": text, "duration": format_duration(ms)}
        for (name, status, text), ms in zip(checks, durations, strict=True)
    }
    return {
        "status": health_status(server) or UNHEALTHY,
        "totalDuration": format_duration(sum(durations)),
        "entries": entries,
    }


def format_duration(milliseconds: float) -> str:
    """``hh:mm:ss.ffff``, as ASP.NET Core prints a ``TimeSpan``, to four fractional digits."""
    ticks = round(milliseconds * 10)
    seconds, fraction = divmod(ticks, 10_000)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{fraction:04d}"
