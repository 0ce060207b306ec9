"""EventsFilterProxy: the events of one connection, of matching servers, of a severity."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt

from app.alerts import Severity
from ui.events.events_model import EventColumn, EventRole


class EventsFilterProxy(QSortFilterProxyModel):
    """Filters an ``EventsTableModel`` and sorts it by ``EventRole.SORT`` (newest first
    by default).

    ``connection``: only events of the connection with that exact name ("" for all).
    ``server``: only events naming a server whose name contains that text, case
    ignored ("" for all). ``minimum``: only events at least that severe.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(EventRole.SORT)
        self.setDynamicSortFilter(True)
        self._connection = ""
        self._server = ""
        self._minimum = Severity.INFO
        self.sort(EventColumn.TIME, Qt.SortOrder.DescendingOrder)

    @property
    def connection(self) -> str:
        return self._connection

    @property
    def server(self) -> str:
        return self._server

    @property
    def minimum(self) -> Severity:
        return self._minimum

    def set_connection(self, name: str) -> None:
        if name != self._connection:
            self.beginFilterChange()
            self._connection = name
            self.endFilterChange()

    def set_server(self, text: str) -> None:
        folded = text.strip().casefold()
        if folded != self._server:
            self.beginFilterChange()
            self._server = folded
            self.endFilterChange()

    def set_minimum(self, severity: Severity) -> None:
        if severity != self._minimum:
            self.beginFilterChange()
            self._minimum = severity
            self.endFilterChange()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        if self._connection and index.data(EventRole.CONNECTION) != self._connection:
            return False
        if int(index.data(EventRole.SEVERITY)) < self._minimum:
            return False
        if self._server:
            servers: tuple[str, ...] = index.data(EventRole.SERVERS)
            return any(self._server in name.casefold() for name in servers)
        return True
