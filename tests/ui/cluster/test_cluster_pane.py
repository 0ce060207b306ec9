"""ClusterPane: empty state, filter box, selection notifications and the clock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.api.errors import UnreachableError, UnreachableReason
from app.api.models import Server
from app.monitor import ConnectionState, MonitorStatus
from tests.ui.cluster.support import NOW, FakeClock, replace, server, servers, snapshot
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.columns import Column


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pane(qtbot: QtBot, clock: FakeClock) -> ClusterPane:
    pane = ClusterPane(clock=clock)
    pane.resize(900, 400)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def ids(items: list[Server]) -> list[str]:
    return [s.id for s in items]


def test_parts_have_stable_names(pane: ClusterPane) -> None:
    assert pane.filter_edit.objectName() == "clusterFilter"
    assert pane.filter_edit.placeholderText() == "Filter servers (Ctrl+F)"
    assert pane.filter_edit.isClearButtonEnabled()
    assert pane.table.objectName() == "clusterTable"
    assert pane.banner.objectName() == "staleBanner"
    assert pane.table.model() is pane.proxy
    assert pane.proxy.sourceModel() is pane.model


def test_empty_state_follows_the_connection(pane: ClusterPane) -> None:
    assert pane.empty_text == "Select a connection on the left"
    pane.set_status(MonitorStatus(ConnectionState.CONNECTING, "https://a/EkranSystem"))
    assert pane.empty_text == "Connecting…"
    error = UnreachableError("Unreachable.", reason=UnreachableReason.REFUSED)
    pane.set_status(
        MonitorStatus(ConnectionState.UNREACHABLE, "https://a/EkranSystem", error=error)
    )
    assert pane.empty_text == "No cluster data yet"
    assert pane.banner.isVisible()
    pane.set_snapshot(snapshot(servers(2)))
    assert pane.empty_text is None
    assert pane.table.isVisible()
    pane.clear()
    assert pane.empty_text == "Select a connection on the left"
    assert pane.model.rowCount() == 0
    assert not pane.banner.isVisible()


def test_filter_box_filters_the_table(pane: ClusterPane, qtbot: QtBot) -> None:
    pane.set_snapshot(snapshot(servers(12)))
    qtbot.keyClicks(pane.filter_edit, "as-1")
    assert sorted(pane.proxy.server(r).id for r in range(pane.proxy.rowCount())) == [
        "as-10",
        "as-11",
        "as-12",
    ]


def test_ctrl_f_focuses_the_filter_and_escape_clears_it(pane: ClusterPane, qtbot: QtBot) -> None:
    pane.set_snapshot(snapshot(servers(3)))
    pane.activateWindow()
    qtbot.waitActive(pane)
    pane.table.setFocus()
    qtbot.waitUntil(pane.table.hasFocus)
    qtbot.keyClick(pane.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.filter_edit.hasFocus()
    qtbot.keyClicks(pane.filter_edit, "zzz")
    assert pane.proxy.rowCount() == 0
    qtbot.keyClick(pane.filter_edit, Qt.Key.Key_Escape)
    assert pane.filter_edit.text() == ""
    assert pane.proxy.rowCount() == 3


def test_selection_changed_on_select_and_when_selected_data_changes(pane: ClusterPane) -> None:
    before = servers(4)
    pane.set_snapshot(snapshot(before))
    emitted: list[list[Server]] = []
    pane.selection_changed.connect(emitted.append)

    assert pane.select_server("as-03")
    assert [ids(e) for e in emitted] == [["as-03"]]
    assert ids(pane.selected_servers()) == ["as-03"]

    pane.set_snapshot(snapshot(replace(before, 0, name="other")))  # not the selected one
    assert len(emitted) == 1

    pane.set_snapshot(snapshot(replace(before, 2, clients=99)))
    assert len(emitted) == 2
    assert emitted[-1][0].clients == 99

    pane.set_snapshot(snapshot([s for s in before if s.id != "as-03"]))  # removed
    assert emitted[-1] == []


def test_select_server_fails_for_unknown_or_filtered_out_servers(pane: ClusterPane) -> None:
    pane.set_snapshot(snapshot(servers(3)))
    assert not pane.select_server("as-99")
    pane.filter_edit.setText("as-01")
    assert not pane.select_server("as-02")
    assert pane.select_server("as-01")


def test_pending_overlay_reaches_the_status_cell(pane: ClusterPane) -> None:
    pane.set_snapshot(snapshot(servers(2)))
    pane.set_pending("as-02", "Returning to service…")
    row = pane.model.row_of("as-02")
    assert row is not None
    assert pane.model.index(row, Column.STATUS).data() == "Returning to service…"
    pane.set_pending("as-02", None)
    assert pane.model.index(row, Column.STATUS).data() == "Online"


def test_banner_retry_and_table_signals_are_forwarded(pane: ClusterPane, qtbot: QtBot) -> None:
    error = UnreachableError("Unreachable.", reason=UnreachableReason.REFUSED)
    pane.set_status(
        MonitorStatus(ConnectionState.UNREACHABLE, "https://a/EkranSystem", error=error)
    )
    retry = pane.banner.findChild(QPushButton, "staleBannerRetryButton")
    assert retry is not None
    with qtbot.waitSignal(pane.retry_requested, timeout=1000):
        qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)
    pane.set_snapshot(snapshot(servers(2)))
    pane.select_server("as-02")
    positions: list[QPoint] = []
    activated: list[Server] = []
    pane.context_menu_requested.connect(positions.append)
    pane.server_activated.connect(activated.append)
    qtbot.keyClick(pane.table, Qt.Key.Key_Menu)
    qtbot.keyClick(pane.table, Qt.Key.Key_Return)
    assert len(positions) == 1
    assert ids(activated) == ["as-02"]


def test_relative_times_tick_while_shown(pane: ClusterPane, clock: FakeClock, qtbot: QtBot) -> None:
    pane.set_snapshot(snapshot([server(1, last_seen=NOW)]))
    ticker = pane.findChild(QTimer, "relativeTimeTicker")
    assert ticker is not None
    assert ticker.isActive()
    ticked: list[int] = []

    def on_changed(top_left: QModelIndex, bottom_right: QModelIndex, roles: list[int]) -> None:
        if top_left.column() <= Column.LAST_SEEN <= bottom_right.column():
            ticked.append(bottom_right.row())

    pane.model.dataChanged.connect(on_changed)
    clock.advance(30)
    qtbot.waitUntil(lambda: bool(ticked), timeout=5000)
    assert pane.model.index(0, Column.LAST_SEEN).data() == "30 s ago"
    pane.hide()
    assert not ticker.isActive()


def test_header_state_passes_through(pane: ClusterPane, qtbot: QtBot) -> None:
    pane.table.setColumnHidden(Column.HEALTH, True)
    state = pane.save_state()
    other = ClusterPane()
    qtbot.addWidget(other)
    assert other.restore_state(state)
    assert other.table.isColumnHidden(Column.HEALTH)


def test_each_snapshot_shown_is_announced(pane: ClusterPane) -> None:
    shown: list[object] = []
    pane.snapshot_shown.connect(shown.append)
    first = snapshot(servers(2))
    pane.set_snapshot(first)
    assert shown == [first]
    assert pane.model.rowCount() == 2  # announced once the table has it
