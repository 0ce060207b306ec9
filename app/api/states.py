"""The states a server and its health report can be in: plain enums, imported without
pydantic (the API's models use them), so that a window can show a state before the
models are loaded."""

from __future__ import annotations

from enum import StrEnum


class ServerStatus(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    ISOLATED = "isolated"
    STARTING = "starting"
    STOPPING = "stopping"
    UNKNOWN = "unknown"  # any value this console does not know

    @classmethod
    def parse(cls, value: object) -> ServerStatus:
        """The member for ``value`` (case-insensitive), ``UNKNOWN`` for anything else."""
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        return cls.UNKNOWN


class HealthStatus(StrEnum):
    HEALTHY = "Healthy"
    DEGRADED = "Degraded"
    UNHEALTHY = "Unhealthy"
    UNKNOWN = "Unknown"

    @classmethod
    def parse(cls, value: object) -> HealthStatus:
        """The member for ``value`` (case-insensitive), ``UNKNOWN`` for anything else."""
        if isinstance(value, str):
            return _HEALTH_BY_NAME.get(value.strip().lower(), cls.UNKNOWN)
        return cls.UNKNOWN


# A dict lookup: iterating an enum's members costs microseconds per call in Python 3.11,
# and every entry of every healthcheck reply is parsed.
_HEALTH_BY_NAME = {member.value.lower(): member for member in HealthStatus}
