"""LoadViews: the current connection's load history on screen — the Load dock and the
Trend column of the servers table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from app.kinds.registry import capabilities_of
from app.seam.capabilities import CLIENTS
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.columns import TREND_POINTS, TREND_SECONDS
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.api.models import ClusterSnapshot, Server
    from app.connections import ConnectionProfile
    from app.history import HistoryStore
    from ui.graphs import LoadGraphPanel

DOCK_LINES = 24
"""The Load dock's first height, in lines of text (the window's saved layout wins)."""


class LoadViews(QObject):
    """Adds the Load dock (at the bottom) to ``window`` and shows in it, and in ``pane``'s
    Trend column, the history of the connection given to ``show_connection``. Servers
    selected in the table are highlighted in the graph.

    The graph (``LoadGraphPanel``, with pyqtgraph behind it) is built right
    after the window's first paint, or earlier when ``graph`` is asked for: the window
    appears without waiting for them. What arrives before is kept and handed over.
    ``history`` gives the load history when a connection is shown (it is opened after
    the first paint, or then).

    Signals:
        notice_posted(Notice): a line for the status bar, from the graph.
    """

    notice_posted = Signal(object)

    def __init__(
        self,
        history: Callable[[], HistoryStore],
        runner: TaskRunner,
        pane: ClusterPane,
        window: QMainWindow,
    ) -> None:
        super().__init__(window)
        self._history = history
        self._runner = runner
        self._pane = pane
        self._window = window
        self._graph: LoadGraphPanel | None = None
        self._profile: ConnectionProfile | None = None
        self._snapshot: ClusterSnapshot | None = None
        self._highlighted: list[str] = []
        self.dock = QDockWidget("Load", window)
        self.dock.setObjectName("graphDock")
        self.dock.setAccessibleName("Load")
        self.dock.setWidget(QWidget(self.dock))  # until the graph is built
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        lines = window.fontMetrics().height()
        window.resizeDocks([self.dock], [lines * DOCK_LINES], Qt.Orientation.Vertical)
        pane.selection_changed.connect(self._on_pane_selection_changed)
        window.installEventFilter(self)

    @property
    def graph(self) -> LoadGraphPanel:
        """The Load dock's graph panel (built now if it was not yet)."""
        if self._graph is None:
            self._graph = self._build_graph()
        return self._graph

    def show_connection(self, profile: ConnectionProfile | None) -> None:
        """Show the history of ``profile``'s connection (None: nothing)."""
        self._profile = profile
        if profile is None:
            self._pane.set_sparkline_source(None)
            self.dock.setWindowTitle("Load")
        else:
            measure = capabilities_of(profile).load
            self.dock.setWindowTitle("Load" if measure == CLIENTS else measure.title)
            history, connection_id = self._history(), profile.id
            self._pane.set_sparkline_source(
                lambda server_id: history.sparkline(
                    connection_id, server_id, TREND_SECONDS, TREND_POINTS
                ),
                lambda server_ids: history.sparklines(
                    connection_id, server_ids, TREND_SECONDS, TREND_POINTS
                ),
            )
        if self._graph is not None:
            self._show_in_graph(self._graph)

    def set_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """The snapshot the servers table shows (names and states for the graph's legend)."""
        self._snapshot = snapshot
        if self._graph is not None:
            self._graph.set_snapshot(snapshot)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Paint:
            self._window.removeEventFilter(self)
            QTimer.singleShot(0, self._on_first_paint_done)
        return False

    def _on_first_paint_done(self) -> None:
        _ = self.graph

    def _build_graph(self) -> LoadGraphPanel:
        from ui.graphs import LoadGraphPanel  # pyqtgraph: after the first paint

        self._window.removeEventFilter(self)
        graph = LoadGraphPanel(self._runner, self._window)
        graph.notice_posted.connect(self.notice_posted)
        placeholder = self.dock.widget()
        self.dock.setWidget(graph)
        if placeholder is not None:
            placeholder.deleteLater()
        self._show_in_graph(graph)
        if self._snapshot is not None:
            graph.set_snapshot(self._snapshot)
        if self._highlighted:
            graph.highlight(self._highlighted)
        return graph

    def _show_in_graph(self, graph: LoadGraphPanel) -> None:
        if self._profile is None:
            graph.set_connection(None, None)
        else:
            graph.set_measure(capabilities_of(self._profile).load)
            graph.set_connection(self._profile.id, self._history(), name=self._profile.name)

    def _on_pane_selection_changed(self, servers: list[Server]) -> None:
        self._highlighted = [server.id for server in servers]
        if self._graph is not None:
            self._graph.highlight(self._highlighted)
