"""Alerts on a health-only connection: a server going down, coming back, and flapping,
from real healthcheck rounds against the documented-only simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.alerts.engine import AlertEngine
from app.alerts.model import AlertKind
from app.alerts.settings import AlertSettings
from app.health_only.client import HealthOnlyClient
from app.health_only.kind import HEALTH_ONLY_CAPABILITIES
from app.monitor import SnapshotReceived
from tests.helpers.documented_simulator import health_profile
from tests.helpers.simulator_process import SimulatorProcess


async def test_down_up_and_flapping(documented: SimulatorProcess) -> None:
    profile = health_profile(documented, documented.url_of("as-01"), documented.url_of("as-02"))
    engine = AlertEngine(default_settings=AlertSettings(flap_count=2, max_per_minute=100))
    client = HealthOnlyClient(profile, HEALTH_ONLY_CAPABILITIES)
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    kinds: list[list[AlertKind]] = []

    async def round_() -> None:
        nonlocal at
        at += timedelta(seconds=10)
        snapshot = await client.cluster()
        alerts = engine.feed(profile.id, profile.name, SnapshotReceived(snapshot), at)
        kinds.append([alert.kind for alert in alerts])

    try:
        await round_()
        for _ in range(3):
            documented.stop_server("as-02")
            await round_()
            documented.advance(120)
            documented.start_server("as-02")
            documented.advance(120)
            await round_()
    finally:
        await client.aclose()
    assert kinds[0] == []
    assert kinds[1] == [AlertKind.OFFLINE]
    assert kinds[2] == [AlertKind.BACK_ONLINE]
    assert AlertKind.FLAPPING in [kind for found in kinds[3:] for kind in found]
