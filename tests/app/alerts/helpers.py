"""Feeding an AlertEngine the way a monitor would, on a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.alerts import Alert, AlertEngine, AlertSettings
from app.api.models import ClusterSnapshot, HealthReport, HealthStatus
from app.monitor import (
    ConnectionState,
    HealthUpdated,
    MonitorStatus,
    ServerHealth,
    SnapshotReceived,
    StatusChanged,
)
from tests.app.history.snapshots import NOW

CID = "prod-id"
NAME = "Prod"
ROOMY = AlertSettings(max_per_minute=1000)  # the rate limit stays out of the way


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class Harness:
    """An engine for one connection named Prod, with every alert kept in ``seen``."""

    def __init__(self, settings: AlertSettings = ROOMY) -> None:
        self.clock = Clock()
        self.engine = AlertEngine(clock=self.clock, default_settings=settings)
        self.seen: list[Alert] = []
        self.engine.subscribe(self.seen.append)

    def snapshot(self, snapshot: ClusterSnapshot, after: float = 2.0) -> list[Alert]:
        self.clock.advance(after)
        return self.engine.feed(CID, NAME, SnapshotReceived(snapshot))

    def status(
        self, state: ConnectionState, after: float = 2.0, error: object = None
    ) -> list[Alert]:
        self.clock.advance(after)
        status = MonitorStatus(state, "https://as01.corp.example/EkranSystem", error=error)  # type: ignore[arg-type]
        return self.engine.feed(CID, NAME, StatusChanged(status))

    def health(self, levels: dict[str, HealthStatus], after: float = 2.0) -> list[Alert]:
        self.clock.advance(after)
        rounds = {
            sid: ServerHealth(
                sid,
                self.clock.now,
                report=HealthReport(
                    url=f"https://{sid}/EkranSystem/healthcheck",
                    http_status=200 if level is HealthStatus.HEALTHY else 503,
                    status=level,
                    ok=level is HealthStatus.HEALTHY,
                ),
            )
            for sid, level in levels.items()
        }
        return self.engine.feed(CID, NAME, HealthUpdated(rounds))

    def tick(self, after: float) -> list[Alert]:
        self.clock.advance(after)
        return self.engine.tick()
