"""Isolation changes in flight, until a cluster snapshot confirms them (no widgets).

A change is *begun* when the admin confirms it, *accepted* when the server answered
the request, and *confirmed* only when a later snapshot shows the server in the wanted
state: the console reports success on what the cluster says, not on the request alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from app.api.models import ClusterSnapshot, Server
from ui.window.action_rules import is_isolated

CONFIRM_TIMEOUT_S = 30.0


class Change(StrEnum):
    ISOLATE = "isolate"
    RETURN_TO_SERVICE = "return"

    @property
    def pending_text(self) -> str:
        """What the table shows while the change is in flight."""
        return "Isolating…" if self is Change.ISOLATE else "Returning to service…"

    def done_in(self, server: Server) -> bool:
        """True when ``server`` is in the state this change wants."""
        return is_isolated(server) if self is Change.ISOLATE else not is_isolated(server)


@dataclass
class PendingChange:
    """One server's change; ``accepted_at`` is the loop time the server accepted it."""

    connection_id: str
    server_id: str
    server_name: str
    change: Change
    accepted_at: float | None = None


@dataclass(frozen=True)
class Settled:
    """Changes a snapshot (or the clock) settled: confirmed with the server's new state,
    or expired without confirmation."""

    confirmed: list[tuple[PendingChange, Server]] = field(default_factory=list)
    expired: list[PendingChange] = field(default_factory=list)


class PendingChanges:
    """At most one change in flight per server of each connection."""

    def __init__(self, confirm_timeout_s: float = CONFIRM_TIMEOUT_S) -> None:
        self._timeout = confirm_timeout_s
        self._changes: dict[tuple[str, str], PendingChange] = {}

    def begin(self, connection_id: str, server: Server, change: Change) -> PendingChange | None:
        """Track a new change; None when one is already in flight for that server."""
        key = (connection_id, server.id)
        if key in self._changes:
            return None
        pending = PendingChange(connection_id, server.id, server.name, change)
        self._changes[key] = pending
        return pending

    def accept(self, connection_id: str, server_id: str, now: float) -> None:
        """The server accepted the request at loop time ``now``."""
        pending = self._changes.get((connection_id, server_id))
        if pending is not None:
            pending.accepted_at = now

    def drop(self, connection_id: str, server_id: str) -> PendingChange | None:
        """Stop tracking (the request failed); returns the change that was in flight."""
        return self._changes.pop((connection_id, server_id), None)

    def drop_connection(self, connection_id: str) -> list[PendingChange]:
        dropped = [p for k, p in self._changes.items() if k[0] == connection_id]
        for pending in dropped:
            del self._changes[(connection_id, pending.server_id)]
        return dropped

    def for_connection(self, connection_id: str) -> list[PendingChange]:
        return [p for (cid, _), p in self._changes.items() if cid == connection_id]

    def settle(self, connection_id: str, snapshot: ClusterSnapshot, now: float) -> Settled:
        """Confirm the accepted changes ``snapshot`` shows done; expire overdue ones."""
        result = Settled()
        for pending in self.for_connection(connection_id):
            if pending.accepted_at is None:
                continue
            server = snapshot.server(pending.server_id)
            if server is not None and pending.change.done_in(server):
                result.confirmed.append((pending, server))
            elif now - pending.accepted_at > self._timeout:
                result.expired.append(pending)
        for pending in [p for p, _ in result.confirmed] + result.expired:
            self._changes.pop((connection_id, pending.server_id), None)
        return result
