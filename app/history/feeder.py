"""HistoryFeeder: turns one ClusterMonitor's events into one history sample per poll."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from app.api.models import ClusterSnapshot
from app.history.store import HistoryStore
from app.monitor import ClusterMonitor, MonitorEvent, SnapshotReceived, StatusChanged
from app.seam.capabilities import LoadSource


class HistoryFeeder:
    """Records every successful poll of one connection's monitor in a ``HistoryStore``.

    The monitor publishes ``SnapshotReceived`` only when the cluster data changed, but
    ``StatusChanged`` after every poll, with ``last_success_at`` set to the time of the
    latest successful one. So a poll is recorded when ``last_success_at`` moves on: with
    the snapshot received for it, or with the previous values when none came (304).
    Failed polls record nothing; the graph shows a gap.
    """

    def __init__(
        self, store: HistoryStore, connection_id: str, values: LoadSource | None = None
    ) -> None:
        self._store = store
        self._values = values
        self._connection_id = connection_id
        self._pending: ClusterSnapshot | None = None
        self._last_success: datetime | None = None

    @classmethod
    def attach(
        cls,
        store: HistoryStore,
        connection_id: str,
        monitor: ClusterMonitor,
        values: LoadSource | None = None,
    ) -> Callable[[], None]:
        """Subscribe a new feeder to ``monitor``; returns the function that detaches it.

        ``values`` turns a snapshot into the numbers to record (the connection kind's
        load measure); None records the servers' Clients.
        """
        return monitor.subscribe(cls(store, connection_id, values))

    def __call__(self, event: MonitorEvent) -> None:
        if isinstance(event, SnapshotReceived):
            self._pending = event.snapshot
            return
        if not isinstance(event, StatusChanged):
            return
        succeeded_at = event.status.last_success_at
        if event.status.error is not None or succeeded_at is None:
            return
        if succeeded_at == self._last_success:
            return
        self._last_success = succeeded_at
        at = succeeded_at.timestamp()
        if self._pending is not None:
            values = None if self._values is None else self._values(self._pending)
            self._store.record(self._connection_id, self._pending, at, values)
            self._pending = None
        else:
            self._store.record_unchanged(self._connection_id, at)
