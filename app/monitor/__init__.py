"""Cluster monitor: polls one connection's cluster and publishes what it sees."""

from app.monitor.events import HealthUpdated, MonitorEvent, SnapshotReceived, StatusChanged
from app.monitor.monitor import ClusterMonitor, ClusterSource
from app.monitor.status import ConnectionState, MonitorStatus, ServerHealth

__all__ = [
    "ClusterMonitor",
    "ClusterSource",
    "ConnectionState",
    "HealthUpdated",
    "MonitorEvent",
    "MonitorStatus",
    "ServerHealth",
    "SnapshotReceived",
    "StatusChanged",
]
