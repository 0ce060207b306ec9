"""The Trend column: the sparkline role, its refresh on the pane's tick, and its painting."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from tests.ui.cluster.support import FakeClock, ModelSignals, server, servers, snapshot
from ui.cluster.cluster_pane import ClusterPane, sparkline_refresh_ticks
from ui.cluster.columns import TREND_POINTS, TREND_SECONDS, Column, ServerRole
from ui.cluster.server_table_model import ServerTableModel
from ui.cluster.sparkline_delegate import (
    MIN_SPAN,
    SparklineDelegate,
    sparkline_points,
    sparkline_scale,
)

ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole


class Source:
    """A sparkline source with settable values that records which servers it was asked for."""

    def __init__(self) -> None:
        self.values: dict[str, np.ndarray] = {}
        self.asked: list[str] = []

    def __call__(self, server_id: str) -> np.ndarray:
        self.asked.append(server_id)
        return self.values.get(server_id, np.empty(0))


@pytest.fixture
def model() -> ServerTableModel:
    return ServerTableModel(clock=FakeClock())


def cell(model: ServerTableModel, server_id: str, role: int) -> object:
    row = model.row_of(server_id)
    assert row is not None
    return model.index(row, Column.TREND).data(role)


def test_model_contract_holds_with_the_trend_column(
    model: ServerTableModel, qtmodeltester: ModelTester
) -> None:
    source = Source()
    source.values["as-01"] = np.array([1.0, 4.0, 2.0])
    model.set_sparkline_source(source)
    model.apply_snapshot(snapshot(servers(3)))
    qtmodeltester.check(model)
    model.refresh_sparklines(range(3))
    model.apply_snapshot(snapshot(servers(2)))
    qtmodeltester.check(model)
    assert model.headerData(Column.TREND, Qt.Orientation.Horizontal) == "Trend"


def test_role_gives_the_source_values_and_text_describes_them(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(2)))
    assert cell(model, "as-01", ServerRole.SPARKLINE) is None  # no history attached
    source = Source()
    source.values["as-01"] = np.array([12.0, 30.0, 28.0])
    model.set_sparkline_source(source)
    values = cell(model, "as-01", ServerRole.SPARKLINE)
    assert isinstance(values, np.ndarray)
    assert values.tolist() == [12.0, 30.0, 28.0]
    assert cell(model, "as-01", ACCESSIBLE) == ("Clients over the last 5 minutes: 12 to 30, now 28")
    assert cell(model, "as-02", ACCESSIBLE) == "No load history for the last 5 minutes yet"
    assert cell(model, "as-01", Qt.ItemDataRole.DisplayRole) == ""


def test_trend_sorts_by_clients(model: ServerTableModel) -> None:
    items = servers(2)
    items[0] = items[0].model_copy(update={"clients": 40})
    model.apply_snapshot(snapshot(items))
    assert cell(model, "as-01", ServerRole.SORT) == 40
    assert cell(model, "as-02", ServerRole.SORT) == 10


def test_refresh_signals_only_rows_whose_values_changed(model: ServerTableModel) -> None:
    source = Source()
    source.values = {"as-01": np.array([1.0, 2.0]), "as-02": np.array([5.0])}
    model.set_sparkline_source(source)
    model.apply_snapshot(snapshot(servers(3)))
    model.refresh_sparklines(range(3))
    signals = ModelSignals(model)
    source.values["as-02"] = np.array([5.0, 6.0])
    model.refresh_sparklines(range(3))
    assert [(first, last, column) for first, last, column, _, _ in signals.changed] == [
        (1, 1, Column.TREND)
    ]
    assert ServerRole.SPARKLINE in signals.changed[0][4]
    assert signals.resets == 0
    assert cell(model, "as-02", ServerRole.SPARKLINE).tolist() == [5.0, 6.0]


def test_refresh_reads_the_rows_at_once_when_the_source_can(model: ServerTableModel) -> None:
    source = Source()
    source.values = {"as-01": np.array([1.0, 2.0]), "as-03": np.array([7.0])}
    batches: list[list[str]] = []

    def many(server_ids: list[str]) -> list[np.ndarray]:
        batches.append(list(server_ids))
        return [source.values.get(server_id, np.empty(0)) for server_id in server_ids]

    model.set_sparkline_source(source, many)
    model.apply_snapshot(snapshot(servers(4)))
    signals = ModelSignals(model)
    model.refresh_sparklines([2, 0])
    assert batches == [["as-01", "as-03"]]  # one read, in row order
    assert source.asked == []  # not one at a time
    assert [(first, last) for first, last, *_ in signals.changed] == [(0, 0), (2, 2)]
    assert cell(model, "as-03", ServerRole.SPARKLINE).tolist() == [7.0]
    source.values["as-03"] = np.array([7.0, 8.0])
    signals.changed.clear()
    model.refresh_sparklines([0, 2])
    assert [(first, last) for first, last, *_ in signals.changed] == [(2, 2)]  # as-01 same
    assert cell(model, "as-03", ServerRole.SPARKLINE).tolist() == [7.0, 8.0]
    model.refresh_sparklines([])
    assert len(batches) == 2  # nothing due: nothing read
    # A row painted after its Clients changed is still fetched on its own.
    model.set_sparkline_source(None, many)
    model.set_sparkline_source(source, many)
    assert cell(model, "as-02", ServerRole.SPARKLINE).tolist() == []
    assert source.asked == ["as-02"]


def test_refresh_asks_only_for_the_given_rows_and_drops_the_others(
    model: ServerTableModel,
) -> None:
    source = Source()
    model.set_sparkline_source(source)
    model.apply_snapshot(snapshot(servers(5)))
    for row in range(5):
        model.index(row, Column.TREND).data(ServerRole.SPARKLINE)
    source.asked.clear()
    model.refresh_sparklines([1, 2])
    assert sorted(source.asked) == ["as-02", "as-03"]
    source.asked.clear()
    model.index(0, Column.TREND).data(ServerRole.SPARKLINE)  # dropped: fetched afresh
    model.index(1, Column.TREND).data(ServerRole.SPARKLINE)  # kept
    assert source.asked == ["as-01"]


def test_pane_tick_refreshes_only_the_rows_on_screen(qtbot: QtBot) -> None:
    pane = ClusterPane(clock=FakeClock())
    qtbot.addWidget(pane)
    pane.resize(900, 300)
    pane.show()
    pane.set_snapshot(snapshot(servers(60)))
    source = Source()
    pane.set_sparkline_source(source)
    visible = pane.table.visible_rows()
    assert 0 < len(visible) < 60
    expected = {pane.proxy.server(row).id for row in visible}
    ticker = pane.findChild(QTimer, "relativeTimeTicker")
    assert ticker is not None
    every = sparkline_refresh_ticks(pane.table.columnWidth(Column.TREND))
    assert every > 1  # a pixel of the cell stands for more than a second
    asked: list[str] = []
    for _tick in range(every):
        source.asked.clear()
        ticker.timeout.emit()
        assert set(source.asked) <= expected  # a share of the rows on screen per tick
        assert len(source.asked) <= len(expected) // every + 1
        asked += source.asked
    # Taking turns, every row on screen was fetched once in ``every`` ticks.
    assert sorted(asked) == sorted(expected)


def test_sparkline_refresh_follows_its_stretches_or_a_wider_pixel() -> None:
    # 300 s drawn from 30 stretches of 10 s: drawn again every 10 s whatever the width
    # of a cell whose pixel stands for less (3 s at 100 pixels, 0.5 s at 600).
    assert TREND_SECONDS / (TREND_POINTS // 2) == 10.0
    assert sparkline_refresh_ticks(100) == 10
    assert sparkline_refresh_ticks(600) == 10
    # A cell narrower than the stretches: every pixel's worth (300 s in 20 px: 15 s).
    assert sparkline_refresh_ticks(20) == 15
    assert sparkline_refresh_ticks(0) >= 1


def test_a_server_whose_clients_change_gets_its_newest_values_at_once() -> None:
    model = ServerTableModel(clock=FakeClock())
    model.apply_snapshot(snapshot(servers(2)))
    values = {"as-01": np.array([10.0, 10.0]), "as-02": np.array([10.0, 10.0])}
    model.set_sparkline_source(lambda server_id: values[server_id])
    assert list(cell(model, "as-01", ServerRole.SPARKLINE)) == [10.0, 10.0]  # type: ignore[call-overload]
    assert list(cell(model, "as-02", ServerRole.SPARKLINE)) == [10.0, 10.0]  # type: ignore[call-overload]
    values["as-01"] = np.array([10.0, 10.0, 12.0])
    values["as-02"] = np.array([10.0, 10.0, 10.0])
    model.apply_snapshot(snapshot([server(1, clients=12), server(2)]))
    # as-01's Clients changed: fetched afresh (the newest value with the new count);
    # as-02's kept values stay until the pane refreshes them.
    assert list(cell(model, "as-01", ServerRole.SPARKLINE)) == [10.0, 10.0, 12.0]  # type: ignore[call-overload]
    assert list(cell(model, "as-02", ServerRole.SPARKLINE)) == [10.0, 10.0]  # type: ignore[call-overload]


def render(values: np.ndarray | None) -> tuple[QImage, QRect]:
    """Paint one Trend cell into an image; returns it and the cell's rectangle."""
    view = QTableView()
    model = ServerTableModel(clock=FakeClock())
    model.apply_snapshot(snapshot(servers(1)))
    if values is not None:
        model.set_sparkline_source(lambda _server_id: values)
    view.setModel(model)
    delegate = SparklineDelegate(view)
    image = QImage(160, 40, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.rect = QRect(0, 0, 160, 40)
    option.widget = view
    palette = QPalette(option.palette)
    palette.setColor(QPalette.ColorRole.Base, QColor("white"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#0000ff"))
    option.palette = palette
    option.state &= ~QStyle.StateFlag.State_Selected
    painter = QPainter(image)
    delegate.paint(painter, option, model.index(0, Column.TREND))
    painter.end()
    return image, QRect(0, 0, 160, 40)


def is_line(image: QImage, x: int, y: int) -> bool:
    colour = image.pixelColor(x, y)
    return colour.blue() > 150 and colour.red() < 120


def line_pixels(image: QImage, area: QRect) -> int:
    return sum(
        is_line(image, x, y)
        for x in range(area.left(), area.right() + 1)
        for y in range(area.top(), area.bottom() + 1)
    )


def test_delegate_draws_a_rising_line_from_bottom_left_to_top_right() -> None:
    image, cell_rect = render(np.array([0.0, 10.0, 20.0, 30.0]))
    third = cell_rect.width() // 3
    half = cell_rect.height() // 2
    left_bottom = QRect(0, half, third, half)
    left_top = QRect(0, 0, third, half - 2)
    right_top = QRect(2 * third, 0, third, half)
    right_bottom = QRect(2 * third, half + 2, third, half - 2)
    assert line_pixels(image, left_bottom) > 0
    assert line_pixels(image, right_top) > 0
    assert line_pixels(image, left_top) == 0
    assert line_pixels(image, right_bottom) == 0


def test_delegate_draws_nothing_without_values() -> None:
    for values in (None, np.empty(0)):
        image, cell_rect = render(values)
        assert line_pixels(image, cell_rect) == 0


def test_points_span_the_area_from_zero_to_the_highest_value() -> None:
    area = QRect(10, 20, 101, 41)
    rising = sparkline_points(np.array([0.0, 5.0, 10.0]), area)
    assert (rising.first().x(), rising.first().y()) == (10.0, 60.0)
    assert (rising.last().x(), rising.last().y()) == (110.0, 20.0)
    flat = sparkline_points(np.array([20.0, 20.0]), area)
    assert {point.y() for point in (flat.first(), flat.last())} == {20.0}  # at the top
    single = sparkline_points(np.array([3.0]), area)
    assert single.last().x() == 110.0  # a lone value sits at "now"


def test_small_changes_look_small() -> None:
    area = QRect(0, 0, 101, 41)  # 40 pixels high
    dip = sparkline_points(np.array([48.0, 48.0, 47.0]), area)
    assert dip.last().y() - dip.first().y() <= 1.0  # 2 % of the load, not a collapse
    assert sparkline_scale(np.array([48.0, 47.0])) == (0.0, 48.0)
    one = sparkline_points(np.array([0.0, 1.0]), area)
    assert one.first().y() - one.last().y() <= 40 / MIN_SPAN  # 0 -> 1 Client: no surge
    assert sparkline_scale(np.array([0.0, 1.0])) == (0.0, MIN_SPAN)
    surge = sparkline_points(np.array([0.0, 100.0]), area)
    assert surge.first().y() - surge.last().y() == 40.0  # a real surge still spans it all


def test_delegate_size_hint_follows_the_font() -> None:
    view = QTableView()
    option = QStyleOptionViewItem()
    option.initFrom(view)
    hint = SparklineDelegate(view).sizeHint(option, QModelIndex())
    assert hint.width() >= view.fontMetrics().averageCharWidth() * 12


def test_many_values_are_drawn_with_two_points_per_pixel_column() -> None:
    area = QRect(0, 0, 81, 41)
    values = np.array([10.0] * 150 + [60.0] + [10.0] * 148 + [30.0])
    points = sparkline_points(values, area)
    assert points.size() <= 2 * 80
    ys = [points.at(i).y() for i in range(points.size())]
    assert min(ys) == pytest.approx(0.0)  # the one spike at 60 (the top) is kept
    assert (points.last().x(), points.last().y()) == (80.0, pytest.approx(20.0))  # newest: 30
