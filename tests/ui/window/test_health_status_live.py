"""Health in the Status column and the overview strip, against the simulator.

The simulator runs with time frozen: servers change only when a test stops them or
moves time, and a server's health is forced through the control API's health fault.
"""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QModelIndex

from app.api.models import HealthStatus
from tests.conftest import StartSimulator
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, cell_text, close_window, status_text
from tests.ui.window.live_helpers import FROZEN, connected_window
from ui.cluster.columns import Column


async def test_an_unhealthy_server_says_so_in_its_status_and_in_the_strip(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    await asyncio.to_thread(sim.add_fault, kind="health", server_id="as-02", status="Unhealthy")
    window = await connected_window(make_window, sim, 3)
    pane = window.cluster_pane
    # the table shows the health round through Qt's events, which a slow machine (the
    # Windows Python under Wine) may deliver after the round itself
    await wait_until(
        lambda: status_text(window, "as-02") == "Online, unhealthy: HTTP 503",
        what="as-02 shown unhealthy",
    )
    assert status_text(window, "as-01") == "Online"
    row = pane.model.row_of("as-02")
    assert row is not None
    index = pane.model.index(row, Column.STATUS)
    assert index.data(0) == "Online, unhealthy: HTTP 503"
    tooltip = str(pane.model.data(index, 3))
    assert "Its own healthcheck:" in tooltip
    assert "Unhealthy (HTTP 503)" in tooltip
    assert pane.overview.unhealthy.text.text() == "1 unhealthy"
    assert not pane.overview.unhealthy.isHidden()
    assert "1 unhealthy" in pane.overview.accessibleDescription()
    assert pane.overview.facts is not None
    assert pane.overview.facts.unhealthy == 1
    await close_window(window)


async def test_a_stopped_server_never_shows_the_health_it_had_while_running(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "90", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    model = window.cluster_pane.model
    assert cell_text(window, "as-03", Column.HEALTH) == HealthStatus.HEALTHY.value
    seen: list[tuple[str | None, str | None]] = []

    def record(_first: QModelIndex, _last: QModelIndex, _roles: object = None) -> None:
        seen.append((status_text(window, "as-03"), cell_text(window, "as-03", Column.HEALTH)))

    model.dataChanged.connect(record)
    await asyncio.to_thread(sim.stop_server, "as-03")
    await asyncio.to_thread(sim.advance, 4)  # stopping for 3 s, then offline
    await wait_until(lambda: status_text(window, "as-03") == "Offline")
    # Probed again at once: the stopped server's endpoint answers 503.
    await wait_until(lambda: cell_text(window, "as-03", Column.HEALTH) == "Unhealthy")
    model.dataChanged.disconnect(record)
    assert any(status != "Online" for status, _ in seen)
    stale = [(s, h) for s, h in seen if s != "Online" and h == HealthStatus.HEALTHY.value]
    assert stale == []
    assert status_text(window, "as-03") == "Offline"  # no health words for a stopped server
    assert window.cluster_pane.overview.facts is not None
    assert window.cluster_pane.overview.facts.unhealthy == 0
    await close_window(window)
