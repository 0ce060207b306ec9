"""What happened to a cluster's servers, as marks on the load graphs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.history.codes import StatusCode


class EventKind(StrEnum):
    OFFLINE = "offline"  # a server went offline
    BACK_ONLINE = "back_online"  # it runs again after being offline or starting
    ISOLATED = "isolated"  # it left the load balancer's rotation
    RETURNED = "returned"  # it came back into rotation
    STATUS = "status"  # any other status change (starting, stopping, unknown)
    ADDED = "added"  # a server joined the cluster's list
    REMOVED = "removed"  # a server left the cluster's list
    ACTION = "action"  # something done from this console (``record_action``)


@dataclass(frozen=True)
class HistoryEvent:
    """One event: ``at`` in POSIX seconds, ``server_id`` None for the whole cluster."""

    at: float
    connection_id: str
    server_id: str | None
    kind: EventKind
    text: str


_RUNNING = (StatusCode.ONLINE, StatusCode.ISOLATED)


def status_change(name: str, old: StatusCode, new: StatusCode) -> tuple[EventKind, str] | None:
    """The event for a server named ``name`` going from ``old`` to ``new``; None if equal."""
    if old == new:
        return None
    if new == StatusCode.OFFLINE:
        return EventKind.OFFLINE, f"{name} went offline"
    if old == StatusCode.ONLINE and new == StatusCode.ISOLATED:
        return EventKind.ISOLATED, f"{name} was isolated"
    if old == StatusCode.ISOLATED and new == StatusCode.ONLINE:
        return EventKind.RETURNED, f"{name} returned to service"
    if new in _RUNNING:
        suffix = " (isolated)" if new == StatusCode.ISOLATED else ""
        return EventKind.BACK_ONLINE, f"{name} is back online{suffix}"
    if new == StatusCode.STARTING:
        return EventKind.STATUS, f"{name} is starting"
    if new == StatusCode.STOPPING:
        return EventKind.STATUS, f"{name} is stopping"
    return EventKind.STATUS, f"{name} reports an unknown status"
