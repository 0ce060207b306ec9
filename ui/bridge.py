"""SessionBridge: a ConnectionSession's monitor events as Qt signals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.monitor import HealthUpdated, MonitorEvent, SnapshotReceived, StatusChanged
from app.session import ConnectionSession


class SessionBridge(QObject):
    """Re-emits one session's monitor events on the GUI thread (qasync runs both there).

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
        self._unsubscribe = session.monitor.subscribe(self._on_monitor_event)

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
