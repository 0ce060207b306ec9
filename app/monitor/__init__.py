"""Cluster monitor: polls one connection's cluster and publishes what it sees.

The states and status values (``ConnectionState``, ``MonitorStatus``, ``ServerHealth``)
are imported with the package; the monitor and its events, which need the API's models,
when first asked for, so that a window can name a state before those are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy_exports import lazy_exports
from app.monitor.status import ConnectionState, MonitorStatus, ServerHealth

if TYPE_CHECKING:
    from app.monitor.events import HealthUpdated, MonitorEvent, SnapshotReceived, StatusChanged
    from app.monitor.monitor import ClusterMonitor, ClusterSource

_LATER = {
    "ClusterMonitor": "app.monitor.monitor",
    "ClusterSource": "app.monitor.monitor",
    "HealthUpdated": "app.monitor.events",
    "MonitorEvent": "app.monitor.events",
    "SnapshotReceived": "app.monitor.events",
    "StatusChanged": "app.monitor.events",
}

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


__getattr__ = lazy_exports(globals(), _LATER)
