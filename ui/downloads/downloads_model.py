"""DownloadsModel: the rows of the Downloads panel, one per DownloadItem.

Rows are updated in place. Progress reports are coalesced: they change the item at
once but reach views at most once per ``coalesce_ms`` per row, as one ``dataChanged``
spanning only the columns whose text, tooltip, icon or bar changed, and not at all
for a row whose cells look the same. State changes (``refresh``) reach views at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from app.downloads import DownloadProgress
from ui.downloads import row_texts
from ui.downloads.download_item import DownloadItem, DownloadState
from ui.icons import icon

Index = QModelIndex | QPersistentModelIndex
DEFAULT_COALESCE_MS = 250


class DownloadColumn(IntEnum):
    FILE = 0
    CONNECTION = 1
    PROGRESS = 2
    SIZE = 3
    RATE = 4
    ETA = 5
    STATUS = 6


class DownloadRole(IntEnum):
    ITEM = Qt.ItemDataRole.UserRole + 1  # the DownloadItem
    STATE = Qt.ItemDataRole.UserRole + 2  # its DownloadState
    FRACTION = Qt.ItemDataRole.UserRole + 3  # float 0.0–1.0 or None, for the progress bar


_HEADERS = {
    DownloadColumn.FILE: "File",
    DownloadColumn.CONNECTION: "Connection",
    DownloadColumn.PROGRESS: "Progress",
    DownloadColumn.SIZE: "Size",
    DownloadColumn.RATE: "Rate",
    DownloadColumn.ETA: "Time left",
    DownloadColumn.STATUS: "Status",
}
_TEXTS: dict[DownloadColumn, Callable[[DownloadItem], str]] = {
    DownloadColumn.FILE: row_texts.file_text,
    DownloadColumn.CONNECTION: lambda item: item.connection_name,
    DownloadColumn.PROGRESS: row_texts.progress_text,
    DownloadColumn.SIZE: row_texts.size_text,
    DownloadColumn.RATE: row_texts.rate_text,
    DownloadColumn.ETA: row_texts.eta_text,
    DownloadColumn.STATUS: row_texts.status_text,
}
_TOOLTIPS: dict[DownloadColumn, Callable[[DownloadItem], str]] = {
    DownloadColumn.FILE: row_texts.file_tooltip,
    DownloadColumn.STATUS: row_texts.status_tooltip,
}
_RIGHT_ALIGNED = frozenset({DownloadColumn.SIZE, DownloadColumn.RATE, DownloadColumn.ETA})
_CHANGED_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.AccessibleTextRole,
    DownloadRole.STATE,
    DownloadRole.FRACTION,
]

Cell = tuple[object, ...]


class DownloadsModel(QAbstractTableModel):
    """A table of DownloadItems in the order they were added."""

    def __init__(
        self, parent: QObject | None = None, *, coalesce_ms: int = DEFAULT_COALESCE_MS
    ) -> None:
        super().__init__(parent)
        self._items: list[DownloadItem] = []
        self._shown: dict[DownloadItem, tuple[Cell, ...]] = {}  # cells as views last heard
        self._pending: dict[DownloadItem, None] = {}  # rows with unannounced progress
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(coalesce_ms)
        self._timer.timeout.connect(self.flush)

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(DownloadColumn)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section < len(DownloadColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _HEADERS[DownloadColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not self.checkIndex(index, QAbstractTableModel.CheckIndexOption.IndexIsValid):
            return None
        item = self._items[index.row()]
        column = DownloadColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return _TEXTS[column](item)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(column, item)
        if role == Qt.ItemDataRole.DecorationRole and column is DownloadColumn.STATUS:
            return icon(row_texts.status_icon_name(item))
        if role == Qt.ItemDataRole.AccessibleTextRole and column is DownloadColumn.PROGRESS:
            text = row_texts.progress_text(item)
            return f"{text} done" if text else "Progress unknown"
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _RIGHT_ALIGNED:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == DownloadRole.ITEM:
            return item
        if role == DownloadRole.STATE:
            return item.state
        if role == DownloadRole.FRACTION and column is DownloadColumn.PROGRESS:
            return item.fraction
        return None

    # -- rows --------------------------------------------------------------------------
    def items(self) -> Iterator[DownloadItem]:
        return iter(list(self._items))

    def item_at(self, row: int) -> DownloadItem:
        return self._items[row]

    def row_of(self, item: DownloadItem) -> int | None:
        for row, candidate in enumerate(self._items):
            if candidate is item:
                return row
        return None

    def add(self, item: DownloadItem) -> None:
        """Append a row for ``item`` (ignored if it is already listed)."""
        if item in self._shown:
            return
        row = len(self._items)
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.append(item)
        self._shown[item] = _cells(item)
        self.endInsertRows()

    def remove(self, item: DownloadItem) -> None:
        """Drop the row of ``item`` (ignored if it is not listed)."""
        row = self.row_of(item)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        del self._shown[item]
        self._pending.pop(item, None)
        self.endRemoveRows()

    # -- updates -----------------------------------------------------------------------
    def update_progress(self, item: DownloadItem, progress: DownloadProgress) -> None:
        """Record a progress report now; views hear of it within ``coalesce_ms``."""
        item.record_progress(progress)
        if item not in self._shown:
            return
        self._pending[item] = None
        if not self._timer.isActive():
            self._timer.start()

    def refresh(self, item: DownloadItem) -> None:
        """Announce at once whatever changed in ``item``'s row (after a state change)."""
        self._pending.pop(item, None)
        self._announce(item)

    def flush(self) -> None:
        """Announce the coalesced progress of every row now."""
        self._timer.stop()
        pending, self._pending = self._pending, {}
        for item in pending:
            self._announce(item)

    def _announce(self, item: DownloadItem) -> None:
        row = self.row_of(item)
        if row is None:
            return
        before, after = self._shown[item], _cells(item)
        changed = [column for column in DownloadColumn if before[column] != after[column]]
        if not changed:
            return
        self._shown[item] = after
        self.dataChanged.emit(
            self.index(row, changed[0]), self.index(row, changed[-1]), _CHANGED_ROLES
        )


def _tooltip(column: DownloadColumn, item: DownloadItem) -> str | None:
    """The cell's tooltip; every cell of a failed row says why it failed, whole."""
    tooltip = _TOOLTIPS.get(column)
    if tooltip is not None:
        return tooltip(item)
    if item.state is DownloadState.FAILED:
        return row_texts.status_tooltip(item)
    return None


def _cells(item: DownloadItem) -> tuple[Cell, ...]:
    """What views show of each cell, to tell which cells an update changed."""
    state = item.state
    fraction = item.fraction
    bar = None if fraction is None else round(fraction * 1000)
    cells: list[Cell] = []
    for column in DownloadColumn:
        cell: Cell = (_TEXTS[column](item), _tooltip(column, item))
        if column is DownloadColumn.STATUS:
            cell += (state,)
        elif column is DownloadColumn.PROGRESS:
            cell += (bar,)
        cells.append(cell)
    return tuple(cells)
