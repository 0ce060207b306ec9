"""EventsTableModel: the events journal as a table, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon

from app.alerts import Severity
from app.events import EventRecord, EventSource
from app.text_safety import display_text
from ui.icons import icon

AnyIndex = QModelIndex | QPersistentModelIndex
MAX_ROWS = 20_000
"""The newest rows kept in the table (the journal on disk keeps 30 days whatever)."""
_DETAIL_LIMIT = 200


class EventColumn(IntEnum):
    TIME = 0
    SEVERITY = 1
    CONNECTION = 2
    SERVER = 3
    EVENT = 4
    DETAIL = 5

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    EventColumn.TIME: "Time",
    EventColumn.SEVERITY: "Severity",
    EventColumn.CONNECTION: "Connection",
    EventColumn.SERVER: "Server",
    EventColumn.EVENT: "Event",
    EventColumn.DETAIL: "Detail",
}


class EventRole(IntEnum):
    """Roles beyond Qt's: the row's record, its sort key and its filter keys."""

    RECORD = Qt.ItemDataRole.UserRole + 1  # the EventRecord
    SORT = Qt.ItemDataRole.UserRole + 2  # a key that sorts the column
    SEVERITY = Qt.ItemDataRole.UserRole + 3  # int(Severity)
    CONNECTION = Qt.ItemDataRole.UserRole + 4  # the connection's name, raw
    SERVERS = Qt.ItemDataRole.UserRole + 5  # the server names, raw (tuple)


_ICONS = {
    Severity.INFO: "info",
    Severity.WARNING: "banner-warning",
    Severity.CRITICAL: "banner-error",
}


def local_time(moment: datetime) -> str:
    """``2026-12-07 10:04:05`` in the computer's time zone."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class EventsTableModel(QAbstractTableModel):
    """Rows are ``EventRecord`` values, newest first; at most ``max_rows`` are kept
    (the oldest go). Every text a server chose goes through ``display_text``: the cell
    shortened, the tooltip whole but escaped. Actions of the admin say "by you"
    (``by <user>``) in the Event column.

    Invariants: rows never change once added; ``add`` inserts at the top in one
    ``rowsInserted``, except a record older than the top row (it arrived late: an
    action's record after the poll that saw its effect), which goes in its place by
    time in a ``rowsInserted`` of its own; ``set_records`` is one reset (at start-up,
    before anyone selects).
    """

    def __init__(self, parent: QObject | None = None, *, max_rows: int = MAX_ROWS) -> None:
        super().__init__(parent)
        self._rows: list[EventRecord] = []
        self._max_rows = max_rows
        self._icons: dict[Severity, QIcon] = {}

    # -- contents ---------------------------------------------------------------------------
    def records(self) -> list[EventRecord]:
        """Every row's record, newest first."""
        return list(self._rows)

    def record(self, row: int) -> EventRecord:
        return self._rows[row]

    def set_records(self, records: Sequence[EventRecord]) -> None:
        """Replace every row with ``records`` (sorted newest first here)."""
        self.beginResetModel()
        self._rows = sorted(records, key=lambda r: r.ts, reverse=True)[: self._max_rows]
        self.endResetModel()

    def add(self, records: Sequence[EventRecord]) -> None:
        """Put new records in their place, newest first: on top, unless older than the top
        row (below the rows newer than it, above those as old); then trim the oldest."""
        if not records:
            return
        fresh = sorted(records, key=lambda r: r.ts, reverse=True)
        top = self._rows[0].ts if self._rows else None
        on_top = [r for r in fresh if top is None or r.ts >= top]
        if on_top:
            self.beginInsertRows(QModelIndex(), 0, len(on_top) - 1)
            self._rows[:0] = on_top
            self.endInsertRows()
        for late in fresh[len(on_top) :]:
            row = next(
                (i for i, held in enumerate(self._rows) if held.ts <= late.ts), len(self._rows)
            )
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, late)
            self.endInsertRows()
        self._trim()

    def drop_older_than(self, cutoff: datetime) -> None:
        """Remove the rows older than ``cutoff`` (they are at the bottom)."""
        keep = len(self._rows)
        while keep and self._rows[keep - 1].ts < cutoff:
            keep -= 1
        if keep < len(self._rows):
            self.beginRemoveRows(QModelIndex(), keep, len(self._rows) - 1)
            del self._rows[keep:]
            self.endRemoveRows()

    def _trim(self) -> None:
        if len(self._rows) > self._max_rows:
            self.beginRemoveRows(QModelIndex(), self._max_rows, len(self._rows) - 1)
            del self._rows[self._max_rows :]
            self.endRemoveRows()

    # -- QAbstractTableModel ----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(EventColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation is Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(EventColumn)
        ):
            return EventColumn(section).title
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        row, column = index.row(), index.column()
        if not index.isValid() or not 0 <= row < len(self._rows):
            return None
        if not 0 <= column < len(EventColumn):
            return None
        record = self._rows[row]
        col = EventColumn(column)
        match role:
            case Qt.ItemDataRole.DisplayRole | Qt.ItemDataRole.AccessibleTextRole:
                return self._text(record, col, limit=_DETAIL_LIMIT)
            case Qt.ItemDataRole.ToolTipRole:
                return self._text(record, col, limit=None)
            case Qt.ItemDataRole.DecorationRole if col is EventColumn.SEVERITY:
                return self._icon(record.severity)
            case EventRole.RECORD:
                return record
            case EventRole.SORT:
                return self._sort_key(record, col)
            case EventRole.SEVERITY:
                return int(record.severity)
            case EventRole.CONNECTION:
                return record.connection
            case EventRole.SERVERS:
                return record.servers
        return None

    # -- cells -------------------------------------------------------------------------------
    @staticmethod
    def _text(record: EventRecord, column: EventColumn, *, limit: int | None) -> str:
        match column:
            case EventColumn.TIME:
                return local_time(record.ts)
            case EventColumn.SEVERITY:
                return record.severity.label
            case EventColumn.CONNECTION:
                return display_text(record.connection, limit)
            case EventColumn.SERVER:
                return display_text(", ".join(record.servers), limit)
            case EventColumn.EVENT:
                title = display_text(record.title, limit)
                if record.source is EventSource.ACTION:
                    user = display_text(record.user, 40)
                    return f"{title} (by you{', as ' + user if user else ''})"
                return title
            case EventColumn.DETAIL:
                return display_text(record.text, limit)

    @staticmethod
    def _sort_key(record: EventRecord, column: EventColumn) -> object:
        match column:
            case EventColumn.TIME:
                return record.ts.timestamp()
            case EventColumn.SEVERITY:
                return int(record.severity)
            case EventColumn.CONNECTION:
                return record.connection.casefold()
            case EventColumn.SERVER:
                return ", ".join(record.servers).casefold()
            case EventColumn.EVENT:
                return record.title.casefold()
            case EventColumn.DETAIL:
                return record.text.casefold()

    def _icon(self, severity: Severity) -> QIcon:
        cached = self._icons.get(severity)
        if cached is None:
            cached = self._icons[severity] = icon(_ICONS[severity])
        return cached
