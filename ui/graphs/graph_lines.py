"""GraphLines: the load graph's lines, one per server and one for the cluster total."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen

from app.history import Series
from app.text_safety import display_html
from ui.graphs.series_tools import nearest_value, readout_tolerance, with_gaps

LEGEND_NAME_LIMIT = 40
TOTAL = ""
"""The key of the cluster total's line (server ids are never empty)."""
TOTAL_NAME = "Cluster total"

SERIES_COLOURS = (
    "#2f7fd8",
    "#e8912d",
    "#3f9b48",
    "#d64545",
    "#8764b8",
    "#1aa3a3",
    "#c2489a",
    "#a8842c",
    "#5c7cfa",
    "#6f9a2b",
)
"""Line colours of the servers, mid-tones that read on light and dark backgrounds."""
_PEN_STYLES = (Qt.PenStyle.SolidLine, Qt.PenStyle.DashLine, Qt.PenStyle.DashDotLine)
LINE_WIDTH = 1.0
TOTAL_WIDTH = 3.0
HIGHLIGHT_WIDTH = 3.0
DIMMED_ALPHA = 60
LEGEND_ROWS = 8


def legend_text(name: str) -> str:
    """A series name as the legend shows it: the legend renders HTML, and a server chose
    the name, so it is escaped, spelled out (``display_html``) and cut to one cell's width."""
    return display_html(name, LEGEND_NAME_LIMIT)


class GraphLines:
    """Creates each line once, feeds it with ``set_series`` and styles it.

    Lines are ``PlotDataItem`` objects with clip-to-view and peak downsampling; the
    total comes first in the legend and is drawn thicker, in ``total_colour``. The
    servers take the colours of ``SERIES_COLOURS`` in the order they first appear, then
    the same colours dashed. Clicking a legend entry hides or shows its line.
    ``highlight`` thickens the given servers' lines and dims the others.
    """

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem, total_colour: QColor) -> None:
        self._plot = plot
        self._legend = legend
        self._total_colour = QColor(total_colour)
        self._total_name = TOTAL_NAME
        self._items: dict[str, pg.PlotDataItem] = {}
        self._names: dict[str, str] = {}
        self._data: dict[str, Series] = {}
        self._tolerance: dict[str, float] = {}
        self._styles: dict[str, int] = {}  # server id -> index into colours x pen styles
        self._highlighted: frozenset[str] = frozenset()

    # -- queries ----------------------------------------------------------------------------
    def keys(self) -> list[str]:
        """The total (if any) first, then the servers in the order they appeared."""
        return list(self._items)

    def item(self, key: str) -> pg.PlotDataItem:
        """The line of a server id, or of ``TOTAL``; raises KeyError for an unknown key."""
        return self._items[key]

    def name(self, key: str) -> str:
        return self._names[key]

    def data(self, key: str) -> Series:
        """The points last given to the line (without the breaks drawn at gaps)."""
        return self._data[key]

    def is_visible(self, key: str) -> bool:
        return bool(self._items[key].isVisible())

    @property
    def highlighted(self) -> frozenset[str]:
        return self._highlighted

    def values_at(self, x: float) -> list[tuple[str, str, float]]:
        """(key, name, value) of every visible line with a sample near time ``x``."""
        found: list[tuple[str, str, float]] = []
        for key, item in self._items.items():
            if not item.isVisible():
                continue
            value = nearest_value(self._data[key], x, self._tolerance[key])
            if value is not None:
                found.append((key, self._names[key], value))
        return found

    def top(self) -> float:
        """The highest value of the visible lines (1 when there is none)."""
        peaks = [
            float(np.nanmax(self._data[key].y))
            for key, item in self._items.items()
            if item.isVisible() and len(self._data[key].y)
        ]
        return max([1.0, *peaks])

    # -- changes ----------------------------------------------------------------------------
    def sync(self, servers: Mapping[str, str]) -> None:
        """Have exactly one line per server in ``servers`` (id -> name) plus the total."""
        if TOTAL not in self._items:
            self._add(TOTAL, self._total_name)
        for key in [k for k in self._items if k != TOTAL and k not in servers]:
            self._remove(key)
        for server_id, name in servers.items():
            if server_id not in self._items:
                self._add(server_id, name)
            elif self._names[server_id] != name:
                self._names[server_id] = name
                label = self._legend.getLabel(self._items[server_id])
                if label is not None:
                    label.setText(legend_text(name))
        self._legend.setColumnCount(max(1, math.ceil(len(self._items) / LEGEND_ROWS)))

    def set_total_name(self, name: str) -> None:
        """Name the cluster-wide line (a total of Clients, an average of response times)."""
        self._total_name = name
        item = self._items.get(TOTAL)
        if item is not None and self._names[TOTAL] != name:
            self._names[TOTAL] = name
            label = self._legend.getLabel(item)
            if label is not None:
                label.setText(legend_text(name))

    def set_series(self, key: str, series: Series, gap: float | None = None) -> None:
        """Draw ``series`` as the line of ``key``, broken where samples are more than
        ``gap`` seconds apart (default: the series' own ``gap_threshold``)."""
        self._data[key] = series
        self._tolerance[key] = readout_tolerance(series.t, gap)
        drawn = with_gaps(series, gap)
        self._items[key].setData(drawn.t, drawn.y, connect="finite")

    def highlight(self, server_ids: Iterable[str]) -> None:
        """Thicken these servers' lines and dim the other servers' (none given: all normal)."""
        self._highlighted = frozenset(server_ids) & self._items.keys()
        for key in self._items:
            if key != TOTAL:
                self._style(key)

    def clear(self) -> None:
        """Remove every line (another connection is shown)."""
        for key in list(self._items):
            self._remove(key)
        self._styles.clear()

    def set_total_colour(self, colour: QColor) -> None:
        """Follow a palette change."""
        self._total_colour = QColor(colour)
        if TOTAL in self._items:
            self._style(TOTAL)

    # -- internals --------------------------------------------------------------------------
    def _add(self, key: str, name: str) -> None:
        item = pg.PlotDataItem(name=legend_text(name))
        item.setClipToView(True)
        item.setDownsampling(auto=True, method="peak")
        self._plot.addItem(item)
        self._items[key] = item
        self._names[key] = name
        self._data[key] = Series(np.empty(0), np.empty(0))
        self._tolerance[key] = 1.0
        if key != TOTAL:
            used = set(self._styles.values())
            self._styles[key] = next(i for i in range(len(self._styles) + 1) if i not in used)
        self._style(key)

    def _remove(self, key: str) -> None:
        item = self._items.pop(key)
        self._plot.removeItem(item)  # also removes its legend entry
        self._names.pop(key)
        self._data.pop(key)
        self._tolerance.pop(key)
        self._styles.pop(key, None)

    def _style(self, key: str) -> None:
        item = self._items[key]
        if key == TOTAL:
            pen = QPen(self._total_colour, TOTAL_WIDTH)
            item.setZValue(20)
        else:
            index = self._styles[key]
            colour = QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])
            style = _PEN_STYLES[(index // len(SERIES_COLOURS)) % len(_PEN_STYLES)]
            width = LINE_WIDTH
            if key in self._highlighted:
                width = HIGHLIGHT_WIDTH
            elif self._highlighted:
                colour.setAlpha(DIMMED_ALPHA)
            pen = QPen(colour, width)
            pen.setStyle(style)
            item.setZValue(10 if key in self._highlighted else 0)
        pen.setCosmetic(True)
        item.setPen(pen)
