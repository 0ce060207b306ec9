"""The events pane against the simulator: an isolation by the console and one by someone
else are listed, and still there after the window is closed and opened again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from app.alerts import AlertKind
from app.api.client import ManagementClient
from app.events import EventSource
from tests.conftest import StartSimulator
from tests.helpers.profiles import simulator_password, simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import (
    MakeWindow,
    close_window,
    open_transient,
    status_text,
    wait_for_rows,
)
from tests.ui.window.live_helpers import FROZEN, connected_window, context_menu, select, trigger
from ui.events.events_model import EventColumn
from ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


async def isolate_as_someone_else(sim: SimulatorProcess, server_id: str) -> None:
    """Another program (another admin's console) isolates a server through the API."""
    settings = simulator_profile(sim).endpoint_settings()
    async with ManagementClient(settings, simulator_password(sim)) as client:
        await client.set_isolation(server_id, isolated=True, reason="Patch night")


def kinds(window: MainWindow) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.source.value, r.kind, r.servers) for r in window.events.model.records()]


async def test_isolations_by_the_console_and_by_someone_else_survive_a_restart(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", "--clients", "60", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    select(window, "as-03")
    trigger(context_menu(window), "actionIsolate")
    await wait_until(lambda: window.operations.isolate_dialog is not None)
    dialog = window.operations.isolate_dialog
    assert dialog is not None
    dialog.reason_edit.setText("Windows updates")
    dialog.ok_button.click()
    await wait_until(lambda: (status_text(window, "as-03") or "").startswith("Isolated"))
    await isolate_as_someone_else(sim, "as-02")

    own_action = ("action", "isolate", ("EKRAN-AS03",))  # named, though the audit has the id
    own_change = ("cluster", AlertKind.ISOLATED.value, ("EKRAN-AS03",))
    other_change = ("cluster", AlertKind.ISOLATED.value, ("EKRAN-AS02",))
    try:
        await wait_until(lambda: {own_action, own_change, other_change} <= set(kinds(window)))
    except AssertionError:
        raise AssertionError(f"events: {kinds(window)}") from None
    records = window.events.model.records()
    other = next(r for r in records if (r.source.value, r.kind, r.servers) == other_change)
    own = next(r for r in records if (r.source.value, r.kind, r.servers) == own_change)
    assert "by you" not in other.title
    assert "by you" in own.title
    assert records == sorted(records, key=lambda r: r.ts, reverse=True)  # newest first
    model = window.events.model
    row = records.index(other)
    assert model.index(row, EventColumn.SERVER).data() == "EKRAN-AS02"
    assert model.index(row, EventColumn.CONNECTION).data() == "Simulated cluster"
    before = {(r.source, r.kind, r.servers, r.title) for r in records}
    await close_window(window)

    again = make_window()
    await wait_until(lambda: again.events.model.rowCount() >= len(before))
    after = {(r.source, r.kind, r.servers, r.title) for r in again.events.model.records()}
    assert before <= after
    assert any(r.source is EventSource.ACTION for r in again.events.model.records())


async def test_the_pane_opens_from_the_view_menu_with_the_focus_in_its_table(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "2", *FROZEN)
    window = make_window()
    open_transient(window, simulator_profile(sim), sim.info.password)
    await wait_for_rows(window, 2)
    panel = window.events.panel
    assert panel.objectName() == "eventsPanel"
    assert not panel.isVisible()
    view_menu = window.menuBar().findChild(QMenu, "menuView")
    assert isinstance(view_menu, QMenu)
    assert window.events.action in view_menu.actions()
    assert window.events.action.shortcut().toString() == "Ctrl+Shift+E"
    window.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is window)
    window.cluster_pane.table.setFocus()
    QTest.keyClick(window.cluster_pane.table, Qt.Key.Key_E, CTRL | SHIFT)
    await wait_until(lambda: panel.isVisible() and panel.table.hasFocus())
    # Keyboard only: the filters by their mnemonics, typing narrows the rows.
    QTest.keyClick(panel.table, Qt.Key.Key_E, ALT)
    await wait_until(panel.server_edit.hasFocus)
    QTest.keyClick(panel.server_edit, Qt.Key.Key_Y, ALT)
    await wait_until(panel.severity_box.hasFocus)
    QTest.keyClick(panel.severity_box, Qt.Key.Key_N, ALT)
    await wait_until(panel.connection_box.hasFocus)
    # A click on a summary balloon brings the pane back.
    panel.close()
    window.alerts.tray.message_clicked.emit()
    await wait_until(lambda: panel.isVisible() and panel.table.hasFocus())
    await close_window(window)
