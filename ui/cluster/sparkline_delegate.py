"""SparklineDelegate: a server's recent Clients drawn as a small line in its Trend cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.cluster.columns import ServerRole
from ui.theme import graphic_colour

if TYPE_CHECKING:
    import numpy as np

_WIDTH_CHARS = 12  # the preferred cell width, in average character widths
MIN_SPAN = 10.0
"""The smallest range a sparkline's scale covers, in Clients."""


class SparklineDelegate(QStyledItemDelegate):
    """Paints the cell's ``ServerRole.SPARKLINE`` values as a line; no widget per row.

    The values are spread evenly across the cell (oldest at the left) and drawn on a
    scale from zero to their highest value, at least ``MIN_SPAN`` Clients
    (``sparkline_scale``): a change looks as large as it is against the server's load,
    so 48 -> 47 Clients is a small dip, not a collapse, and 0 -> 1 is no surge. The newest value
    is marked with a dot. The line uses the palette's highlight colour (highlighted text
    on a selected row) kept at 3:1 contrast (``graphic_colour``), so it reads in light,
    dark and high-contrast schemes; its width and the
    margins follow the font. A cell without values shows only its background: the
    cell's tooltip and accessible text say why.
    """

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        values = index.data(ServerRole.SPARKLINE)
        if values is None or not len(values):
            return
        line_height = opt.fontMetrics.height()
        area = _plot_rect(opt.rect, line_height, opt.fontMetrics.averageCharWidth())
        if area.width() < 2 or area.height() < 2:
            return
        import numpy as np  # loaded with the values (the load history): not at start-up

        points = sparkline_points(np.asarray(values, dtype=np.float64), area)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = graphic_colour(opt.palette, selected=selected)
        pen = QPen(colour, max(1.0, line_height / 10))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(pen)
        if points.size() > 1:
            painter.drawPolyline(points)
        painter.setBrush(colour)
        radius = max(1.5, line_height / 8)
        painter.drawEllipse(points.last(), radius, radius)
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        hint = super().sizeHint(option, index)
        width = option.fontMetrics.averageCharWidth() * _WIDTH_CHARS
        return QSize(max(hint.width(), width), hint.height())


def sparkline_points(values: np.ndarray, area: QRect) -> QPolygonF:
    """The polyline of ``values`` (at least one) scaled into ``area``.

    x spreads the values evenly from the left edge to the right one (a single value sits
    at the right, where "now" is); y maps ``sparkline_scale``'s low end to the bottom
    edge and its high end to the top. With more than two values per pixel column, each
    column keeps its lowest and highest value (the shape of 300 values in 80 pixels
    without 300 points to build and draw); the last point is still the newest value.
    """
    import numpy as np  # loaded with the values (the load history): not at start-up

    count = len(values)
    left, top = float(area.left()), float(area.top())
    width, height = float(area.width() - 1), float(area.height() - 1)
    steps = np.arange(count) * (width / (count - 1)) if count > 1 else np.full(1, width)
    xs = left + steps
    low, high = sparkline_scale(values)
    ys = top + height - (values - low) / (high - low) * height
    columns = max(1, int(width))
    if count > 2 * columns:  # more values than pixels: each column's lowest and highest
        starts = np.linspace(0, count, columns, endpoint=False).astype(np.intp)
        tops, bottoms = np.minimum.reduceat(ys, starts), np.maximum.reduceat(ys, starts)
        ys = np.column_stack((bottoms, tops)).ravel()
        xs = np.repeat(xs[starts], 2)
        ys[-1], xs[-1] = top + height - (values[-1] - low) / (high - low) * height, left + width
    return QPolygonF([QPointF(x, y) for x, y in zip(xs.tolist(), ys.tolist(), strict=True)])


def sparkline_scale(values: np.ndarray) -> tuple[float, float]:
    """The (low, high) a sparkline of ``values`` is drawn between: from zero (or the
    lowest value, if negative) to the highest value, spanning at least ``MIN_SPAN``."""
    low = min(0.0, float(values.min()))
    high = max(float(values.max()), low + MIN_SPAN)
    return low, high


def _plot_rect(cell: QRect, line_height: int, char_width: int) -> QRect:
    """The part of a cell the line is drawn in: a quarter line from the top and bottom,
    half a character from the sides."""
    vertical = max(1, line_height // 4)
    horizontal = max(1, char_width // 2)
    return cell.adjusted(horizontal, vertical, -horizontal, -vertical)
