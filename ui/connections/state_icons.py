"""The icon that shows a connection's state next to its name (always with a text label)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from app.monitor import ConnectionState
from ui.icons import icon

STATE_ICON_NAMES: dict[ConnectionState, str] = {
    ConnectionState.IDLE: "conn-idle",
    ConnectionState.CONNECTING: "conn-connecting",
    ConnectionState.CONNECTED: "conn-connected",
    ConnectionState.DEGRADED: "conn-degraded",
    ConnectionState.STALE: "conn-stale",
    ConnectionState.UNREACHABLE: "conn-unreachable",
    ConnectionState.AUTH_FAILED: "conn-auth-failed",
    ConnectionState.TLS_PROBLEM: "conn-tls-problem",
}


def state_icon(state: ConnectionState) -> QIcon:
    """The ``conn-*`` icon of ``state``; pair it with ``state.label`` wherever it is shown."""
    return icon(STATE_ICON_NAMES[state])
