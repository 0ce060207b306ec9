"""HistoryFeeder: one sample per successful poll, from the monitor's own event order."""

from __future__ import annotations

from datetime import timedelta

from app.api.errors import UnreachableError, UnreachableReason
from app.history import HistoryFeeder, HistoryStore
from app.monitor import (
    ConnectionState,
    HealthUpdated,
    MonitorStatus,
    SnapshotReceived,
    StatusChanged,
)
from tests.app.history.snapshots import NOW, cluster

CID = "conn"
URL = "https://as01.corp.example/EkranSystem"


def polled(seconds: float) -> StatusChanged:
    return StatusChanged(
        MonitorStatus(
            ConnectionState.CONNECTED, URL, last_success_at=NOW + timedelta(seconds=seconds)
        )
    )


def test_records_each_successful_poll_with_or_without_new_data() -> None:
    store = HistoryStore()
    feed = HistoryFeeder(store, CID)
    feed(StatusChanged(MonitorStatus(ConnectionState.CONNECTING, URL)))
    feed(SnapshotReceived(cluster([5, 6])))  # the monitor publishes the data first...
    feed(polled(0))  # ...then the status of the same poll
    feed(polled(2))  # 304: no new snapshot
    feed(HealthUpdated({}))
    feed(SnapshotReceived(cluster([7, 6])))
    feed(polled(4))
    feed(polled(4))  # the same poll announced twice (e.g. on stop) is recorded once
    error = UnreachableError("Cannot reach the server.", reason=UnreachableReason.REFUSED)
    feed(
        StatusChanged(
            MonitorStatus(
                ConnectionState.STALE, URL, last_success_at=NOW + timedelta(seconds=4), error=error
            )
        )
    )
    feed(polled(8))
    t0 = NOW.timestamp()
    t, y = store.series(CID, "as-01", t0, t0 + 60)
    assert (t - t0).tolist() == [0, 2, 4, 8]
    assert y.tolist() == [5, 5, 7, 7]


def test_attach_and_detach_on_a_monitor() -> None:
    class FakeMonitor:
        def __init__(self) -> None:
            self.listeners: list[object] = []

        def subscribe(self, listener: object) -> object:
            self.listeners.append(listener)
            return lambda: self.listeners.remove(listener)

    monitor = FakeMonitor()
    detach = HistoryFeeder.attach(HistoryStore(), CID, monitor)  # type: ignore[arg-type]
    assert len(monitor.listeners) == 1
    detach()
    assert monitor.listeners == []
