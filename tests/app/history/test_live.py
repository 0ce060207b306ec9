"""History and alerts fed by a real ConnectionSession monitor polling the simulator."""

from __future__ import annotations

import asyncio
import math

from app.alerts import Alert, AlertEngine, AlertKind
from app.history import EventKind, HistoryFeeder, HistoryStore
from app.monitor import MonitorEvent
from app.session import ConnectionSession
from tests.helpers.profiles import simulator_password, simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.helpers.waiting import wait_until


async def test_polls_become_samples_events_and_alerts(simulator: SimulatorProcess) -> None:
    profile = simulator_profile(simulator, urls=[simulator.url])
    password_source = simulator_password(simulator)

    store = HistoryStore()
    engine = AlertEngine()
    alerts: list[Alert] = []
    engine.subscribe(alerts.append)
    session = ConnectionSession(profile, password_source)
    cid = profile.id

    def to_engine(event: MonitorEvent) -> None:
        engine.feed(cid, profile.name, event)

    HistoryFeeder.attach(store, cid, session.monitor)
    session.monitor.subscribe(to_engine)

    def samples() -> int:
        return len(store.series(cid, "as-02", 0, math.inf, max_points=100_000).t)

    try:
        session.start()
        await wait_until(lambda: samples() >= 3)
        assert set(store.servers(cid)) == {"as-01", "as-02", "as-03", "as-04"}
        assert store.total_series(cid, 0, math.inf).y[-1] > 0

        engine.note_own_action(cid, "as-03", isolate=True)
        await session.actions.isolate("as-03", reason="upgrade")
        await wait_until(lambda: any(a.kind is AlertKind.ISOLATED for a in alerts))
        assert [a.title for a in alerts if a.kind is AlertKind.ISOLATED] == [
            "EKRAN-AS03 was isolated by you"
        ]

        await asyncio.to_thread(simulator.stop_server, "as-02")
        await asyncio.to_thread(simulator.control, "POST", "advance", {"seconds": 5})
        await wait_until(lambda: any(a.kind is AlertKind.OFFLINE for a in alerts))
        offline = [a for a in alerts if a.kind is AlertKind.OFFLINE]
        assert [a.server_ids for a in offline] == [("as-02",)]
        kinds = {(e.server_id, e.kind) for e in store.events(cid, 0, math.inf)}
        assert ("as-02", EventKind.OFFLINE) in kinds
        assert ("as-03", EventKind.ISOLATED) in kinds
    finally:
        await session.aclose()
