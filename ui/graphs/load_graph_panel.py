"""LoadGraphPanel: Clients per server and in total over time, with events and export."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QImage, QPalette, QShowEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from app.api.models import ClusterSnapshot
from app.history import HistoryStore
from app.seam.capabilities import CLIENTS, LoadMeasure
from ui.graphs.busiest_servers import BusiestServers
from ui.graphs.crosshair import Crosshair
from ui.graphs.event_marks import EventMarks
from ui.graphs.graph_controls import GraphControls
from ui.graphs.graph_export import GraphExporter, history_table
from ui.graphs.graph_lines import CACHED, TOTAL, GraphLines
from ui.graphs.graph_range import GraphRange
from ui.graphs.series_tools import GraphTable, gap_threshold, graph_table
from ui.tasks import TaskRunner
from ui.theme import is_dark

REDRAW_INTERVAL_MS = 500
SLOWEST_REDRAW_S = 10.0
FOLLOW_STEP_S = 1.0
"""Following live, the view moves with each redraw; when no new samples came for twice
this long (or a pixel's worth of time, if longer), on its own at most this often: a
moved view repaints the whole plot."""
MIN_POINTS, MAX_POINTS = 200, 2000  # per line and redraw
MIN_PLOT_LINES = 10  # the plot's least height, in lines of text
MAX_SERVER_LINES = 24
"""Above this many servers the graph draws the busiest ones (and the selected ones) plus
the total: a line per server of a 1,000-server cluster would take the window's event
loop for most of every second and could not be told apart anyway."""
_TIMER_SLACK_S = 0.05  # a coarse QTimer may fire this much early
NO_CONNECTION = "Select a connection to see its load over time"
NO_HISTORY = "No load history yet: it is recorded from the first successful update on"
_EDGE = 0.02  # lines are fetched this fraction of the range beyond each edge
_HEADROOM = 0.08  # of the highest value, above it and below 0 (event marks show whole)


LIVE_REDRAW_S = 2.0
"""New samples are drawn at most this often. A 5-minute view of a cluster polled every
second would otherwise be drawn again for every poll, moving by a few pixels each
time; its lines and axes are the largest part of the window's painting, and drawn
every other poll they cost half (the newest samples show within 2 s)."""


def follow_interval(span_s: float, pixels: float) -> float:
    """Seconds between moves of a live view that has no new samples to show: the time
    one pixel of the plot stands for (``pixel_interval``), but at least
    ``FOLLOW_STEP_S``."""
    return max(FOLLOW_STEP_S, pixel_interval(span_s, pixels))


def data_redraw_interval(span_s: float, pixels: float) -> float:
    """Seconds between redraws caused by new samples alone: the time one pixel of the
    plot stands for (``pixel_interval``), but at least ``LIVE_REDRAW_S``."""
    return max(LIVE_REDRAW_S, pixel_interval(span_s, pixels))


def pixel_interval(span_s: float, pixels: float) -> float:
    """The time one pixel of the plot stands for, but at least the timer's interval and
    at most ``SLOWEST_REDRAW_S`` (a 7-day view need not be redrawn for every poll)."""
    per_pixel = span_s / max(pixels, 1.0)
    return min(SLOWEST_REDRAW_S, max(REDRAW_INTERVAL_MS / 1000, per_pixel))


class LoadGraphPanel(QWidget):
    """The load history of one connection as a graph.

    ``set_connection`` chooses what to show. A single ``QTimer`` (running while the panel
    is visible; nothing is fetched or drawn while it is hidden) redraws at most twice a
    second, and only when the time range moved beyond the points last fetched (each
    line is fetched a little beyond both edges, so following live pans without fetching
    again) or changed its span, or when the history changed (then no more often than
    ``data_redraw_interval``: every ``LIVE_REDRAW_S`` at most). "Follow live" keeps the range
    ending now: the view moves together with each redraw, so that a redraw costs one
    repaint; on its own every ``follow_interval`` only once no new samples came for two
    of them (polls a little over a second apart drift against the timer's ticks, and
    a move of its own would come, with a paint, just before some of them). Zooming or panning with
    the mouse (time axis only: the Clients axis always spans 0 to the highest value in
    view, set only when that value changed) switches it off. Lines are created once per
    server and fed with ``setData``; the event marks and the value axis are set again
    only when they changed. The readout under the graph gives the values under the
    mouse; events are marked on the time axis.

    Above ``MAX_SERVER_LINES`` servers only the selected and the busiest get a line
    (``BusiestServers``): busiest by their Clients in the snapshot given to
    ``set_snapshot``, so that choosing them costs no history query.

    The Export buttons run through ``exporter`` (a ``GraphExporter``: the picture as
    shown, the values in view). ``clock`` gives "now" in POSIX seconds, ``monotonic``
    the seconds that space redraws and live moves.

    Signals:
        notice_posted(object): a ``Notice`` about an export, for the status bar.
    """

    notice_posted = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._monotonic = monotonic
        self.setObjectName("loadGraphPanel")
        self.setAccessibleName("Load graph")
        self._clock = clock
        self._store: HistoryStore | None = None
        self._connection_id: str | None = None
        self._name = ""
        self._unsubscribe: Callable[[], None] | None = None
        self._range = GraphRange.FIVE_MINUTES
        self._follow = True
        self._range_moved = False
        self._data_changed = False
        self._refit = False  # redraw at the next tick (a line was hidden or shown)
        self._fetched = (0.0, 0.0, 0.0)  # start, end and span of the range last drawn
        self._selected: frozenset[str] = frozenset()
        self._busiest = BusiestServers()
        self._title: str | None = None
        self._last_redraw = -float("inf")  # monotonic seconds of the last redraw
        self._last_follow = -float("inf")  # monotonic seconds of the last live move
        self._last_data = -float("inf")  # monotonic seconds of the last history change
        self._y_range = (0.0, 0.0)
        self._marked: tuple[object, ...] = ()  # the events and top last marked
        self.redraw_count = 0

        self.controls = GraphControls(self)
        self.controls.range_chosen.connect(self.set_range)
        self.controls.follow_toggled.connect(self.set_follow_live)
        self.exporter = GraphExporter(
            runner, self, render=self.render_image, table=self.table, name=lambda: self._name
        )
        self.exporter.notice_posted.connect(self.notice_posted)
        self.controls.export_png_requested.connect(self.exporter.export_png)
        self.controls.export_csv_requested.connect(self.exporter.export_csv)

        self.plot_widget = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem("bottom")})
        self.plot_widget.setObjectName("loadGraph")
        self.plot_widget.setAccessibleName("Clients over time")
        self.plot_widget.setMinimumHeight(self.fontMetrics().height() * MIN_PLOT_LINES)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # Vertical grid lines only: pyqtgraph's horizontal ones add a third to the paint
        # time of a wide plot, and the readout gives exact values.
        self.plot.showGrid(x=True, y=False, alpha=0.15)
        self.plot.setLabel("left", "Clients")
        self.measure: LoadMeasure = CLIENTS
        self.view = self.plot.getViewBox()
        self.view.setMouseEnabled(x=True, y=False)
        self.view.disableAutoRange()
        self.view.setLimits(minXRange=10.0, maxXRange=GraphRange.WEEK * 2.0)
        self.view.sigXRangeChanged.connect(self._on_view_x_range_changed)
        self.view.sigRangeChangedManually.connect(self._on_view_range_changed_manually)
        self.legend = self.plot.addLegend(offset=(10, 10))
        # The plot under the legend and beside the Clients axis is repainted with every
        # live move; the legend's frame and the Clients axis (redrawn by pyqtgraph when
        # its range, size or pens change) are painted from pixmaps meanwhile.
        self.legend.setCacheMode(CACHED)
        self.plot.getAxis("left").setCacheMode(CACHED)
        self.legend.sigSampleClicked.connect(self._on_legend_sample_clicked)
        self.lines = GraphLines(self.plot, self.legend, QColor("#808080"))
        self.marks = EventMarks(self.plot)
        self.crosshair = Crosshair(self.plot, self.lines, self)

        self.readout = QLabel(self)
        self.readout.setObjectName("graphReadout")
        self.readout.setAccessibleName("Values under the pointer")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.crosshair.readout_changed.connect(self._on_crosshair_readout_changed)
        self._on_crosshair_readout_changed("")

        self._empty = QLabel(self)
        self._empty.setObjectName("graphEmptyState")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self.plot_widget)

        layout = QVBoxLayout(self)
        layout.addWidget(self.controls)
        layout.addWidget(self._stack, 1)
        layout.addWidget(self.readout)

        self._timer = QTimer(self)
        self._timer.setObjectName("graphRedrawTimer")
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._apply_palette()
        self._show_empty(NO_CONNECTION)
        self._follow_now()

    # -- state ------------------------------------------------------------------------------
    @property
    def connection_id(self) -> str | None:
        return self._connection_id

    @property
    def graph_range(self) -> GraphRange:
        return self._range

    @property
    def follow_live(self) -> bool:
        return self._follow

    @property
    def timer(self) -> QTimer:
        """The one timer that drives redraws."""
        return self._timer

    @property
    def empty_text(self) -> str | None:
        """The empty-state text, or None while the graph is shown."""
        return self._empty.text() if self._stack.currentWidget() is self._empty else None

    def x_range(self) -> tuple[float, float]:
        """The time range in view (POSIX seconds)."""
        (start, end), _ = self.view.viewRange()
        return float(start), float(end)

    # -- commands ---------------------------------------------------------------------------
    def set_measure(self, measure: LoadMeasure) -> None:
        """What the lines show: Clients, or another measure (response times); the value
        axis, the accessible name and the cluster-wide line's name follow it."""
        self.plot.setLabel("left", measure.axis)
        self.plot_widget.setAccessibleName(measure.title)
        self.lines.set_total_name(measure.total_label)
        self.measure = measure

    def set_connection(
        self, connection_id: str | None, store: HistoryStore | None, *, name: str = ""
    ) -> None:
        """Show the history of ``connection_id`` in ``store`` (None: no connection).

        ``name`` is the connection's name, used in export file names.
        """
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if (connection_id, store) != (self._connection_id, self._store):
            self.lines.clear()
            self._busiest.clear()
            self._fetched = (0.0, 0.0, 0.0)
            self.marks.set_events([], 1.0)
            self._marked = ()
            self.crosshair.leave()
        self._connection_id, self._store, self._name = connection_id, store, name
        if connection_id is None or store is None:
            self._timer.stop()
            self._show_empty(NO_CONNECTION)
            return
        self._unsubscribe = store.subscribe(self._on_history_changed)
        if self._follow:
            self._follow_now()
        self.redraw()
        if self.isVisible():
            self._timer.start()

    def set_range(self, graph_range: GraphRange) -> None:
        """Show ``graph_range`` ending now, and follow live."""
        self._range = graph_range
        self.controls.show_range(graph_range)
        self.set_follow_live(True)

    def set_follow_live(self, follow: bool) -> None:
        """Keep the chosen range ending now (True) or leave the view where it is."""
        self._follow = follow
        self.controls.show_follow(follow)
        if follow:
            self._follow_now()

    def set_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """The latest snapshot of the connection shown: its servers' Clients choose the
        busiest servers of a large cluster (see ``BusiestServers`` for how often)."""
        self._busiest.set_loads({server.id: server.clients for server in snapshot.servers})

    def highlight(self, server_ids: Iterable[str]) -> None:
        """Thicken the lines of these servers and dim the others (none: all normal).

        In a large cluster a selected server gets its line even when it is not among
        the busiest."""
        ids = frozenset(server_ids)
        if ids != self._selected:
            self._selected = ids
            self._data_changed = True
        self.lines.highlight(ids)

    def render_image(self) -> QImage:
        """The graph as shown, legend included."""
        image: QImage = self.plot_widget.grab().toImage()
        return image

    def table(self) -> GraphTable:
        """Every point the history holds for the range in view (``history_table``)."""
        store, connection_id = self._store, self._connection_id
        if store is None or connection_id is None:
            return graph_table([])
        return history_table(store, connection_id, *self.x_range())

    # -- drawing ----------------------------------------------------------------------------
    def redraw(self) -> None:
        """Fetch the lines and events of the range in view and draw them now.

        The timer calls this when the history changed or the range moved; call it
        directly only to force a redraw.
        """
        self._range_moved = self._data_changed = self._refit = False
        self._last_redraw = self._monotonic()
        store, connection_id = self._store, self._connection_id
        if store is None or connection_id is None:
            return
        servers = store.servers(connection_id)
        if not servers:
            self._show_empty(NO_HISTORY)
            return
        self._stack.setCurrentWidget(self.plot_widget)
        self.controls.set_exportable(True)
        start, end = self.x_range()
        drawn = self._servers_to_draw(servers)
        self.lines.sync(drawn)
        edge = (end - start) * _EDGE
        self._fetched = (start - edge, end + edge, end - start)
        start, end = start - edge, end + edge
        points = self._max_points()
        # The total and every line drawn in one read of the history.
        total, *lines = store.series_many(
            connection_id, list(drawn), start, end, points, total=True
        )
        gap = gap_threshold(total.t)  # every server is polled when the total is
        self.lines.set_series(TOTAL, total, gap)
        for server_id, series in zip(drawn, lines, strict=True):
            self.lines.set_series(server_id, series, gap)
        top = self.lines.top()
        events = store.events(connection_id, start, end)
        marked = (top, *events)
        if marked != self._marked:
            self._marked = marked
            self.marks.set_events(events, top)
        low, high = -top * _HEADROOM, top * (1 + _HEADROOM)
        self.lines.set_bounds(QRectF(start, low, end - start, high - low))
        if (low, high) != self._y_range or [low, high] != self.view.viewRange()[1]:
            self._y_range = (low, high)
            self.view.setYRange(low, high, padding=0.0)
        # Apply the new ranges now: pyqtgraph would apply them while painting, which
        # schedules a second paint of the whole plot.
        self.view.prepareForPaint()
        self.redraw_count += 1

    def _servers_to_draw(self, servers: Mapping[str, str]) -> Mapping[str, str]:
        """All servers, or in a large cluster the selected ones and the busiest."""
        title = None
        if len(servers) > MAX_SERVER_LINES:
            chosen = self._busiest.choose(servers, self._selected, MAX_SERVER_LINES)
            title = f"Total and the {len(chosen)} busiest or selected of {len(servers)} servers"
            servers = {sid: servers[sid] for sid in chosen}
        if title != self._title:
            self._title = title
            self.plot_widget.getPlotItem().setTitle(title, size="9pt")
        return servers

    def _max_points(self) -> int:
        """Points per line: one per device pixel of the plot's width (each pair of pixel
        columns gets its lowest and highest value)."""
        pixels = int(self.view.width() * self.plot_widget.devicePixelRatioF())
        return max(MIN_POINTS, min(MAX_POINTS, pixels))

    def _follow_now(self) -> None:
        """Move the view to the chosen range ending now, when it moved by a pixel or so."""
        self._last_follow = self._monotonic()
        span = float(self._range)
        end = self._clock()
        start, current_end = self.x_range()
        tolerance = span / 1000
        if abs(current_end - end) > tolerance or abs((current_end - start) - span) > tolerance:
            self.view.setXRange(end - span, end, padding=0.0)

    def _show_empty(self, text: str) -> None:
        self._empty.setText(text)
        self._stack.setCurrentWidget(self._empty)
        self.controls.set_exportable(False)

    def _apply_palette(self) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.plot_widget.setBackground(base)
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setPen(text)
            axis.setTextPen(text)
        backdrop = QColor(base)
        backdrop.setAlpha(210)
        self.legend.setBrush(backdrop)
        self.legend.setPen(palette.color(QPalette.ColorRole.Mid))
        self.legend.setLabelTextColor(text)
        for _sample, label in self.legend.items:  # pyqtgraph colours a label when set
            label.setText(label.text, color=text)
        self.lines.set_total_colour(text)
        self.lines.set_dark(is_dark(palette))
        self.marks.set_line_colour(text)
        self.crosshair.set_colour(text)

    # -- events -----------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._store is not None:
            if self._follow:
                self._follow_now()
            self.redraw()
            self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()

    def _on_timer_timeout(self) -> None:
        now = self._monotonic()
        start, end = self.x_range()
        pixels = self._max_points()
        data_due = self._data_changed and (
            now - self._last_redraw >= data_redraw_interval(end - start, pixels) - _TIMER_SLACK_S
        )
        step = follow_interval(end - start, pixels) - _TIMER_SLACK_S
        idle = now - self._last_follow >= step and now - self._last_data >= 2 * step
        if self._follow and (data_due or self._range_moved or self._refit or idle):
            self._follow_now()
        if self._range_moved and self._fetched_covers(*self.x_range()):
            self._range_moved = False  # panned within the points drawn: nothing to fetch
        if self._range_moved or self._refit or data_due:
            self.redraw()
        else:
            self.view.prepareForPaint()  # a live move without a redraw: see redraw()

    def _fetched_covers(self, start: float, end: float) -> bool:
        """True when the last redraw fetched every line from ``start`` to ``end`` with
        the points a range this wide needs (the same span, panned, not zoomed)."""
        first, last, span = self._fetched
        same_span = abs((end - start) - span) <= span / 1000
        return same_span and first <= start and end <= last

    def _on_history_changed(self, connection_id: str) -> None:
        # Called by the store on every poll: only note it; the timer redraws.
        if connection_id == self._connection_id:
            self._data_changed = True
            self._last_data = self._monotonic()

    def _on_view_x_range_changed(self, *_: object) -> None:
        self._range_moved = True

    def _on_view_range_changed_manually(self, *_: object) -> None:
        if self._follow:
            self.set_follow_live(False)

    def _on_legend_sample_clicked(self, *_: object) -> None:
        self._refit = True  # the y axis fits the lines still shown

    def _on_crosshair_readout_changed(self, text: str) -> None:
        self.readout.setText(text or "Point at the graph to read the values at that time.")
