"""What the tray icon shows: the worst state across the open connections, and a tooltip."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from app.monitor import ConnectionState
from ui.settings import APPLICATION

MAX_TOOLTIP_CONNECTIONS = 4
"""The tooltip lists this many connections, worst first (Windows cuts tooltips short)."""


class TrayLevel(IntEnum):
    """Ordered: a larger value is worse."""

    OK = 0
    WARNING = 1
    ERROR = 2

    @property
    def icon_name(self) -> str:
        return _ICONS[self]


_ICONS = {TrayLevel.OK: "tray-ok", TrayLevel.WARNING: "tray-warning", TrayLevel.ERROR: "tray-error"}

_LEVELS: dict[ConnectionState, TrayLevel] = {
    ConnectionState.IDLE: TrayLevel.OK,
    ConnectionState.CONNECTING: TrayLevel.OK,
    ConnectionState.CONNECTED: TrayLevel.OK,
    ConnectionState.DEGRADED: TrayLevel.WARNING,
    ConnectionState.STALE: TrayLevel.WARNING,
    ConnectionState.UNREACHABLE: TrayLevel.ERROR,
    ConnectionState.AUTH_FAILED: TrayLevel.ERROR,
    ConnectionState.TLS_PROBLEM: TrayLevel.ERROR,
}


def level_of(state: ConnectionState) -> TrayLevel:
    """Degraded or stale data is a warning; no data (unreachable, sign-in, TLS) an error."""
    return _LEVELS[state]


def worst_level(states: Iterable[ConnectionState]) -> TrayLevel:
    """The worst level of ``states``; OK when there are none."""
    return max((level_of(state) for state in states), default=TrayLevel.OK)


def tray_tooltip(connections: Iterable[tuple[str, ConnectionState]]) -> str:
    """The application's name, then "Name: State" per connection, worst first.

    At most ``MAX_TOOLTIP_CONNECTIONS`` are named; a last line counts the rest.
    """
    entries = sorted(connections, key=lambda pair: (-level_of(pair[1]), pair[0].casefold()))
    if not entries:
        return f"{APPLICATION}\nNo connection open"
    lines = [APPLICATION]
    lines += [f"{name}: {state.label}" for name, state in entries[:MAX_TOOLTIP_CONNECTIONS]]
    rest = len(entries) - MAX_TOOLTIP_CONNECTIONS
    if rest > 0:
        lines.append(f"and {rest} more")
    return "\n".join(lines)
