"""What the alert engine produces: ``Alert`` values with a kind and a severity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum


class AlertKind(StrEnum):
    """Each kind can be switched off per connection (see ``AlertSettings``)."""

    DRAINED = "drained"  # an isolated server has no Clients left
    OFFLINE = "offline"  # a server went offline
    BACK_ONLINE = "back_online"  # a server that was offline runs again
    HEALTH = "health"  # a server's healthcheck turned Degraded or Unhealthy, or recovered
    ISOLATED = "isolated"  # someone isolated a server
    RETURNED = "returned"  # someone returned a server to service
    CONNECTION_LOST = "connection_lost"  # polls have failed for longer than the threshold
    CONNECTION_RECOVERED = "connection_recovered"  # polls succeed again after such a loss
    FLAPPING = "flapping"  # a server keeps going offline and online; also "stable again"
    SUPPRESSED = "suppressed"  # a summary of alerts held back by the rate limit

    @property
    def label(self) -> str:
        """Display name for settings ("Server went offline")."""
        return _LABELS[self]


_LABELS = {
    AlertKind.DRAINED: "Isolated server drained",
    AlertKind.OFFLINE: "Server went offline",
    AlertKind.BACK_ONLINE: "Server back online",
    AlertKind.HEALTH: "Server health changed",
    AlertKind.ISOLATED: "Server isolated",
    AlertKind.RETURNED: "Server returned to service",
    AlertKind.CONNECTION_LOST: "Connection lost",
    AlertKind.CONNECTION_RECOVERED: "Connection recovered",
    AlertKind.FLAPPING: "Server flapping",
    AlertKind.SUPPRESSED: "Alerts held back by the rate limit",
}


class Severity(IntEnum):
    """Ordered: a larger value is more urgent."""

    INFO = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Alert:
    """One notification about one connection.

    ``server_ids`` and ``server_names`` list the servers it is about, in the same order
    (empty for connection-wide alerts). ``title`` is one line fit for a tray balloon;
    ``body`` one line of detail. ``at`` is when (UTC) the change was seen.
    """

    kind: AlertKind
    severity: Severity
    connection_id: str
    connection_name: str
    server_ids: tuple[str, ...]
    server_names: tuple[str, ...]
    title: str
    body: str
    at: datetime
