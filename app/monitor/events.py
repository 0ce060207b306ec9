"""Events a ClusterMonitor publishes to its subscribers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.api.models import ClusterSnapshot
from app.monitor.status import MonitorStatus, ServerHealth


@dataclass(frozen=True)
class SnapshotReceived:
    """A poll returned cluster data that differs from the previous snapshot."""

    snapshot: ClusterSnapshot


@dataclass(frozen=True)
class StatusChanged:
    """Published after every poll (success or failure) and on start and stop."""

    status: MonitorStatus


@dataclass(frozen=True)
class HealthUpdated:
    """A round of per-server healthchecks finished; keyed by server id."""

    health: Mapping[str, ServerHealth]


MonitorEvent = SnapshotReceived | StatusChanged | HealthUpdated
