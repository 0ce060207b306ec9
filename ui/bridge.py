"""SessionBridge: a ConnectionSession's monitor events as Qt signals; and
``subscribe_deferred``, which gives each listener of a monitor a loop callback of its own."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.monitor import (
    ClusterMonitor,
    HealthUpdated,
    MonitorEvent,
    SnapshotReceived,
    StatusChanged,
)
from app.session import ConnectionSession

Listener = Callable[[MonitorEvent], None]


def subscribe_deferred(monitor: ClusterMonitor, listener: Listener) -> Callable[[], None]:
    """Subscribe ``listener`` to ``monitor`` so that it runs in a loop callback of its own.

    A monitor publishes each event to every listener inside its poll step: with a large
    cluster, decoding the reply, recording the history, the alert rules and the table
    then block the window's loop as one long callback. Deferred with ``call_soon`` (in
    subscription order, so listeners still see events in the order published), each
    listener is a callback of its own and the loop handles input and paints between
    them. Without a running loop the listener is called at once. Returns the function
    that unsubscribes; no event is delivered after it has been called.
    """
    attached = True

    def deliver(event: MonitorEvent) -> None:
        if attached:
            listener(event)

    def on_event(event: MonitorEvent) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            deliver(event)
            return
        loop.call_soon(deliver, event)

    unsubscribe = monitor.subscribe(on_event)

    def detach() -> None:
        nonlocal attached
        attached = False
        unsubscribe()

    return detach


class SessionBridge(QObject):
    """Re-emits one session's monitor events on the GUI thread (qasync runs both there),
    each in a loop callback of its own (``subscribe_deferred``).

    Signals:
        snapshot_received(ClusterSnapshot): new cluster data.
        status_changed(MonitorStatus): after every poll, on start and on stop.
        health_updated(dict): server id -> ServerHealth after a round of healthchecks.
    """

    snapshot_received = Signal(object)
    status_changed = Signal(object)
    health_updated = Signal(object)

    def __init__(self, session: ConnectionSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._unsubscribe = subscribe_deferred(session.monitor, self._on_monitor_event)

    @property
    def connection_id(self) -> str:
        return self.session.profile.id

    def detach(self) -> None:
        """Stop re-emitting (before the session closes)."""
        self._unsubscribe()

    def _on_monitor_event(self, event: MonitorEvent) -> None:
        if isinstance(event, SnapshotReceived):
            self.snapshot_received.emit(event.snapshot)
        elif isinstance(event, StatusChanged):
            self.status_changed.emit(event.status)
        elif isinstance(event, HealthUpdated):
            self.health_updated.emit(dict(event.health))
