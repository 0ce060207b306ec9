"""EventMarks: status changes and console actions marked on the load graph's time axis."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

from app.history import EventKind, HistoryEvent

MAX_MARKS = 1000
"""At most this many events are marked (the newest in the range)."""
MARK_SIZE = 11
_LINE_ALPHA = 90


@dataclass(frozen=True)
class MarkStyle:
    """How one kind of event is marked: a symbol shape (so colour is never the only cue)."""

    symbol: str
    colour: str


MARK_STYLES: dict[EventKind, MarkStyle] = {
    EventKind.OFFLINE: MarkStyle("t", "#d13438"),  # triangle pointing down
    EventKind.BACK_ONLINE: MarkStyle("t1", "#13a10e"),  # triangle pointing up
    EventKind.ISOLATED: MarkStyle("s", "#2f7fd8"),
    EventKind.RETURNED: MarkStyle("d", "#13a10e"),
    EventKind.STATUS: MarkStyle("o", "#8a8a8a"),
    EventKind.ADDED: MarkStyle("+", "#8a8a8a"),
    EventKind.REMOVED: MarkStyle("x", "#8a8a8a"),
    EventKind.ACTION: MarkStyle("star", "#8764b8"),
}


def mark_text(event: HistoryEvent) -> str:
    """The hover text of an event: its local time and what happened."""
    return f"{datetime.fromtimestamp(event.at):%a %d %b %H:%M:%S}  {event.text}"


class EventMarks:
    """Events as symbols on the time axis (at 0 Clients), each with a faint vertical line
    up to the top of the data; hovering a symbol shows what happened and when.

    Two plot items in all (a scatter and one line item drawn in pairs), whatever the
    number of events.
    """

    def __init__(self, plot: pg.PlotItem) -> None:
        self._texts: list[str] = []
        self._events: list[HistoryEvent] = []
        self.symbols = pg.ScatterPlotItem(
            size=MARK_SIZE, hoverable=True, tip=self._tip, pxMode=True
        )
        self.symbols.setZValue(30)
        self.lines = pg.PlotCurveItem(connect="pairs")
        self.lines.setZValue(-10)
        plot.addItem(self.lines)
        plot.addItem(self.symbols)
        self.set_line_colour(QColor("#808080"))

    @property
    def events(self) -> list[HistoryEvent]:
        """The events marked now, oldest first."""
        return list(self._events)

    @property
    def texts(self) -> list[str]:
        """The hover text of each marked event, in the order of ``events``."""
        return list(self._texts)

    def set_events(self, events: Sequence[HistoryEvent], top: float) -> None:
        """Mark ``events`` (oldest first; the newest ``MAX_MARKS`` of them); lines reach ``top``."""
        shown = list(events[-MAX_MARKS:])
        self._events = shown
        self._texts = [mark_text(event) for event in shown]
        times = np.array([event.at for event in shown], dtype=np.float64)
        styles = [MARK_STYLES[event.kind] for event in shown]
        self.symbols.setData(
            x=times,
            y=np.zeros(len(shown)),
            symbol=[style.symbol for style in styles],
            brush=[QBrush(QColor(style.colour)) for style in styles],
            pen=[pg.mkPen(QColor(style.colour).darker(140)) for style in styles],
            data=list(range(len(shown))),
        )
        self.lines.setData(
            x=np.repeat(times, 2), y=np.tile(np.array([0.0, max(top, 1.0)]), len(shown))
        )

    def set_line_colour(self, colour: QColor) -> None:
        faint = QColor(colour)
        faint.setAlpha(_LINE_ALPHA)
        pen = QPen(faint, 1)
        pen.setCosmetic(True)
        pen.setStyle(Qt.PenStyle.DashLine)
        self.lines.setPen(pen)

    def _tip(self, x: float, y: float, data: object) -> str:
        if isinstance(data, int | np.integer) and 0 <= int(data) < len(self._texts):
            return self._texts[int(data)]
        return ""
