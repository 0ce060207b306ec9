"""Driving the window like an administrator: selecting rows, the context menu, waiting."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from app.monitor import ConnectionState
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import (
    MakeWindow,
    open_transient,
    wait_for_health_round,
    wait_for_rows,
)
from ui.main_window import MainWindow

FROZEN = ("--time-scale", "0", "--drain-seconds", "30", "--seed", "3")
"""Simulator options: time moves only on ``/advance``, so every state is deterministic."""


def context_menu(window: MainWindow) -> QMenu:
    """Open the servers context menu as the Menu key does, and return it."""
    table = window.cluster_pane.table
    origin = QPoint(0, 0)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard,
        origin,
        table.mapToGlobal(origin),
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(table, event)
    menu = window.context_menu
    assert menu is not None
    return menu


def trigger(menu: QMenu, name: str) -> None:
    """Trigger the enabled menu action ``name`` and close the menu."""
    action = next(a for a in menu.actions() if a.objectName() == name)
    assert action.isEnabled(), action.toolTip()
    action.trigger()
    menu.close()


def select(window: MainWindow, *server_ids: str) -> None:
    """Select the rows of ``server_ids`` in the cluster table (the first becomes current)."""
    pane = window.cluster_pane
    assert pane.select_server(server_ids[0])
    selection = pane.table.selectionModel()
    for server_id in server_ids[1:]:
        row = pane.model.row_of(server_id)
        assert row is not None
        index = pane.proxy.mapFromSource(pane.model.index(row, 0))
        selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)


async def connected_window(make_window: MakeWindow, sim: SimulatorProcess, rows: int) -> MainWindow:
    """A window showing ``sim`` (a transient connection), connected with ``rows`` servers."""
    window = make_window()
    open_transient(window, simulator_profile(sim), sim.info.password)
    await wait_for_rows(window, rows)
    await wait_until(
        lambda: (
            window.sessions.current is not None
            and window.sessions.current.status.state is ConnectionState.CONNECTED
        )
    )
    await wait_for_health_round(window)
    return window


def sim_server(sim: SimulatorProcess, server_id: str) -> dict[str, object]:
    """The simulator's own view of one server (control API)."""
    servers: list[dict[str, object]] = sim.state()["servers"]
    return next(s for s in servers if s["id"] == server_id)
