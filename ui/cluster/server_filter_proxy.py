"""ServerFilterProxy: sorting and the filter box of the Application Servers table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from ui.cluster.columns import ServerRole
from ui.cluster.server_table_model import ServerTableModel

if TYPE_CHECKING:
    from app.api.models import Server


class ServerFilterProxy(QSortFilterProxyModel):
    """Sorts by each column's ``ServerRole.SORT`` key and keeps the rows matching the filter.

    The filter is a case-insensitive substring of the server's name, address, id,
    version, status text or isolation reason (the model's ``ServerRole.SEARCH_TEXT``);
    an empty filter keeps every row without asking the model. Sorting and filtering are
    dynamic: a poll that changes a sort key moves the row, and a server that starts or
    stops matching appears or disappears. Relative-time refreshes
    (``ServerTableModel.tick``) change neither sort keys nor searchable text, so they
    never move a row.

    ``multiData`` is passed on to the source model (Qt's proxies answer it with one
    ``data()`` call per role), so that a ``ServerTableModel`` answers each painted cell
    in one call.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setSortRole(ServerRole.SORT)
        self.setFilterRole(ServerRole.SEARCH_TEXT)
        self.setFilterKeyColumn(0)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setDynamicSortFilter(True)

    def lessThan(
        self,
        source_left: QModelIndex | QPersistentModelIndex,
        source_right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        """Compare the sort keys of a ``ServerTableModel`` directly (one call into Python
        per comparison instead of two ``data()`` calls); other models as Qt does."""
        source = self.sourceModel()
        if isinstance(source, ServerTableModel):
            column = source_left.column()
            left = source.sort_key(source_left.row(), column)
            right = source.sort_key(source_right.row(), column)
            return left < right  # type: ignore[operator]  # one type per column
        return super().lessThan(source_left, source_right)

    def multiData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        roleDataSpan: QModelRoleDataSpan | QModelRoleData,
    ) -> None:
        source: QAbstractItemModel | None = self.sourceModel()  # None before setSourceModel
        if source is None:
            super().multiData(index, roleDataSpan)
            return
        source.multiData(self.mapToSource(index), roleDataSpan)

    @property
    def filter_text(self) -> str:
        """The text rows must contain ("" when every row is shown)."""
        return self._needle

    def set_filter_text(self, text: str) -> None:
        """Keep only the servers whose searchable text contains ``text`` (trimmed)."""
        needle = text.strip()
        if needle != self._needle:
            self._needle = needle
            self.setFilterFixedString(needle)

    def server(self, row: int) -> Server:
        """The server in the proxy's ``row``."""
        from app.api.models import Server  # loaded with the rows

        value = self.index(row, 0).data(ServerRole.SERVER)
        if not isinstance(value, Server):
            raise IndexError(row)
        return value
