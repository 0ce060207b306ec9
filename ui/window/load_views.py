"""LoadViews: the current connection's load history on screen — the Load dock and the
Trend column of the servers table."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from app.api.models import Server
from app.connections import ConnectionProfile
from app.history import HistoryStore
from app.kinds.registry import capabilities_of
from app.seam.capabilities import CLIENTS
from ui.cluster.cluster_pane import ClusterPane
from ui.cluster.columns import TREND_SECONDS
from ui.graphs import LoadGraphPanel
from ui.tasks import TaskRunner

DOCK_LINES = 24
"""The Load dock's first height, in lines of text (the window's saved layout wins)."""


class LoadViews(QObject):
    """Adds the Load dock (a ``LoadGraphPanel``, at the bottom) to ``window`` and shows in
    it, and in ``pane``'s Trend column, the history of the connection given to
    ``show_connection``. Servers selected in the table are highlighted in the graph.
    """

    def __init__(
        self, history: HistoryStore, runner: TaskRunner, pane: ClusterPane, window: QMainWindow
    ) -> None:
        super().__init__(window)
        self._history = history
        self._pane = pane
        self.graph = LoadGraphPanel(runner, window)
        self.dock = QDockWidget("Load", window)
        self.dock.setObjectName("graphDock")
        self.dock.setAccessibleName("Load")
        self.dock.setWidget(self.graph)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        lines = window.fontMetrics().height()
        window.resizeDocks([self.dock], [lines * DOCK_LINES], Qt.Orientation.Vertical)
        pane.selection_changed.connect(self._on_pane_selection_changed)

    def show_connection(self, profile: ConnectionProfile | None) -> None:
        """Show the history of ``profile``'s connection (None: nothing)."""
        if profile is None:
            self.graph.set_connection(None, None)
            self._pane.set_sparkline_source(None)
            return
        history, connection_id = self._history, profile.id
        measure = capabilities_of(profile).load
        self.graph.set_measure(measure)
        self.dock.setWindowTitle("Load" if measure == CLIENTS else measure.title)
        self.graph.set_connection(connection_id, history, name=profile.name)
        self._pane.set_sparkline_source(
            lambda server_id: history.sparkline(connection_id, server_id, TREND_SECONDS)
        )

    def _on_pane_selection_changed(self, servers: list[Server]) -> None:
        self.graph.highlight(server.id for server in servers)
