"""ClusterTableView: updates keep the user's place; keyboard menu; activation; header state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QByteArray, QModelIndex, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QContextMenuEvent, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.api.models import Server
from tests.ui.cluster.support import FakeClock, replace, server, servers, snapshot
from ui.cluster.cluster_table_view import ClusterTableView
from ui.cluster.columns import DEFAULT_ORDER, Column
from ui.cluster.delegates import LoadShareDelegate
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel


class Table:
    """A shown view over a proxy over a model."""

    def __init__(self, qtbot: QtBot) -> None:
        self.model = ServerTableModel(clock=FakeClock())
        self.proxy = ServerFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.view = ClusterTableView()
        self.view.setModel(self.proxy)
        self.view.apply_default_widths()
        self.view.resize(900, 300)
        qtbot.addWidget(self.view)
        self.view.show()
        qtbot.waitExposed(self.view)

    def shown_ids(self) -> list[str]:
        return [self.proxy.server(row).id for row in range(self.proxy.rowCount())]

    def select(self, server_id: str) -> QModelIndex:
        row = self.model.row_of(server_id)
        assert row is not None
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.setCurrentIndex(index)
        return index


@pytest.fixture
def table(qtbot: QtBot) -> Table:
    return Table(qtbot)


def test_identity(table: Table) -> None:
    assert table.view.objectName() == "clusterTable"
    assert table.view.accessibleName() == "Application Servers"
    assert table.view.isSortingEnabled()


def test_selection_sort_and_current_row_survive_an_update_that_moves_rows(
    table: Table,
) -> None:
    before = [server(n, clients=n * 10) for n in range(1, 21)]
    table.model.apply_snapshot(snapshot(before))
    table.view.sortByColumn(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    assert table.shown_ids()[0] == "as-20"
    table.select("as-05")
    assert [s.id for s in table.view.selected_servers()] == ["as-05"]

    table.model.apply_snapshot(snapshot(replace(before, 4, clients=1000)))

    assert table.shown_ids()[0] == "as-05"  # re-sorted by the new Client count
    clients = [table.proxy.server(row).clients for row in range(table.proxy.rowCount())]
    assert clients == sorted(clients, reverse=True)
    assert [s.id for s in table.view.selected_servers()] == ["as-05"]
    assert table.view.selected_servers()[0].clients == 1000
    assert table.proxy.server(table.view.currentIndex().row()).id == "as-05"
    header = table.view.horizontalHeader()
    assert header.sortIndicatorSection() == Column.CLIENTS
    assert header.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder


def test_scroll_position_survives_updates(table: Table, qtbot: QtBot) -> None:
    before = servers(200)
    table.model.apply_snapshot(snapshot(before))
    table.view.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
    bar = table.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 100)  # the view lays out on the next events
    bar.setValue(100)
    top = table.view.indexAt(QPoint(1, 1)).row()
    after = replace(replace(before, 120, clients=3), 150, clients=17)
    table.model.apply_snapshot(snapshot([*after[:-1], server(201)]))
    QApplication.processEvents()
    assert bar.value() == 100
    assert table.view.indexAt(QPoint(1, 1)).row() == top


def test_selected_servers_are_listed_top_to_bottom(table: Table) -> None:
    table.model.apply_snapshot(snapshot(servers(5)))
    table.view.sortByColumn(Column.NAME, Qt.SortOrder.DescendingOrder)
    table.view.selectRow(3)
    table.view.selectionModel().select(
        table.proxy.index(1, 0),
        table.view.selectionModel().SelectionFlag.Select
        | table.view.selectionModel().SelectionFlag.Rows,
    )
    assert [s.id for s in table.view.selected_servers()] == ["as-04", "as-02"]


@pytest.mark.parametrize(
    ("key", "modifier"),
    [
        (Qt.Key.Key_Menu, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier),
    ],
)
def test_keyboard_opens_the_context_menu_at_the_current_row(
    table: Table, qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier
) -> None:
    table.model.apply_snapshot(snapshot(servers(8)))
    current = table.select("as-04")
    positions: list[QPoint] = []
    table.view.context_menu_requested.connect(positions.append)
    qtbot.keyClick(table.view, key, modifier)
    assert len(positions) == 1
    local = table.view.viewport().mapFromGlobal(positions[0])
    row_rect = table.view.visualRect(current)
    assert row_rect.top() <= local.y() <= row_rect.bottom()


def test_plain_f10_does_not_open_the_context_menu(table: Table, qtbot: QtBot) -> None:
    table.model.apply_snapshot(snapshot(servers(2)))
    positions: list[QPoint] = []
    table.view.context_menu_requested.connect(positions.append)
    qtbot.keyClick(table.view, Qt.Key.Key_F10)
    assert positions == []


def test_right_click_reports_the_mouse_position(table: Table) -> None:
    table.model.apply_snapshot(snapshot(servers(3)))
    positions: list[QPoint] = []
    table.view.context_menu_requested.connect(positions.append)
    viewport = table.view.viewport()
    local = QPoint(20, 10)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, local, viewport.mapToGlobal(local))
    QApplication.sendEvent(viewport, event)
    assert positions == [viewport.mapToGlobal(local)]


def test_enter_and_double_click_activate_a_server(table: Table, qtbot: QtBot) -> None:
    table.model.apply_snapshot(snapshot(servers(3)))
    activated: list[Server] = []
    table.view.server_activated.connect(activated.append)
    table.select("as-02")
    qtbot.keyClick(table.view, Qt.Key.Key_Return)
    index = table.select("as-03")
    rect = table.view.visualRect(index)
    # A double-click is a press and release followed by a double-click event.
    qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [s.id for s in activated] == ["as-02", "as-03"]


def test_header_state_round_trip(table: Table, qtbot: QtBot) -> None:
    view = table.view
    header = view.horizontalHeader()
    view.setColumnHidden(Column.ADDRESS, True)
    header.moveSection(header.visualIndex(Column.VERSION), 0)
    view.setColumnWidth(Column.NAME, 321)
    view.sortByColumn(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    state = view.save_state()

    other = Table(qtbot)
    other.model.apply_snapshot(snapshot([server(1, clients=1), server(2, clients=2)]))
    assert other.view.restore_state(state)
    restored = other.view.horizontalHeader()
    assert other.view.isColumnHidden(Column.ADDRESS)
    assert restored.logicalIndex(0) == Column.VERSION
    assert other.view.columnWidth(Column.NAME) == 321
    assert restored.sortIndicatorSection() == Column.CLIENTS
    assert restored.sortIndicatorOrder() is Qt.SortOrder.DescendingOrder
    assert other.shown_ids() == ["as-02", "as-01"]  # the sort is applied, not only shown


@pytest.mark.parametrize(
    "state", [b"", b"garbage", b"\x45\x43\x54\x56\x00\x00\x00\x01\x00\x00\x00\x03xx"]
)
def test_restore_state_rejects_what_does_not_fit(table: Table, state: bytes) -> None:
    before = table.view.horizontalHeader().saveState()
    assert not table.view.restore_state(QByteArray(state))
    assert table.view.horizontalHeader().saveState() == before


def test_columns_menu_hides_columns_but_never_the_last_one(table: Table) -> None:
    header = table.view.column_header
    menu = header.columns_menu()
    actions = menu.actions()
    assert [a.text() for a in actions] == [c.header for c in DEFAULT_ORDER]  # visual order
    actions[DEFAULT_ORDER.index(Column.HEALTH)].setChecked(False)
    assert table.view.isColumnHidden(Column.HEALTH)
    for column in Column:
        if column is not Column.NAME:
            table.view.setColumnHidden(column, True)
    last = header.columns_menu().actions()[DEFAULT_ORDER.index(Column.NAME)]
    assert last.isChecked()
    assert not last.isEnabled()
    assert "must stay visible" in last.toolTip()


def _bar_pixels(share: float) -> int:
    """Pixels in the bar colour after painting a Load share cell showing ``share``."""
    model = ServerTableModel(clock=FakeClock())
    total = 1000
    mine = round(share * total)
    model.apply_snapshot(snapshot([server(1, clients=mine), server(2, clients=total - mine)]))
    image = QImage(200, 24, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 200, 24)
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#0000ff"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#000000"))
    option.palette = palette
    painter = QPainter(image)
    LoadShareDelegate().paint(painter, option, model.index(0, Column.LOAD_SHARE))
    painter.end()
    return sum(
        1
        for x in range(image.width())
        for y in range(image.height())
        if (c := image.pixelColor(x, y)).blue() > 200 and c.red() < 180
    )


def test_load_share_bar_grows_with_the_share(qtbot: QtBot) -> None:
    outline = _bar_pixels(0.0)  # the track's outline is in the bar's colour too
    quarter, most = _bar_pixels(0.25) - outline, _bar_pixels(0.75) - outline
    assert quarter > 0
    assert most > 2 * quarter
