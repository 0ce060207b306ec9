"""ServerFilterProxy: sorting and the filter box of the Application Servers table."""

from __future__ import annotations

from collections.abc import Callable
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
    SignalInstance,
)

from ui.cluster.columns import ServerRole
from ui.cluster.server_table_model import ServerTableModel

if TYPE_CHECKING:
    from app.api.models import Server

_SORT_HINT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
_WITH_HINT = "QList<QPersistentModelIndex>,QAbstractItemModel::LayoutChangeHint"


class ServerFilterProxy(QSortFilterProxyModel):
    """Sorts by each column's ``ServerRole.SORT`` key and keeps the rows matching the filter.

    Over a ``ServerTableModel`` the sorting is the model's own (``sort`` is passed on
    to it): the model keeps its rows in the sort order and re-sorts once per update,
    so this proxy only filters, in the model's order, and a poll that moves rows costs
    one layout change instead of one per moved row (Qt's dynamic sort re-sorts after
    each ``dataChanged`` of the sort column, calling ``lessThan`` in Python a dozen
    times each). Qt's proxy passes a source's layout change on without its hint, and
    views answer a layout change without the hint by rebuilding their headers'
    sections; so a source's sort-only layout change (``VerticalSortHint``) is passed
    on by this proxy itself, with the hint, and Qt's own signals for it are held back.
    Over any other model the proxy sorts as Qt's does.

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
        self._passing_sort = False
        self._was_blocked = False
        self._source_connections: list[tuple[SignalInstance, Callable[..., None]]] = []

    def setSourceModel(self, sourceModel: QAbstractItemModel) -> None:
        for signal, slot in self._source_connections:
            signal.disconnect(slot)
        # Connected before Qt's proxy connects its own: runs before it re-emits.
        about = sourceModel.layoutAboutToBeChanged
        about.connect(self._on_source_layout_about_to_be_changed)
        super().setSourceModel(sourceModel)
        done = sourceModel.layoutChanged  # connected after Qt's proxy's: runs after it
        done.connect(self._on_source_layout_changed)
        self._source_connections = [
            (about, self._on_source_layout_about_to_be_changed),
            (done, self._on_source_layout_changed),
        ]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (-1: unsorted); a ``ServerTableModel`` sorts itself."""
        source = self.sourceModel()
        if isinstance(source, ServerTableModel):
            source.sort(column, order)
        else:
            super().sort(column, order)

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

    def _on_source_layout_about_to_be_changed(
        self, _parents: object = None, hint: object = None
    ) -> None:
        # Runs before Qt's proxy handles the change (connected first, see setSourceModel).
        if hint != _SORT_HINT or self._passing_sort:
            return
        self._passing_sort = True
        self.layoutAboutToBeChanged[_WITH_HINT].emit([], _SORT_HINT)  # type: ignore[index]
        self._was_blocked = self.blockSignals(True)  # Qt's proxy re-emits it hintless

    def _on_source_layout_changed(self, *_: object) -> None:
        # Runs after Qt's proxy has remapped its rows and persistent indexes.
        if not self._passing_sort:
            return
        self._passing_sort = False
        self.blockSignals(self._was_blocked)
        self.layoutChanged[_WITH_HINT].emit([], _SORT_HINT)  # type: ignore[index]

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
