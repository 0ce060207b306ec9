"""The window against the simulator: history, graph, Trend column and overview fed by the
session's monitor; alerts through the notifier; own actions; close to tray.

The simulator runs with time frozen (``--time-scale 0``): the cluster changes only when
a test stops a server or calls ``/advance``.
"""

from __future__ import annotations

import asyncio

import numpy as np

from app.alerts import AlertKind
from app.history import EventKind
from tests.conftest import StartSimulator
from tests.ui.alerts.fakes import FakeTray
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, close_window
from tests.ui.window.live_helpers import FROZEN, connected_window, context_menu, select, trigger
from ui.cluster.columns import Column, ServerRole
from ui.main_window import MainWindow

EVERYTHING = (0.0, float("inf"))


def trend(window: MainWindow, server_id: str) -> np.ndarray | None:
    model = window.cluster_pane.model
    row = model.row_of(server_id)
    assert row is not None
    value = model.index(row, Column.TREND).data(ServerRole.SPARKLINE)
    return value if isinstance(value, np.ndarray) else None


async def test_polls_feed_the_history_views_and_a_stopped_server_raises_an_alert(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "60", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    current = window.sessions.current
    assert current is not None
    history, connection_id = window.services.history, current.id
    graph = window.load_views.graph
    assert window.load_views.dock.isVisible()

    await wait_until(lambda: len(history.servers(connection_id)) == 3)
    await wait_until(lambda: len(graph.lines.keys()) == 4 and graph.empty_text is None)
    await wait_until(lambda: len(graph.lines.data("as-01").t) >= 2)  # polls keep coming
    await wait_until(lambda: (values := trend(window, "as-01")) is not None and len(values) > 0)
    assert window.cluster_pane.overview.online.text.text() == "3 online"
    select(window, "as-02")
    assert graph.lines.highlighted == {"as-02"}

    await asyncio.to_thread(sim.stop_server, "as-02")
    await asyncio.to_thread(sim.control, "POST", "advance", {"seconds": 5})
    await wait_until(
        lambda: any(a.kind is AlertKind.OFFLINE for a in window.alerts.notifier.recent)
    )
    alert = next(a for a in window.alerts.notifier.recent if a.kind is AlertKind.OFFLINE)
    assert alert.server_ids == ("as-02",)
    assert alert.title == "EKRAN-AS02 went offline"
    # Offscreen there is no tray: the alert is shown in the status bar.
    assert any("EKRAN-AS02 went offline" in n.message for n in window.status.notices)
    assert window.alerts.tray.states()[connection_id][0] == "Simulated cluster"

    def offline() -> list[str | None]:
        events = history.events(connection_id, *EVERYTHING)
        return [e.server_id for e in events if e.kind is EventKind.OFFLINE]

    # The history records the poll with its status: a loop callback after the alerts'.
    await wait_until(lambda: offline() == ["as-02"])
    await wait_until(lambda: any("EKRAN-AS02 went offline" in t for t in graph.marks.texts))
    await wait_until(lambda: window.cluster_pane.overview.offline.text.text() == "1 offline")


async def test_an_isolation_from_the_window_is_marked_as_your_own(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "60", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    current = window.sessions.current
    assert current is not None
    select(window, "as-03")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.reason_edit.setText("Windows updates")
    dialog.ok_button.click()

    await wait_until(
        lambda: any(a.kind is AlertKind.ISOLATED for a in window.alerts.notifier.recent)
    )
    alert = next(a for a in window.alerts.notifier.recent if a.kind is AlertKind.ISOLATED)
    assert alert.title == "EKRAN-AS03 was isolated by you"

    def actions() -> list[str]:
        events = window.services.history.events(current.id, *EVERYTHING)
        return [e.text for e in events if e.kind is EventKind.ACTION]

    # the alert and the history's event are recorded independently: either may come first
    await wait_until(lambda: actions() == ["EKRAN-AS03 isolated by you: Windows updates"])
    graph = window.load_views.graph
    await wait_until(lambda: any(t.endswith(actions()[0]) for t in graph.marks.texts))


async def test_close_to_tray_hides_the_window_and_the_tray_quits_it(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "2", "--clients", "20", *FROZEN)
    window = await connected_window(make_window, sim, 2)
    backend = FakeTray()
    window.alerts.tray.set_backend(backend)  # offscreen has no system tray
    window.alerts.set_close_to_tray(True)

    window.close()
    assert not window.isVisible()
    assert not window.closed
    assert window.sessions.session_count == 1  # monitoring goes on
    assert len(backend.messages) == 1  # said once where the console went

    window.alerts.tray.show_action.trigger()
    assert window.isVisible()
    window.close()
    assert not window.isVisible()
    assert len(backend.messages) == 1

    window.alerts.tray.quit_action.trigger()  # Quit really quits
    await wait_until(lambda: window.closed, within=30.0)
    assert not backend.visible  # the icon left the tray
    await close_window(window)


async def test_menus_offer_the_load_graph_alert_settings_and_close_to_tray(
    make_window: MakeWindow,
) -> None:
    window = make_window()
    own = window.window_actions
    assert own.load_graph.objectName() == "actionShowLoadGraph"
    assert own.load_graph.isChecked()
    own.load_graph.trigger()
    assert not window.load_views.dock.isVisible()
    own.load_graph.trigger()
    assert window.load_views.dock.isVisible()
    assert window.load_views.graph.empty_text == "Select a connection to see its load over time"
    assert not own.alert_settings.isEnabled()  # no connection chosen
    assert not own.close_to_tray.isEnabled()  # no system tray offscreen
    assert own.close_to_tray.toolTip() == "This desktop has no notification area."
