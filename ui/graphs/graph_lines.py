"""GraphLines: the load graph's lines, one per server and one for the cluster total."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsItem

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
DIMMED_ALPHA_DARK = 130
"""The unselected lines' opacity on a dark background: at 60 the mid-tone colours
sank into it."""
LEGEND_ROWS = 8
CACHED = QGraphicsItem.CacheMode.DeviceCoordinateCache
"""The legend's entries are painted from pixmaps: a live view moves every line, so the
plot is repainted under the legend with each poll, while its entries rarely change."""


def legend_text(name: str) -> str:
    """A series name as the legend shows it: the legend renders HTML, and a server chose
    the name, so it is escaped, spelled out (``display_html``) and cut to one cell's width."""
    return display_html(name, LEGEND_NAME_LIMIT)


class BoundedCurve(pg.PlotCurveItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """A ``PlotCurveItem`` whose bounding rectangle is given (``set_bounds``) instead of
    computed from its points and its pen's width in pixels.

    pyqtgraph computes a curve's bounds again after every move of the view (the lowest
    and highest of both coordinates, and the size of a pixel in data units): with two
    dozen lines, most of the cost of following live. The load graph knows a rectangle
    that holds every line and its pen, the data area in view, once per redraw. Until
    one is given the curve's own bounds apply.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._given_bounds: QRectF | None = None

    def set_bounds(self, rect: QRectF | None) -> None:
        """Use ``rect`` (data coordinates) as the bounds; None: compute them again."""
        if rect != self._given_bounds:
            self.prepareGeometryChange()
            self._given_bounds = None if rect is None else QRectF(rect)

    def boundingRect(self) -> QRectF:
        if self._given_bounds is not None:
            return self._given_bounds
        rect: QRectF = super().boundingRect()
        return rect


class GraphLines:
    """Creates each line once, feeds it with ``set_series`` and styles it.

    Lines are ``BoundedCurve`` objects (a ``PlotCurveItem`` with given bounds) fed with
    the points the history already reduced to the plot's width (one per device pixel,
    each pixel pair's lowest and highest), so nothing is clipped or downsampled again
    when the view pans; they are finite apart from the breaks at gaps, so pyqtgraph's
    finite check is skipped, and they take no part in the view's auto-range (the panel
    sets both ranges itself).

    The total comes first in the legend and is drawn thicker, in ``total_colour``. The
    servers take the colours of ``SERIES_COLOURS`` in the order they first appear, then
    the same colours dashed. When the servers to draw change (the busiest of a large
    cluster), a line whose server left is handed, with its legend entry, colour and
    place, to a server that came: the legend is not rebuilt, only relabelled; lines
    are added or removed only when their number changes. Clicking a legend entry
    hides or shows its line. ``highlight`` thickens the given servers' lines and dims
    the others; ``set_dark`` keeps the dimmed lines readable on a dark background.
    """

    def __init__(self, plot: pg.PlotItem, legend: pg.LegendItem, total_colour: QColor) -> None:
        self._plot = plot
        self._legend = legend
        self._total_colour = QColor(total_colour)
        self._total_name = TOTAL_NAME
        self._items: dict[str, BoundedCurve] = {}
        self._names: dict[str, str] = {}
        self._data: dict[str, Series] = {}
        self._tolerance: dict[str, float] = {}
        self._styles: dict[str, int] = {}  # server id -> index into colours x pen styles
        self._requested: frozenset[str] = frozenset()  # what highlight() was given
        self._dimmed_alpha = DIMMED_ALPHA

    # -- queries ----------------------------------------------------------------------------
    def keys(self) -> list[str]:
        """The total (if any) first, then the servers in the order of their lines."""
        return list(self._items)

    def item(self, key: str) -> BoundedCurve:
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
        """The highlighted servers that have a line."""
        return self._requested & self._items.keys()

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
        highlighted = self.highlighted
        if TOTAL not in self._items:
            self._add(TOTAL, self._total_name)
        gone = [key for key in self._items if key != TOTAL and key not in servers]
        came = [server_id for server_id in servers if server_id not in self._items]
        for old, new in zip(gone, came, strict=False):
            self._hand_over(old, new, servers[new])
        for key in gone[len(came) :]:
            self._remove(key)
        for server_id in came[len(gone) :]:
            self._add(server_id, servers[server_id])
        for server_id, name in servers.items():
            if self._names[server_id] != name:
                self._names[server_id] = name
                self._relabel(server_id)
        self._legend.setColumnCount(max(1, math.ceil(len(self._items) / LEGEND_ROWS)))
        if self.highlighted != highlighted:  # a selected server got or lost its line
            self.highlight(self._requested)

    def set_total_name(self, name: str) -> None:
        """Name the cluster-wide line (a total of Clients, an average of response times)."""
        self._total_name = name
        if TOTAL in self._items and self._names[TOTAL] != name:
            self._names[TOTAL] = name
            self._relabel(TOTAL)

    def set_series(self, key: str, series: Series, gap: float | None = None) -> None:
        """Draw ``series`` as the line of ``key``, broken where samples are more than
        ``gap`` seconds apart (default: the series' own ``gap_threshold``)."""
        self._data[key] = series
        self._tolerance[key] = readout_tolerance(series.t, gap)
        drawn = with_gaps(series, gap)
        # Without breaks every point is finite: "all" draws one polygon, the fastest path.
        connect = "all" if len(drawn.t) == len(series.t) else "finite"
        self._items[key].setData(drawn.t, drawn.y, connect=connect, skipFiniteCheck=True)

    def highlight(self, server_ids: Iterable[str]) -> None:
        """Thicken these servers' lines and dim the other servers' (none given: all normal).

        A server given here that has no line yet is highlighted when it gets one."""
        self._requested = frozenset(server_ids)
        for key in self._items:
            if key != TOTAL:
                self._style(key)

    def clear(self) -> None:
        """Remove every line (another connection is shown)."""
        for key in list(self._items):
            self._remove(key)
        self._styles.clear()

    def set_bounds(self, rect: QRectF) -> None:
        """A rectangle (data coordinates) that holds every line with its pen: the data
        area drawn. Saves pyqtgraph computing each line's bounds after each move."""
        for item in self._items.values():
            item.set_bounds(rect)

    def set_dark(self, dark: bool) -> None:
        """Follow the background: on a dark one the dimmed (unselected) lines are drawn
        less transparent, so that they stay readable while the selected ones stand out."""
        alpha = DIMMED_ALPHA_DARK if dark else DIMMED_ALPHA
        if alpha != self._dimmed_alpha:
            self._dimmed_alpha = alpha
            self.highlight(self._requested)

    def set_total_colour(self, colour: QColor) -> None:
        """Follow a palette change."""
        self._total_colour = QColor(colour)
        if TOTAL in self._items:
            self._style(TOTAL)

    # -- internals --------------------------------------------------------------------------
    def _add(self, key: str, name: str) -> None:
        item = BoundedCurve(name=legend_text(name), skipFiniteCheck=True)
        self._plot.addItem(item, ignoreBounds=True)
        for sample, label in self._legend.items:
            if sample.item is item:
                sample.setCacheMode(CACHED)  # repainted by _style, or when clicked
                label.setCacheMode(CACHED)  # its text item repaints it when set
                label.item.setCacheMode(CACHED)
        self._items[key] = item
        self._names[key] = name
        self._data[key] = Series(np.empty(0), np.empty(0))
        self._tolerance[key] = 1.0
        if key != TOTAL:
            used = set(self._styles.values())
            self._styles[key] = next(i for i in range(len(self._styles) + 1) if i not in used)
        self._style(key)

    def _hand_over(self, old: str, new: str, name: str) -> None:
        """Give the line of server ``old`` (which left) to server ``new``: same item,
        legend entry, colour and place in the legend; shown, with no points yet."""
        self._items = {(new if key == old else key): item for key, item in self._items.items()}
        item = self._items[new]
        self._names.pop(old)
        self._names[new] = name
        self._data.pop(old)
        self._data[new] = Series(np.empty(0), np.empty(0))
        self._tolerance.pop(old)
        self._tolerance[new] = 1.0
        self._styles[new] = self._styles.pop(old)
        item.setData(np.empty(0), np.empty(0), name=legend_text(name))
        item.setVisible(True)
        label = self._legend.getLabel(item)
        if label is not None:
            label.setText(legend_text(name))
        self._style(new)

    def _relabel(self, key: str) -> None:
        item = self._items[key]
        text = legend_text(self._names[key])
        item.setData(*item.getData(), name=text)
        label = self._legend.getLabel(item)
        if label is not None:
            label.setText(text)

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
            highlighted = self.highlighted
            width = LINE_WIDTH
            if key in highlighted:
                width = HIGHLIGHT_WIDTH
            elif highlighted:
                colour.setAlpha(self._dimmed_alpha)
            pen = QPen(colour, width)
            pen.setStyle(style)
            item.setZValue(10 if key in highlighted else 0)
        pen.setCosmetic(True)
        item.setPen(pen)
        for sample, _label in self._legend.items:
            if sample.item is item:
                sample.update()  # drawn with the line's pen: its cached picture is out of date
