"""Keyboard and focus against the simulator: Ctrl+F reaches the server filter from
anywhere in the window, and the server table has the focus after every dialog."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QWidget

from tests.conftest import StartSimulator
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, close_window, status_text
from tests.ui.window.live_helpers import FROZEN, connected_window, context_menu, select, trigger
from ui.main_window import MainWindow


async def focus_on(window: MainWindow, widget: QWidget) -> None:
    window.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is window)
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    await wait_until(widget.hasFocus)


def graph_control(window: MainWindow) -> QComboBox:
    window.load_views.dock.show()
    box = window.load_views.graph.findChild(QComboBox)
    assert isinstance(box, QComboBox)
    return box


async def test_ctrl_f_reaches_the_filter_from_the_graph_and_the_sidebar(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "2", *FROZEN)
    window = await connected_window(make_window, sim, 2)
    window.events.panel.show()
    starts = [graph_control(window), window.connections_pane.view, window.events.panel.table]
    for start in starts:
        await focus_on(window, start)
        QTest.keyClick(start, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
        await wait_until(window.cluster_pane.filter_edit.hasFocus)
    await close_window(window)


async def test_the_table_has_the_focus_after_each_dialog(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "3", *FROZEN)
    window = await connected_window(make_window, sim, 3)
    table = window.cluster_pane.table
    graph = graph_control(window)

    async def after(open_dialog: Callable[[], None], close: Callable[[QDialog], None]) -> None:
        await focus_on(window, graph)  # where Qt used to leave the focus
        open_dialog()
        await wait_until(lambda: isinstance(QApplication.activeModalWidget(), QDialog))
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, QDialog)
        await wait_until(lambda: QApplication.focusWindow() is dialog.windowHandle())
        close(dialog)
        # The window's focus widget is the table (offscreen, no window manager activates
        # the window again when the dialog closes; a desktop does, as here by hand).
        await wait_until(lambda: window.focusWidget() is table)
        window.activateWindow()
        await wait_until(table.hasFocus)

    select(window, "as-02")
    await after(lambda: trigger(context_menu(window), "actionIsolate"), QDialog.reject)
    await after(lambda: trigger(context_menu(window), "actionCheckVersion"), QDialog.reject)
    await after(lambda: trigger(context_menu(window), "actionHealthDetails"), QDialog.accept)
    await after(window.connections_pane.commands.add.trigger, QDialog.reject)

    # Isolating for real: the dialog is accepted, the request runs; focus still on the table.
    await after(
        lambda: trigger(context_menu(window), "actionIsolate"),
        lambda dialog: dialog.ok_button.click(),  # type: ignore[attr-defined]
    )
    await wait_until(lambda: (status_text(window, "as-02") or "").startswith("Isolated"))
    assert table.hasFocus()
    await close_window(window)
