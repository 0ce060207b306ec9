"""What a monitor knows about its connection, as plain immutable values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the API's models: not needed to name a state
    from app.api.attempts import EndpointAttempt
    from app.api.errors import ConsoleError
    from app.api.models import HealthReport


class ConnectionState(StrEnum):
    """The state shown next to a connection, worst last."""

    IDLE = "idle"  # not monitored
    CONNECTING = "connecting"  # started, no answer yet
    CONNECTED = "connected"
    DEGRADED = "degraded"  # answering, but a server is offline or unhealthy
    STALE = "stale"  # polls fail; the last data is shown with its age
    UNREACHABLE = "unreachable"  # polls fail and there is no data yet
    AUTH_FAILED = "auth_failed"  # polling paused until the user acts
    TLS_PROBLEM = "tls_problem"  # polling paused until the user acts

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def needs_user(self) -> bool:
        """True when polling is paused until the user changes something and retries."""
        return self in (ConnectionState.AUTH_FAILED, ConnectionState.TLS_PROBLEM)


_LABELS = {
    ConnectionState.IDLE: "Not connected",
    ConnectionState.CONNECTING: "Connecting…",
    ConnectionState.CONNECTED: "Connected",
    ConnectionState.DEGRADED: "Degraded",
    ConnectionState.STALE: "Stale",
    ConnectionState.UNREACHABLE: "Unreachable",
    ConnectionState.AUTH_FAILED: "Authentication failed",
    ConnectionState.TLS_PROBLEM: "TLS problem",
}


@dataclass(frozen=True)
class MonitorStatus:
    """One connection's state.

    ``last_success_at`` is when (UTC) the last poll succeeded, ``next_attempt_at`` when
    the next one is due (None while paused), ``error`` the failure of the last poll
    (None after a success), ``failures`` the number of failed polls in a row,
    ``attempts`` every endpoint the last poll tried with its own result (the one that
    answered last, after a success).
    """

    state: ConnectionState
    active_url: str | None = None
    last_success_at: datetime | None = None
    next_attempt_at: datetime | None = None
    error: ConsoleError | None = None
    failures: int = 0
    attempts: tuple[EndpointAttempt, ...] = ()

    def age_seconds(self, now: datetime) -> float | None:
        """Seconds since the last successful poll, or None if there was none."""
        if self.last_success_at is None:
            return None
        return max(0.0, (now - self.last_success_at).total_seconds())

    def retry_in_seconds(self, now: datetime) -> float | None:
        if self.next_attempt_at is None:
            return None
        return max(0.0, (self.next_attempt_at - now).total_seconds())

    def describe(self, now: datetime) -> str:
        """One line for a banner: "Last update 40 s ago; <error>; retrying in 8 s" (with
        several endpoints tried and none answering, that is said instead of the last
        error, which would name only the last endpoint)."""
        parts: list[str] = []
        age = self.age_seconds(now)
        if self.state in (ConnectionState.STALE, ConnectionState.UNREACHABLE):
            parts.append("No update yet" if age is None else f"Last update {age:.0f} s ago")
        failed = [a for a in self.attempts if not a.served]
        if self.error is not None and len(failed) > 1 and len(failed) == len(self.attempts):
            parts.append(f"none of the {len(failed)} endpoints tried answered (see Details)")
        elif self.error is not None:
            parts.append(self.error.message.rstrip("."))
        retry = self.retry_in_seconds(now)
        if self.state.needs_user:
            parts.append("check the connection settings, then retry")
        elif retry is not None and self.error is not None:
            parts.append(f"retrying in {retry:.0f} s")
        return "; ".join(parts) if parts else self.state.label


@dataclass(frozen=True)
class ServerHealth:
    """A server's own healthcheck as last probed: a report, or the reason there is none."""

    server_id: str
    checked_at: datetime
    report: HealthReport | None = None
    error: str | None = None
