"""ClusterPane: the centre of the window — banner, overview, filter box and the servers table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QItemSelectionModel, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from app.monitor import ConnectionState, MonitorStatus, ServerHealth
from app.seam import Capabilities, Capability
from ui.cluster.cluster_table_view import ClusterTableView
from ui.cluster.columns import TREND_POINTS, TREND_SECONDS, Column
from ui.cluster.empty_state import NO_CONNECTIONS_TEXT, EmptyState
from ui.cluster.overview_strip import OverviewStrip
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel, SparklineSource, SparklinesSource
from ui.cluster.sparkline_delegate import SparklineDelegate
from ui.cluster.stale_banner import StaleBanner

if TYPE_CHECKING:
    from app.api.models import ClusterSnapshot, Server

Clock = Callable[[], datetime]

_TICK_MS = 1000


# Columns that mean nothing without Client counts (a health-only connection).
_CLIENT_COLUMNS = (Column.CLIENTS, Column.LOAD_SHARE, Column.ISOLATION)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def sparkline_refresh_ticks(cell_width: int) -> int:
    """Every how many ticks (seconds) a sparkline on screen is fetched and drawn again:
    the time one of its stretches stands for (``TREND_SECONDS`` over ``TREND_POINTS // 2``,
    each drawn as its lowest and highest value: drawn more often, the line only shows
    the same values cut at other times), or the time one pixel of a Trend cell
    ``cell_width`` pixels wide stands for, if longer. A row whose Clients change is
    drawn again with its next repaint (see ``ServerTableModel``), so its newest value
    shows at once. Rows take turns, a share of them per tick."""
    stretch = TREND_SECONDS / (TREND_POINTS // 2)
    pixel = TREND_SECONDS / max(cell_width, 1)
    return max(1, int(max(stretch, pixel) * 1000 / _TICK_MS))


class ClusterPane(QWidget):
    """The servers of the selected connection, filtered and sorted, with the stale banner.

    Feed it from a ``SessionBridge``: ``set_snapshot``, ``set_health``, ``set_status``,
    and give it the load history with ``set_sparkline_source``. It shows an empty-state
    text until the first snapshot, and the overview strip above the table from then on;
    with no connections at all (``set_has_connections(False)``, a first start) the empty
    state offers "Add a connection…" and "Open the demo".
    Relative times of the rows on screen refresh once a second while the pane is
    visible, their Trend sparklines every stretch's (or pixel's) worth of time
    (``sparkline_refresh_ticks``) and with each change of their Clients. Ctrl+F
    focuses the filter; Esc in the filter clears it.

    Signals:
        selection_changed(list): the selected ``Server`` objects, top to bottom; also
            emitted when a poll changes the data of a selected server or removes it.
        context_menu_requested(QPoint): global position for the servers context menu.
        retry_requested(): the banner's **Retry** was pressed.
        add_connection_requested(): the empty state's "Add a connection…" was pressed.
        demo_requested(): the empty state's "Open the demo" was pressed.
        server_activated(object): a ``Server`` was activated (Enter, double-click).
        snapshot_shown(object): the ``ClusterSnapshot`` given to ``set_snapshot``, once
            the table shows it (the load graph ranks the busiest servers by it).
    """

    selection_changed = Signal(list)
    context_menu_requested = Signal(QPoint)
    retry_requested = Signal()
    add_connection_requested = Signal()
    demo_requested = Signal()
    server_activated = Signal(object)
    snapshot_shown = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, clock: Clock = _utcnow) -> None:
        super().__init__(parent)
        self.setObjectName("clusterPane")
        self.setAccessibleName("Cluster")
        self._status: MonitorStatus | None = None
        self._has_data = False
        self._has_connections = True
        self._last_selection: list[Server] = []
        self._kind_hidden: set[Column] = set()

        self._model = ServerTableModel(self, clock=clock)
        self._proxy = ServerFilterProxy(self)
        self._proxy.setSourceModel(self._model)

        self._banner = StaleBanner(self, clock=clock)
        self._banner.retry_requested.connect(self.retry_requested)
        self._overview = OverviewStrip(self)

        self._filter = QLineEdit(self)
        self._filter.setObjectName("clusterFilter")
        self._filter.setAccessibleName("Filter servers")
        self._filter.setPlaceholderText("Filter servers (Ctrl+F)")
        self._filter.setToolTip(
            "Show only servers whose name, address, id, version, status or isolation "
            "reason contains this text"
        )
        self._filter.setClearButtonEnabled(True)
        self._filter.textChanged.connect(self._proxy.set_filter_text)

        self._table = ClusterTableView(self)
        self._table.setModel(self._proxy)
        self._table.setItemDelegateForColumn(Column.TREND, SparklineDelegate(self._table))
        self._table.apply_default_widths()
        self._table.context_menu_requested.connect(self.context_menu_requested)
        self._table.server_activated.connect(self.server_activated)
        self._table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

        self._empty = EmptyState(self)
        self._empty.add_requested.connect(self.add_connection_requested)
        self._empty.demo_requested.connect(self.demo_requested)

        self._stack = QStackedWidget(self)
        self._stack.setObjectName("clusterStack")
        self._stack.addWidget(self._empty)
        self._stack.addWidget(self._table)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._banner)
        layout.addWidget(self._overview)
        layout.addWidget(self._filter)
        layout.addWidget(self._stack, 1)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WindowShortcut)  # from anywhere in the window
        find.activated.connect(self.focus_filter)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self._filter)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self._on_filter_escape)

        self._ticker = QTimer(self)
        self._ticker.setObjectName("relativeTimeTicker")
        self._ticker.setInterval(_TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticks = 0
        self._update_empty_state()

    # -- parts --------------------------------------------------------------------------
    @property
    def model(self) -> ServerTableModel:
        return self._model

    @property
    def proxy(self) -> ServerFilterProxy:
        return self._proxy

    @property
    def table(self) -> ClusterTableView:
        return self._table

    @property
    def banner(self) -> StaleBanner:
        return self._banner

    @property
    def overview(self) -> OverviewStrip:
        return self._overview

    @property
    def filter_edit(self) -> QLineEdit:
        return self._filter

    @property
    def empty_state(self) -> EmptyState:
        return self._empty

    @property
    def empty_text(self) -> str | None:
        """The empty-state text, or None while the table is shown."""
        return None if self._has_data else self._empty.text()

    # -- feeding ------------------------------------------------------------------------
    def set_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """Show the servers of ``snapshot`` (rows update in place)."""
        self._model.apply_snapshot(snapshot)
        self._overview.set_snapshot(snapshot)
        self._has_data = True
        self._update_empty_state()
        self._publish_selection()
        self.snapshot_shown.emit(snapshot)

    def set_health(self, health: Mapping[str, ServerHealth]) -> None:
        self._model.apply_health(health)
        self._overview.set_health(health)

    def set_status(self, status: MonitorStatus) -> None:
        """Show the connection's state in the banner (and in the empty state)."""
        self._status = status
        self._banner.set_status(status)
        self._update_empty_state()

    def set_has_connections(self, has_connections: bool) -> None:
        """Whether any connection exists (none: the empty state offers how to begin)."""
        self._has_connections = has_connections
        self._update_empty_state()

    def set_pending(self, server_id: str, text: str | None) -> None:
        """Show ``text`` ("Isolating…") as the server's status until called with None."""
        self._model.set_pending(server_id, text)

    def set_sparkline_source(
        self, source: SparklineSource | None, many: SparklinesSource | None = None
    ) -> None:
        """Draw the Trend column from ``source`` (server id -> recent Clients); None: blank.
        ``many`` answers for several servers in one read (see ``ServerTableModel``)."""
        self._model.set_sparkline_source(source, many)

    def set_capabilities(self, capabilities: Capabilities | None) -> None:
        """Show only the columns and facts the connection's kind has (None: all of them).

        Without Client counts the Clients, Load share and Isolation columns are hidden
        (and given back on the next connection that has them; the saved layout keeps
        the user's own choices) and the overview leaves out Clients and the busiest server.
        """
        counts = capabilities is None or capabilities.has(Capability.CLIENT_COUNTS)
        wanted = set() if counts else set(_CLIENT_COLUMNS)
        for column in self._kind_hidden - wanted:
            self._table.setColumnHidden(column, False)
        for column in wanted - self._kind_hidden:
            if not self._table.isColumnHidden(column):
                self._table.setColumnHidden(column, True)
            else:
                wanted.discard(column)  # hidden by the user: theirs to show again
        self._kind_hidden = wanted
        self._overview.set_client_counts(counts)

    def clear(self) -> None:
        """Forget the servers and the connection state (another connection is selected)."""
        self._model.clear()
        self._overview.clear()
        self._has_data = False
        self._status = None
        self._banner.set_status(MonitorStatus(ConnectionState.IDLE))
        self._update_empty_state()
        self._publish_selection()

    # -- selection ----------------------------------------------------------------------
    def selected_servers(self) -> list[Server]:
        return self._table.selected_servers()

    def select_server(self, server_id: str) -> bool:
        """Select and show the server's row; False if it is not in the (filtered) table."""
        row = self._model.row_of(server_id)
        if row is None:
            return False
        index = self._proxy.mapFromSource(self._model.index(row, 0))
        if not index.isValid():
            return False
        self._table.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self._table.scrollTo(index)
        return True

    def focus_filter(self) -> None:
        """Move the keyboard focus to the filter box with its text selected."""
        self._filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._filter.selectAll()

    # -- layout state -------------------------------------------------------------------
    def save_state(self) -> QByteArray:
        """The table's column order, widths, hidden columns and sort (the user's own: not
        the columns a connection's kind hid)."""
        for column in self._kind_hidden:
            self._table.setColumnHidden(column, False)
        try:
            return self._table.save_state()
        finally:
            for column in self._kind_hidden:
                self._table.setColumnHidden(column, True)

    def restore_state(self, state: QByteArray) -> bool:
        """Apply a ``save_state`` result; False if it does not fit this version."""
        return self._table.restore_state(state)

    # -- events -------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._ticker.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._ticker.stop()
        super().hideEvent(event)

    # -- helpers ------------------------------------------------------------------------
    def _on_ticker_timeout(self) -> None:
        """Refresh relative times on screen, and the sparklines on screen when their
        span moved by a stretch's worth of time (``sparkline_refresh_ticks``); rows off
        screen are computed when shown."""
        proxy = self._proxy
        rows = [proxy.mapToSource(proxy.index(row, 0)).row() for row in self._table.visible_rows()]
        self._model.tick(rows)
        every = sparkline_refresh_ticks(self._table.columnWidth(Column.TREND))
        phase = self._ticks % every
        self._ticks += 1
        due = [row for row in rows if row % every == phase]
        self._model.refresh_sparklines(due, keep=rows)

    def _on_table_selection_changed(self) -> None:
        self._publish_selection()

    def _publish_selection(self) -> None:
        selected = self._table.selected_servers()
        if selected != self._last_selection:
            self._last_selection = selected
            self.selection_changed.emit(selected)

    def _on_filter_escape(self) -> None:
        if self._filter.text():
            self._filter.clear()
        else:
            self._table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _update_empty_state(self) -> None:
        if self._has_data:
            self._stack.setCurrentWidget(self._table)
            return
        state = self._status.state if self._status else ConnectionState.IDLE
        first_start = state is ConnectionState.IDLE and not self._has_connections
        if first_start:
            text = NO_CONNECTIONS_TEXT
        elif state is ConnectionState.IDLE:
            text = "Select a connection on the left"
        elif state is ConnectionState.CONNECTING:
            text = "Connecting…"
        else:
            text = "No cluster data yet"
        self._empty.show_text(text, first_start=first_start)
        self._stack.setCurrentWidget(self._empty)
