"""SortRepaint: after polls that move rows, the screen shows what a full repaint shows."""

from __future__ import annotations

import random

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication, QImage, QRegion
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.api.models import Server
from tests.ui.cluster.support import FakeClock, server, snapshot
from ui.cluster.cluster_table_view import ClusterTableView
from ui.cluster.columns import Column
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel


class PaintedRegion(QObject):
    """The region of every paint of a widget since the last ``clear``."""

    def __init__(self, widget: QObject) -> None:
        super().__init__(widget)
        self.region = QRegion()
        widget.installEventFilter(self)

    def clear(self) -> None:
        self.region = QRegion()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.region += event.region()  # type: ignore[attr-defined]
        return False


class SortedTable:
    """80 servers in a shown view, sorted by Clients (descending) as the window is."""

    def __init__(self, qtbot: QtBot, seed: int) -> None:
        self.rng = random.Random(seed)
        self.model = ServerTableModel(clock=FakeClock())
        self.proxy = ServerFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.view = ClusterTableView()
        self.view.setModel(self.proxy)
        self.view.apply_default_widths()
        self.view.resize(900, 300)
        qtbot.addWidget(self.view)
        self.items: list[Server] = [server(n, clients=self.rng.randrange(50)) for n in range(1, 81)]
        self.model.apply_snapshot(snapshot(self.items))
        self.view.sortByColumn(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
        self.view.show()
        qtbot.waitExposed(self.view)
        # A selection's colour follows whether the window is active: wait for activation,
        # or a late one repaints the selection between two comparisons.
        self.view.activateWindow()
        qtbot.waitActive(self.view)
        self.settle()
        self.painted = PaintedRegion(self.view.viewport())

    def poll(self, changes: int = 6) -> None:
        """A poll in which ``changes`` servers' Clients move (by a little or a lot)."""
        for index in self.rng.sample(range(len(self.items)), changes):
            item = self.items[index]
            step = self.rng.choice((-3, -1, 1, 3, 25, -25))
            self.items[index] = item.model_copy(update={"clients": max(0, item.clients + step)})
        self.model.apply_snapshot(snapshot(self.items))
        self.settle()

    def settle(self) -> None:
        for _ in range(3):
            QApplication.processEvents()

    def on_screen(self) -> QImage:
        """What the window system was given: the backing store's pixels."""
        screen = QGuiApplication.primaryScreen()
        return screen.grabWindow(self.view.winId()).toImage()

    def fresh(self) -> QImage:
        """Every pixel painted afresh."""
        return self.view.grab().toImage()

    def assert_screen_is_fresh(self) -> None:
        shown, fresh = self.on_screen(), self.fresh()
        assert shown.size() == fresh.size()
        assert shown.convertToFormat(fresh.format()) == fresh


def test_rows_moved_by_polls_are_repainted_where_they_left_and_arrived(qtbot: QtBot) -> None:
    table = SortedTable(qtbot, seed=3)
    table.assert_screen_is_fresh()
    fast_before = table.view._sort_repaint.fast_layouts
    for _poll in range(25):
        table.poll()
        table.assert_screen_is_fresh()
        clients = [table.proxy.server(row).clients for row in range(table.proxy.rowCount())]
        assert clients == sorted(clients, reverse=True)
    # The polls moved rows and took the short way (not the whole viewport each time).
    assert table.view._sort_repaint.fast_layouts > fast_before


def test_a_selected_row_that_moves_is_repainted_with_its_selection(qtbot: QtBot) -> None:
    table = SortedTable(qtbot, seed=5)
    top = table.proxy.index(2, 0)
    table.view.selectRow(top.row())
    chosen = table.proxy.server(2).id
    table.settle()
    for _poll in range(15):
        table.poll(changes=10)
        table.assert_screen_is_fresh()
    assert [s.id for s in table.view.selected_servers()] == [chosen]


def test_a_move_off_screen_repaints_nothing_on_screen(qtbot: QtBot) -> None:
    table = SortedTable(qtbot, seed=7)
    last_on_screen = table.view.visible_rows()[-1]
    # Two servers well below the rows on screen swap places.
    low_a = table.proxy.server(last_on_screen + 20)
    low_b = table.proxy.server(last_on_screen + 21)
    assert low_a.clients > 0
    index = next(i for i, item in enumerate(table.items) if item.id == low_b.id)
    table.items[index] = low_b.model_copy(update={"clients": low_a.clients + 1})
    fast_before = table.view._sort_repaint.fast_layouts
    table.painted.clear()
    table.model.apply_snapshot(snapshot(table.items))
    table.settle()
    assert table.view._sort_repaint.fast_layouts == fast_before + 1
    viewport = table.view.viewport().rect()
    assert not table.painted.region.intersects(viewport)  # Qt's way: all of it
    table.assert_screen_is_fresh()


def test_a_sort_leaves_the_scroll_bars_and_the_frame_unpainted(qtbot: QtBot) -> None:
    table = SortedTable(qtbot, seed=13)
    table.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    table.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
    table.settle()
    bars = [
        PaintedRegion(table.view.verticalScrollBar()),
        PaintedRegion(table.view.horizontalScrollBar()),
    ]
    frame = PaintedRegion(table.view)
    fast_before = table.view._sort_repaint.fast_layouts
    viewport = table.view.viewport().geometry()
    for _poll in range(10):
        table.settle()  # what the last grab() left pending
        for painted in (*bars, frame):
            painted.clear()
        table.poll(changes=10)
        assert all(bar.region.isEmpty() for bar in bars)
        # The frame's own paints only under what the viewport repainted (the cells).
        assert frame.region.isEmpty() or viewport.contains(frame.region.boundingRect())
        table.assert_screen_is_fresh()  # (grab() paints everything: cleared above)
    assert table.view._sort_repaint.fast_layouts > fast_before  # rows did move
    # A poll that adds a server still lays out (the scroll range grows).
    maximum = table.view.verticalScrollBar().maximum()
    table.items.append(server(81, clients=1))
    table.model.apply_snapshot(snapshot(table.items))
    table.settle()
    assert table.view.verticalScrollBar().maximum() > maximum
    table.assert_screen_is_fresh()


def test_a_server_leaving_takes_the_full_layout(qtbot: QtBot) -> None:
    table = SortedTable(qtbot, seed=9)
    table.poll()
    fast_before = table.view._sort_repaint.fast_layouts
    top = table.proxy.server(0).id
    table.items = [item for item in table.items if item.id != top]
    for index in range(3):  # and some rows move in the same poll
        item = table.items[index]
        table.items[index] = item.model_copy(update={"clients": item.clients + 40})
    table.model.apply_snapshot(snapshot(table.items))
    table.settle()
    assert table.view._sort_repaint.fast_layouts == fast_before
    table.assert_screen_is_fresh()
    assert table.proxy.rowCount() == 79
