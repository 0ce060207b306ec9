"""Crosshair: a vertical line under the mouse and the values of every line there."""

from __future__ import annotations

from datetime import datetime

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPen

from app.text_safety import display_text
from ui.cluster.formatting import number_text
from ui.graphs.graph_lines import TOTAL, GraphLines

MAX_READOUT_SERVERS = 8
"""The readout names the servers with the most Clients, then says how many more."""


def time_text(x: float, with_date: bool) -> str:
    """A graph time in local time: "13:45:02", or "Tue 25 Nov 13:45" with the date."""
    moment = datetime.fromtimestamp(x)
    return f"{moment:%a %d %b %H:%M:%S}" if with_date else f"{moment:%H:%M:%S}"


def readout_text(x: float, values: list[tuple[str, str, float]], with_date: bool) -> str:
    """ "13:45:02 · Cluster total 812 · EKRAN-AS01 310 · …" from ``(key, name, value)``
    triples: the total (key ``TOTAL``) first, then the servers by Clients, most first;
    "" when no line has a value."""
    if not values:
        return ""
    totals = [(name, value) for key, name, value in values if key == TOTAL]
    servers = sorted(
        ((name, value) for key, name, value in values if key != TOTAL), key=lambda p: -p[1]
    )
    shown = [*totals, *servers[:MAX_READOUT_SERVERS]]
    parts = [time_text(x, with_date)]
    parts += [f"{display_text(name, 40)} {number_text(round(value))}" for name, value in shown]
    hidden = len(servers) - MAX_READOUT_SERVERS
    if hidden > 0:
        parts.append(f"{hidden} more")
    return " · ".join(parts)


class Crosshair(QObject):
    """Follows the mouse over ``plot``: a vertical line at the pointed time, and
    ``readout_changed`` with that time and the values of the visible lines there
    (``readout_text``).

    Signals:
        readout_changed(str): the new readout; "" when the mouse left the data area.
    """

    readout_changed = Signal(str)

    def __init__(self, plot: pg.PlotItem, lines: GraphLines, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._plot = plot
        self._lines = lines
        self.line = pg.InfiniteLine(angle=90, movable=False)
        self.line.setZValue(40)
        self.line.hide()
        plot.addItem(self.line, ignoreBounds=True)
        self.set_colour(QColor("#808080"))
        self.readout = ""
        plot.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)

    def set_colour(self, colour: QColor) -> None:
        pen = QPen(colour, 1)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DotLine)
        self.line.setPen(pen)

    def point_at(self, x: float) -> str:
        """Put the line at time ``x`` and return (and announce) the readout there."""
        self.line.setPos(x)
        self.line.show()
        (x0, x1), _ = self._plot.getViewBox().viewRange()
        text = readout_text(x, self._lines.values_at(x), with_date=x1 - x0 > 86_400)
        self._announce(text)
        return text

    def leave(self) -> None:
        """Hide the line and clear the readout."""
        self.line.hide()
        self._announce("")

    def _announce(self, text: str) -> None:
        if text != self.readout:
            self.readout = text
            self.readout_changed.emit(text)

    def _on_scene_mouse_moved(self, position: QPointF) -> None:
        view = self._plot.getViewBox()
        if not view.sceneBoundingRect().contains(position):
            self.leave()
            return
        self.point_at(view.mapSceneToView(position).x())
