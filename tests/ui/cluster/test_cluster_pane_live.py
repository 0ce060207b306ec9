"""ClusterPane fed by a real ConnectionSession against the simulator."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from app.api.models import ServerStatus
from app.session import ConnectionSession
from tests.helpers.profiles import simulator_password, simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from ui.bridge import SessionBridge
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.columns import Column

WATCHED = "as-03"  # not the endpoint the session talks to


async def test_servers_appear_and_a_stopped_server_turns_offline_keeping_the_selection(
    simulator: SimulatorProcess, qtbot: QtBot
) -> None:
    profile = simulator_profile(simulator, urls=[simulator.url])
    password_source = simulator_password(simulator)

    pane = ClusterPane()
    qtbot.addWidget(pane)
    pane.show()
    session = ConnectionSession(profile, password_source)
    bridge = SessionBridge(session)
    bridge.snapshot_received.connect(pane.set_snapshot)
    bridge.status_changed.connect(pane.set_status)
    bridge.health_updated.connect(pane.set_health)
    try:
        session.start()
        await wait_until(lambda: pane.model.rowCount() == 4)
        assert {s.id for s in pane.model.servers()} == {"as-01", "as-02", "as-03", "as-04"}
        assert pane.empty_text is None

        assert pane.select_server(WATCHED)
        await asyncio.to_thread(simulator.stop_server, WATCHED)
        # Stopping takes 3 simulated seconds; move the cluster's clock past it.
        await asyncio.to_thread(simulator.control, "POST", "advance", {"seconds": 5})

        def watched_status() -> object:
            row = pane.model.row_of(WATCHED)
            return None if row is None else pane.model.index(row, Column.STATUS).data()

        await wait_until(lambda: watched_status() == "Offline")
        selected = pane.selected_servers()
        assert [s.id for s in selected] == [WATCHED]
        assert selected[0].status is ServerStatus.OFFLINE
        current = pane.table.currentIndex()
        assert pane.proxy.server(current.row()).id == WATCHED
    finally:
        bridge.detach()
        await session.aclose()
