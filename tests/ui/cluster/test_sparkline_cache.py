"""SparklineDelegate keeps each server's rendered line: drawn again only when its
values, the cell's size, the palette's colour or the device pixel ratio change."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRect
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from tests.ui.cluster.support import FakeClock, servers, snapshot
from ui.cluster.columns import Column
from ui.cluster.server_table_model import ServerTableModel
from ui.cluster.sparkline_delegate import SparklineDelegate, polygon, sparkline_points

pytestmark = pytest.mark.usefixtures("qapp")


class Cells:
    """A one-server Trend cell painted by one delegate into images."""

    def __init__(self) -> None:
        self.values: dict[str, np.ndarray] = {"as-01": np.array([5.0, 20.0, 12.0, 30.0])}
        self.view = QTableView()
        self.model = ServerTableModel(clock=FakeClock())
        self.model.apply_snapshot(snapshot(servers(2)))
        self.model.set_sparkline_source(lambda server_id: self.values.get(server_id, np.empty(0)))
        self.view.setModel(self.model)
        self.delegate = SparklineDelegate(self.view)
        self.highlight = QColor("#0000ff")

    def paint(self, width: int = 160, ratio: float = 1.0, row: int = 0) -> QImage:
        image = QImage(int(160 * ratio), int(40 * ratio), QImage.Format.Format_ARGB32)
        image.setDevicePixelRatio(ratio)
        image.fill(QColor("white"))
        option = QStyleOptionViewItem()
        option.initFrom(self.view)
        option.rect = QRect(0, 0, width, 40)
        option.widget = self.view
        palette = QPalette(option.palette)
        palette.setColor(QPalette.ColorRole.Base, QColor("white"))
        palette.setColor(QPalette.ColorRole.Highlight, self.highlight)
        option.palette = palette
        option.state &= ~QStyle.StateFlag.State_Selected
        painter = QPainter(image)
        self.delegate.paint(painter, option, self.model.index(row, Column.TREND))
        painter.end()
        return image

    def refresh(self) -> None:
        self.model.refresh_sparklines([0, 1])


def test_a_repaint_without_changes_draws_the_kept_line() -> None:
    cells = Cells()
    first = cells.paint()
    assert cells.delegate.renders == 1
    again = cells.paint()
    assert cells.delegate.renders == 1
    assert again == first


def test_new_values_draw_the_line_again_equal_ones_do_not() -> None:
    cells = Cells()
    before = cells.paint()
    cells.values["as-01"] = np.array([5.0, 20.0, 12.0, 30.0])  # a new array, same values
    cells.refresh()
    cells.paint()
    assert cells.delegate.renders == 1
    cells.values["as-01"] = np.array([30.0, 12.0, 20.0, 5.0])
    cells.refresh()
    after = cells.paint()
    assert cells.delegate.renders == 2
    assert after != before


def test_a_palette_change_draws_the_line_again_in_its_colour() -> None:
    cells = Cells()
    cells.paint()
    cells.highlight = QColor("#008000")
    image = cells.paint()
    assert cells.delegate.renders == 2
    colours = {image.pixelColor(x, y).name() for x in range(160) for y in range(40)}
    assert "#008000" in colours
    assert "#0000ff" not in colours


def test_a_resized_cell_or_another_pixel_ratio_draws_the_line_again() -> None:
    cells = Cells()
    cells.paint(width=160)
    cells.paint(width=120)
    assert cells.delegate.renders == 2
    cells.paint(width=120, ratio=2.0)
    assert cells.delegate.renders == 3
    cells.paint(width=120, ratio=2.0)
    assert cells.delegate.renders == 3


def test_each_server_keeps_its_own_line() -> None:
    cells = Cells()
    cells.values["as-02"] = np.array([1.0, 2.0])
    first, second = cells.paint(row=0), cells.paint(row=1)
    assert first != second
    assert cells.paint(row=0) == first
    assert cells.paint(row=1) == second
    assert cells.delegate.renders == 2


def test_the_polygon_holds_the_given_points() -> None:
    xs, ys = np.array([0.5, 1.5, 2.5]), np.array([3.0, -4.25, 1e6])
    points = polygon(xs, ys)
    assert [points.at(i) for i in range(points.size())] == [
        QPointF(0.5, 3.0),
        QPointF(1.5, -4.25),
        QPointF(2.5, 1e6),
    ]
    assert polygon(np.empty(0), np.empty(0)).size() == 0
    line = sparkline_points(np.array([0.0, 10.0]), QRect(0, 0, 11, 11))
    assert [line.at(i) for i in range(line.size())] == [QPointF(0, 10), QPointF(10, 0)]


@pytest.mark.parametrize("width", [160, 50])
def test_a_kept_line_looks_as_a_line_drawn_afresh(width: int) -> None:
    cells = Cells()
    cells.paint(width=width)
    kept = cells.paint(width=width)
    fresh = Cells().paint(width=width)
    assert kept == fresh
