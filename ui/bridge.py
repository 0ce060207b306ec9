"""SessionBridge: a ConnectionSession's monitor events as Qt signals; and
``subscribe_deferred``, which gives each listener of a monitor a loop callback of its own."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from weakref import WeakKeyDictionary

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


class _Deliveries:
    """One loop's deferred deliveries, run one per loop callback, in the order queued.

    The next delivery is scheduled only once the previous one has run, so Qt handles
    its timers, input and paints between any two of them (callbacks scheduled together
    would run back to back in one pass of Qt's timers).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: deque[tuple[Callable[[MonitorEvent], None], MonitorEvent]] = deque()
        self._scheduled = False

    def add(self, deliver: Callable[[MonitorEvent], None], event: MonitorEvent) -> None:
        self._queue.append((deliver, event))
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._run_one)

    def _run_one(self) -> None:
        deliver, event = self._queue.popleft()
        try:
            deliver(event)
        finally:  # a listener's error is the loop's to report; the others still run
            if self._queue:
                self._loop.call_soon(self._run_one)
            else:
                self._scheduled = False


_deliveries: WeakKeyDictionary[asyncio.AbstractEventLoop, _Deliveries] = WeakKeyDictionary()


def _deliveries_of(loop: asyncio.AbstractEventLoop) -> _Deliveries:
    queue = _deliveries.get(loop)
    if queue is None:
        queue = _deliveries[loop] = _Deliveries(loop)
    return queue


def subscribe_deferred(monitor: ClusterMonitor, listener: Listener) -> Callable[[], None]:
    """Subscribe ``listener`` to ``monitor`` so that it runs in a loop callback of its own.

    A monitor publishes each event to every listener inside its poll step: with a large
    cluster, decoding the reply, recording the history, the alert rules and the table
    then block the window's loop as one long callback. Deferred, each listener is a
    callback of its own, one after the other (a loop's deferred listeners share one
    queue, in the order events were published and, per event, in subscription order),
    and the loop handles input and paints between them. Without a running loop the
    listener is called at once. Returns the function that unsubscribes; no event is
    delivered after it has been called.
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
        _deliveries_of(loop).add(deliver, event)

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
