"""SparklineDelegate: a server's recent Clients drawn as a small line in its Trend cell."""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt
import shiboken6
from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.cluster.columns import ServerRole
from ui.cluster.delegates import GraphicColours

_WIDTH_CHARS = 12  # the preferred cell width, in average character widths
MIN_SPAN = 10.0
"""The smallest range a sparkline's scale covers, in Clients."""
CACHED_LINES = 256
"""Rendered sparklines kept (the most recently painted): more than the rows a screen shows."""

FloatArray = npt.NDArray[np.float64]


class _Rendered(NamedTuple):
    """A sparkline drawn into a transparent pixmap the size of its cell, and what it
    was drawn from."""

    values: FloatArray
    look: tuple[object, ...]  # cell size, font sizes, colour, device pixel ratio
    pixmap: QPixmap


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

    Each server's line is drawn once into a pixmap (``ServerRole.SERVER_ID`` names the
    server) and kept, with the values, cell size, font, colour and device pixel ratio
    it was drawn for: a repaint with none of these changed (hover, selection of
    another row, an update of another column, scrolling back) draws the pixmap. The
    ``CACHED_LINES`` most recently painted are kept. ``renders`` counts the lines drawn.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._colours = GraphicColours()
        self._rendered: OrderedDict[str, _Rendered] = OrderedDict()
        self.renders = 0

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
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = self._colours.get(opt.palette, selected=selected)
        metrics = opt.fontMetrics
        ratio = painter.device().devicePixelRatioF()
        cell = opt.rect
        look: tuple[object, ...] = (
            cell.width(),
            cell.height(),
            metrics.height(),
            metrics.averageCharWidth(),
            colour.rgba(),
            ratio,
        )
        server_id = index.data(ServerRole.SERVER_ID)
        kept = self._rendered.get(server_id) if isinstance(server_id, str) else None
        if kept is not None and kept.look == look and _same(kept.values, values):
            self._rendered.move_to_end(server_id)
            painter.drawPixmap(cell.topLeft(), kept.pixmap)
            return
        array = np.asarray(values, dtype=np.float64)
        pixmap = self._render(
            array, cell.size(), metrics.height(), metrics.averageCharWidth(), colour, ratio
        )
        if isinstance(server_id, str):
            self._rendered[server_id] = _Rendered(array, look, pixmap)
            self._rendered.move_to_end(server_id)
            while len(self._rendered) > CACHED_LINES:
                self._rendered.popitem(last=False)
        painter.drawPixmap(cell.topLeft(), pixmap)

    def _render(
        self,
        values: FloatArray,
        size: QSize,
        line_height: int,
        char_width: int,
        colour: QColor,
        ratio: float,
    ) -> QPixmap:
        """The line of ``values`` on a transparent pixmap of a cell's ``size``."""
        self.renders += 1
        pixmap = QPixmap(
            max(1, math.ceil(size.width() * ratio)), max(1, math.ceil(size.height() * ratio))
        )
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        area = _plot_rect(QRect(0, 0, size.width(), size.height()), line_height, char_width)
        if area.width() < 2 or area.height() < 2:
            return pixmap
        points = sparkline_points(values, area)
        pen = QPen(colour, max(1.0, line_height / 10))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(pen)
        if points.size() > 1:
            painter.drawPolyline(points)
        painter.setBrush(colour)
        radius = max(1.5, line_height / 8)
        painter.drawEllipse(points.last(), radius, radius)
        painter.end()
        return pixmap

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
    return polygon(xs, ys)


def polygon(xs: npt.NDArray[Any], ys: npt.NDArray[Any]) -> QPolygonF:
    """A QPolygonF of the points (xs[i], ys[i]), written in place through its buffer
    (a QPointF is two doubles) instead of one Python QPointF per point."""
    count = len(xs)
    points = QPolygonF()
    points.resize(count)
    if count:
        # VoidPtr(address, size, writable); its type stubs know only VoidPtr(int).
        memory = shiboken6.VoidPtr(points.data(), count * 16, True)  # type: ignore[call-arg,arg-type]
        pairs = np.frombuffer(cast("memoryview", memory), dtype=np.float64).reshape(count, 2)
        pairs[:, 0] = xs
        pairs[:, 1] = ys
    return points


def _same(kept: FloatArray, values: object) -> bool:
    """True when ``values`` are the ones a kept line was drawn from."""
    if kept is values:
        return True
    return isinstance(values, np.ndarray) and np.array_equal(kept, values)


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
