"""Cluster monitor: polls one connection's cluster and publishes what it sees.

The states and status values (``ConnectionState``, ``MonitorStatus``, ``ServerHealth``)
are imported with the package; the monitor and its events, which need the API's models,
when first asked for, so that a window can name a state before those are loaded.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

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


def __getattr__(name: str) -> object:
    module = _LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # once
    return value
