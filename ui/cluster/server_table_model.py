"""ServerTableModel: the Application Servers of one cluster, updated in place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import compress, repeat
from operator import attrgetter, is_not, itemgetter
from typing import TYPE_CHECKING, TypeAlias

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from app.analysis import version_facts
from app.monitor import ServerHealth
from app.server_health import health_problem
from ui.cluster import formatting as fmt
from ui.cluster import model_roles
from ui.cluster.cells import CellContext, ClusterTotals, ServerRow, cell_data, changed_columns
from ui.cluster.columns import Column

Clock = Callable[[], datetime]
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from app.api.models import ClusterSnapshot, Server
    from ui.cluster.cells import FloatArray

    IntArray: TypeAlias = npt.NDArray[np.int64]

SparklineSource: TypeAlias = Callable[[str], "FloatArray"]
"""Server id -> its Clients over the Trend column's span, oldest first."""
SparklinesSource: TypeAlias = Callable[[Sequence[str]], "Sequence[FloatArray]"]
"""Server ids -> the ``SparklineSource`` values of each, in the same order (one read)."""
AnyIndex = QModelIndex | QPersistentModelIndex

_ROLES = Qt.ItemDataRole
_COLUMNS = tuple(Column)
_COLUMN_COUNT = len(_COLUMNS)
_LAST_COLUMN = _COLUMNS[-1]
_ID = attrgetter("id")
_SERVER_ID = attrgetter("server.id")
_SERVER_CLIENTS = attrgetter("server.clients")
_CLIENTS = attrgetter("clients")
_VERSION = attrgetter("version")
_FIRST = itemgetter(0)
_NO_ROWS: tuple[int, ...] = ()
_SORT_HINT = QAbstractTableModel.LayoutChangeHint.VerticalSortHint
_WITH_HINT = "QList<QPersistentModelIndex>,QAbstractItemModel::LayoutChangeHint"
_SortEntry: TypeAlias = tuple[int | float | tuple[int, ...] | str, str]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ServerTableModel(QAbstractTableModel):
    """One row per Application Server, keyed by server id, kept in the sort order.

    ``sort`` orders the rows by a column's ``ServerRole.SORT`` key, ties by server id
    (ascending in either order; column -1: rows stay as they are). Once
    sorted, every update that changes sort keys ends with at most one re-sort: one
    layout change (``VerticalSortHint``, persistent indexes moved along) for the whole
    poll, however many rows moved, so that a proxy above the model
    (``ServerFilterProxy``) need not sort at all. The order after it is always that of
    a full sort (the order is total: server ids are unique).

    ``apply_snapshot`` removes the rows of servers that disappeared, appends new
    servers at the end (the re-sort then moves them) and signals ``dataChanged``
    with explicit roles for the cells
    that changed: where a ``Server`` changed, only the columns showing the fields that
    changed (``cells.changed_columns``; a heartbeat alone touches Last seen only), row
    by row, one signal per contiguous range of columns; only the Load share cell
    where just the share moved (because the Client total did) and its text or bar
    would show it (``share_shown``), only the Version cell where just the majority
    version did, one signal per contiguous range of such rows. Selection, sort and
    scroll position therefore survive every poll. Only ``clear()`` resets the model.

    ``multiData`` answers all the roles a delegate asks for one cell in one call; use
    ``ServerFilterProxy`` (which passes it on) to keep that benefit behind a proxy.

    Relative times are measured against the cluster's clock (``clock()`` corrected by
    the skew seen in the last snapshot) and refreshed by ``tick()``.

    The Trend column's values come from the ``set_sparkline_source`` callable: fetched
    when a row is first asked for them, kept, and fetched again by
    ``refresh_sparklines`` (for the rows on screen; the others are fetched afresh when
    next shown); a row whose Clients changed fetches them afresh when next painted, so
    that the newest value shows with the new count.
    """

    def __init__(self, parent: QObject | None = None, *, clock: Clock = _utcnow) -> None:
        super().__init__(parent)
        self._clock = clock
        self._rows: list[ServerRow] = []
        self._row_of: dict[str, int] = {}
        self._health: dict[str, ServerHealth] = {}
        self._pending: dict[str, str] = {}
        self._shown: dict[str, Server] = {}  # id -> the Server its row shows, or one equal
        self._majority: str | None = None
        self._versions_key: tuple[tuple[str, ...], tuple[str | None, ...]] | None = None
        self._versions_facts: tuple[str | None, set[str]] = (None, set())
        self._mismatched: set[str] = set()
        self._totals = ClusterTotals()
        self._skew = timedelta(0)
        self._sparkline_source: SparklineSource | None = None
        self._sparklines_source: SparklinesSource | None = None
        self._sparklines: dict[str, FloatArray] = {}
        self._share_shown: dict[str, int] = {}  # id -> share_code of what was signalled
        # The rows' ids, Clients and signalled share codes in row order, kept along with
        # the rows (None: built again from them at the next poll).
        self._share_rows: _ShareRows | None = None
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._entries: list[_SortEntry] = []  # the rows' _sort_entry, when sorted
        self._resort_due = False
        self.sorts = 0
        """Re-sorts that moved rows (layout changes; for tests and benchmarks)."""

    # -- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else _COLUMN_COUNT

    def index(
        self,
        row: int,
        column: int,
        parent: AnyIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        # Qt's own version asks rowCount() and columnCount(), two calls into Python for
        # every index a sorting proxy or a view makes; this is one.
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < _COLUMN_COUNT):
            return QModelIndex()
        return self.createIndex(row, column)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        number = index.row()  # -1 for an invalid index
        if not 0 <= number < len(self._rows) or role not in model_roles.ANSWERED_ROLES:
            return None
        row = self._rows[number]
        column = _COLUMNS[index.column()]
        # The proxy asks for these many times per sort or filter: answer them directly.
        if role in model_roles.ROW_ANSWERS:
            return self._row_answer(row, column, role)
        return cell_data(column, role, row, self._context(row, column))

    def multiData(self, index: AnyIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        """``data()`` for several roles of one cell in one call, sharing the cell's
        context; item delegates ask for seven roles per cell they paint."""
        entries = model_roles.entries(roleDataSpan)
        number = index.row()
        if not 0 <= number < len(self._rows):
            for entry in entries:
                entry.clearData()
            return
        row = self._rows[number]
        column = _COLUMNS[index.column()]
        context: CellContext | None = None
        for entry in entries:
            role = entry.role()
            if role not in model_roles.ANSWERED_ROLES:
                entry.clearData()
            elif role in model_roles.ROW_ANSWERS:
                entry.setData(self._row_answer(row, column, role))
            else:
                if context is None:
                    context = self._context(row, column)
                entry.setData(cell_data(column, role, row, context))

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation is not Qt.Orientation.Horizontal or not 0 <= section <= _LAST_COLUMN:
            return None
        column = Column(section)
        if role == _ROLES.DisplayRole:
            return column.header
        if role == _ROLES.ToolTipRole:
            return column.header_tooltip
        if role == _ROLES.TextAlignmentRole and column is Column.CLIENTS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Keep the rows in the order of ``column``'s sort key from now on (see the class
        docstring); -1 keeps the rows where they are."""
        self._sort_column = column if 0 <= column < _COLUMN_COUNT else -1
        self._sort_order = order
        entry = self._sort_entry
        self._entries = list(map(entry, self._rows)) if self._sort_column >= 0 else []
        self._resort_due = True
        self._resort()

    # -- queries ------------------------------------------------------------------------
    @property
    def sort_column(self) -> int:
        """The column the rows are kept sorted by (-1: none)."""
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def server(self, row: int) -> Server:
        """The server shown in ``row`` (raises IndexError for a row that does not exist)."""
        return self._rows[row].server

    def row_of(self, server_id: str) -> int | None:
        """The row of the server with this id, or None."""
        return self._row_of.get(server_id)

    def servers(self) -> list[Server]:
        """Every server, in row order (the sort order once sorted)."""
        return [row.server for row in self._rows]

    def pending(self, server_id: str) -> str | None:
        """The action in progress shown for this server, if any."""
        return self._pending.get(server_id)

    # -- updates ------------------------------------------------------------------------
    def apply_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """Show ``snapshot``'s servers, updating rows in place (see the class docstring).

        The work is proportional to the servers that changed: a server whose object is
        the one shown (``ClusterReplyReader`` keeps unchanged servers' objects) is
        passed over without looking at its fields.
        """
        servers = snapshot.servers
        incoming = dict(zip(map(_ID, servers), servers, strict=True))
        if len(incoming) != len(servers):  # a duplicated id keeps its first entry
            incoming = {}
            for server in servers:
                incoming.setdefault(server.id, server)
        self._skew = snapshot.received_at - snapshot.cluster.generated_at
        self._remove_rows_not_in(incoming)

        totals, rows, row_of = self._totals, self._rows, self._row_of
        total = sum(map(_CLIENTS, incoming.values()))
        majority, mismatched = self._version_facts(incoming)
        total_changed, majority_changed = total != totals.clients, majority != self._majority
        flipped = sorted(
            row_of[server_id]
            for server_id in mismatched.symmetric_difference(self._mismatched)
            if server_id in row_of
        )
        # First every row takes the new cluster-wide figures with its server as it was
        # (one total shared by every row: scaling every share by the same new total
        # keeps their order), then each changed server in turn, signalled at once (a
        # proxy sorting by itself moves each row among rows whose sort keys are still
        # those it sorted by); when the model sorts, it re-sorts once at the end.
        totals.clients, self._majority, self._mismatched = total, majority, mismatched
        for number in flipped:
            old_server = rows[number].server
            rows[number] = ServerRow(old_server, totals, old_server.id in mismatched)

        shown = self._shown
        ids = list(incoming)
        differs = map(is_not, map(shown.get, ids), incoming.values())
        changed: list[tuple[int, Server, frozenset[Column]]] = []
        added: list[Server] = []
        for server_id in compress(ids, differs):
            server = incoming[server_id]
            shown_at = row_of.get(server_id)
            if shown_at is None:
                added.append(server)
                continue
            old = rows[shown_at].server
            # vars(): the field values, which is all == compares for a Server (it has no
            # private attributes or extras), at a third of the cost.
            if vars(server) != vars(old):
                changed.append((shown_at, server, changed_columns(old, server)))
            else:
                shown[server_id] = server  # equal: next time this object is told at once
        changed.sort(key=_FIRST)
        entries = self._entries  # empty when not sorted
        for number, server, columns in changed:
            before = rows[number].server.status
            rows[number] = ServerRow(server, totals, server.id in mismatched)
            if entries:
                entries[number] = self._sort_entry(rows[number])
                self._resort_due = True
            shown[server.id] = server
            server_id = server.id
            if before is not server.status and server_id in self._health:
                del self._health[server_id]
                # A health result never outlives a status change: a stopped server must
                # not read Healthy (the monitor probes it again and reports afresh).
                columns = columns | {Column.HEALTH}
            if Column.TREND in columns:
                self._sparklines.pop(server_id, None)  # fetched with the newest value
            share_rows = self._share_rows
            if share_rows is not None:
                share_rows.clients[number] = server.clients
            if Column.LOAD_SHARE in columns:
                code = self._share_shown[server_id] = share_code(rows[number].load_share)
                if share_rows is not None:
                    share_rows.codes[number] = code
            for first, last in model_roles.ranges(sorted(columns)):
                self._emit_changed([number], first, last, model_roles.ROW_ROLES)
        self._emit_changed(
            self._shares_moved() if total_changed else _NO_ROWS,
            Column.LOAD_SHARE,
            Column.LOAD_SHARE,
            model_roles.LOAD_ROLES,
        )
        self._emit_changed(
            range(len(rows)) if majority_changed else flipped,
            Column.VERSION,
            Column.VERSION,
            model_roles.VERSION_ROLES,
        )
        self._append(ServerRow(s, totals, s.id in mismatched) for s in added)
        self._resort()

    def _version_facts(self, incoming: Mapping[str, Server]) -> tuple[str | None, set[str]]:
        """``version_facts`` of the servers, counted again only when a server came, went
        or reported another version (two tuples of references compared in C: on most
        polls only Clients changed)."""
        key = (tuple(incoming), tuple(map(_VERSION, incoming.values())))
        if key != self._versions_key:
            self._versions_key = key
            self._versions_facts = version_facts(incoming.values())
        majority, mismatched = self._versions_facts
        return majority, set(mismatched)

    def apply_health(self, health: Mapping[str, ServerHealth]) -> None:
        """Show this round of healthchecks (servers missing from it read as not probed)."""
        # Row by row, signalled at once, so that a proxy sorting by Health moves each row
        # among rows it sorted by their current health (see apply_snapshot); when the
        # model sorts, it re-sorts once at the end.
        current = self._health
        for number, row in enumerate(self._rows):
            server_id = row.server.id
            new = health.get(server_id)
            old = current.get(server_id)
            if old != new:
                if new is None:
                    del current[server_id]
                else:
                    current[server_id] = new
                if self._sort_column == Column.HEALTH:
                    self._entries[number] = self._sort_entry(row)
                    self._resort_due = True
                self._emit_changed([number], Column.HEALTH, Column.HEALTH, model_roles.HEALTH_ROLES)
                # The Status cell shows a health problem too ("Online, unhealthy: HTTP 503").
                if health_problem(row.server, old) or health_problem(row.server, new):
                    self._emit_changed(
                        [number], Column.STATUS, Column.STATUS, model_roles.STATUS_ROLES
                    )
        self._health = dict(health)
        self._resort()

    def set_pending(self, server_id: str, text: str | None) -> None:
        """Show ``text`` ("Isolating…") in the server's Status cell until called with None."""
        if text:
            self._pending[server_id] = text
        elif self._pending.pop(server_id, None) is None:
            return
        row = self._row_of.get(server_id)
        if row is not None:
            self._emit_changed([row], Column.STATUS, Column.STATUS, model_roles.PENDING_ROLES)

    def tick(self, rows: Iterable[int] | None = None) -> None:
        """Signal that relative times (Isolation and Last seen columns) have moved on:
        Last seen of every row, Isolation of the isolated servers' rows, apart (the two
        columns are not side by side in the view's order, and a view repaints the
        rectangle a signal's range covers).

        ``rows`` limits the signal to those rows (say, the ones on screen: the others
        are computed afresh when shown); None means every row.
        """
        count = len(self._rows)
        if rows is None:
            wanted: Sequence[int] = range(count)
        else:
            wanted = sorted({row for row in rows if 0 <= row < count})
        self._emit_changed(wanted, Column.LAST_SEEN, Column.LAST_SEEN, model_roles.TICK_ROLES)
        # Only an isolated server's Isolation cell tells a time ("12 min ago").
        isolated = [number for number in wanted if self._rows[number].server.isolation]
        self._emit_changed(isolated, Column.ISOLATION, Column.ISOLATION, model_roles.TICK_ROLES)

    def set_sparkline_source(
        self, source: SparklineSource | None, many: SparklinesSource | None = None
    ) -> None:
        """Take the Trend column's values from ``source`` (None: no history to show);
        ``many``, when given, answers as ``source`` does for several rows at once and
        is used by ``refresh_sparklines``."""
        self._sparkline_source = source
        self._sparklines_source = many if source is not None else None
        self._sparklines.clear()
        self._emit_changed(
            range(len(self._rows)), Column.TREND, Column.TREND, model_roles.SPARKLINE_ROLES
        )

    def refresh_sparklines(self, rows: Iterable[int], keep: Iterable[int] = ()) -> None:
        """Fetch the sparklines of ``rows`` again; signal the ones that changed.

        The kept values of the rows in ``keep`` stay as they are; those of every other
        row are dropped, to be fetched when next asked for.
        """
        source = self._sparkline_source
        if source is None:
            return
        count = len(self._rows)
        wanted = sorted({row for row in rows if 0 <= row < count})
        previous = self._sparklines
        kept_ids = {self._rows[row].server.id for row in keep if 0 <= row < count}
        self._sparklines = {sid: values for sid, values in previous.items() if sid in kept_ids}
        ids = [self._rows[number].server.id for number in wanted]
        many = self._sparklines_source
        fetched = many(ids) if many is not None and ids else list(map(source, ids))
        changed: list[int] = []
        for number, server_id, new in zip(wanted, ids, fetched, strict=True):
            old = previous.get(server_id)
            self._sparklines[server_id] = new
            if old is None or not _same_values(old, new):
                changed.append(number)
        self._emit_changed(changed, Column.TREND, Column.TREND, model_roles.SPARKLINE_ROLES)

    def clear(self) -> None:
        """Forget every server, health result and pending action (a model reset)."""
        self.beginResetModel()
        self._rows.clear()
        self._entries.clear()
        self._row_of.clear()
        self._health.clear()
        self._pending.clear()
        self._sparklines.clear()
        self._share_shown.clear()
        self._share_rows = None
        self._shown.clear()
        self._mismatched = set()
        self._totals = ClusterTotals()
        self._majority, self._skew = None, timedelta(0)
        self._versions_key = None
        self.endResetModel()

    def _sort_entry(self, row: ServerRow) -> _SortEntry:
        """Where ``row`` goes: the rows are kept in ascending order of these (the sort
        key, turned round for a descending sort, then the server id)."""
        column, server_id = _COLUMNS[self._sort_column], row.server.id
        if column is Column.LOAD_SHARE:  # one total for every row: the share's order
            key: int | float | str = row.server.clients
        else:
            key = row.sort_key(column, self._health.get(server_id))
        if self._sort_order != Qt.SortOrder.DescendingOrder:
            return key, server_id
        if isinstance(key, str):
            return _descending_text(key), server_id
        return -key, server_id

    def _resort(self) -> None:
        """Put the rows in the sort order (ascending by their entries), as one layout
        change if any row moves.

        Only the entries of rows that changed were computed again; sorting the others,
        still in order, with them is one merge in C.
        """
        if not self._resort_due:
            return
        self._resort_due = False
        rows, entries = self._rows, self._entries
        count = len(rows)
        if self._sort_column < 0 or count < 2:
            return
        order = sorted(range(count), key=entries.__getitem__)
        if order == list(range(count)):
            return
        self.layoutAboutToBeChanged[_WITH_HINT].emit([], _SORT_HINT)  # type: ignore[index]
        new_row = [0] * count
        for new, old in enumerate(order):
            new_row[old] = new
        self._rows = [rows[old] for old in order]
        self._entries = [entries[old] for old in order]
        if self._share_rows is not None:
            self._share_rows = self._share_rows.reordered(order)
        self._row_of = dict(zip(map(_SERVER_ID, self._rows), range(len(self._rows)), strict=True))
        moved_from = self.persistentIndexList()
        moved_to = [self.createIndex(new_row[index.row()], index.column()) for index in moved_from]
        self.changePersistentIndexList(moved_from, moved_to)
        self.sorts += 1
        self.layoutChanged[_WITH_HINT].emit([], _SORT_HINT)  # type: ignore[index]

    def _shares_moved(self) -> list[int]:
        """The rows whose Load share cell would show the new Client total (their
        ``share_code`` changed since last signalled); remembers what they show now.

        Runs every poll over every row: the codes are computed for all rows at once
        (``share_codes``) from the rows' Clients kept in an array (``_ShareRows``,
        updated with the rows) and compared with the ones signalled in numpy."""
        rows = self._rows
        kept = self._share_rows
        if kept is None or len(kept.ids) != len(rows):
            kept = self._share_rows = _ShareRows.of(rows, self._share_shown)
        now = share_codes(kept.clients, self._totals.clients)
        moved = kept.codes != now
        numbers: list[int] = moved.nonzero()[0].tolist()
        if numbers:
            kept.codes[moved] = now[moved]
            shown, ids = self._share_shown, kept.ids
            for number in numbers:
                shown[ids[number]] = int(now[number])
        return numbers

    def sort_key(self, row: int, column: int) -> int | float | str:
        """The ``ServerRole.SORT`` value of a cell, without the detour through ``data()``."""
        entry = self._rows[row]
        return entry.sort_key(_COLUMNS[column], self._health.get(entry.server.id))

    # -- helpers ------------------------------------------------------------------------
    def _row_answer(self, row: ServerRow, column: Column, role: int) -> object:
        """The value of a role in ``model_roles.ROW_ANSWERS`` (what ``cell_data`` would answer)."""
        server_id = row.server.id
        if role == model_roles.SORT:
            return row.sort_key(column, self._health.get(server_id))
        if role == model_roles.SERVER:
            return row.server
        if role == model_roles.SERVER_ID:
            return server_id
        if role == model_roles.SEARCH_TEXT:
            return row.search_text
        return self._sparkline(server_id)

    def _context(self, row: ServerRow, column: Column) -> CellContext:
        server_id = row.server.id
        return CellContext(
            majority_version=self._majority,
            total_clients=self._totals.clients,
            cluster_now=self._clock() - self._skew,
            health=self._health.get(server_id),
            pending=self._pending.get(server_id),
            sparkline=self._sparkline(server_id) if column is Column.TREND else None,
        )

    def _sparkline(self, server_id: str) -> FloatArray | None:
        source = self._sparkline_source
        if source is None:
            return None
        values = self._sparklines.get(server_id)
        if values is None:
            values = self._sparklines[server_id] = source(server_id)
        return values

    def _remove_rows_not_in(self, keep: Mapping[str, Server]) -> None:
        if not self._row_of.keys() - keep.keys():
            return
        gone = [n for n, row in enumerate(self._rows) if row.server.id not in keep]
        for first, last in reversed(model_roles.ranges(gone)):
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first : last + 1]:
                self._sparklines.pop(row.server.id, None)
                self._share_shown.pop(row.server.id, None)
                self._shown.pop(row.server.id, None)
            del self._rows[first : last + 1]
            del self._entries[first : last + 1]
            self._share_rows = None
            self.endRemoveRows()
        self._row_of = dict(zip(map(_SERVER_ID, self._rows), range(len(self._rows)), strict=True))

    def _append(self, rows: Iterable[ServerRow]) -> None:
        new = list(rows)
        if not new:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        self._rows.extend(new)
        self._share_rows = None
        if self._sort_column >= 0:
            self._entries.extend(map(self._sort_entry, new))
            self._resort_due = True
        for number, row in enumerate(new, start=first):
            self._row_of[row.server.id] = number
            self._shown[row.server.id] = row.server
            self._share_shown[row.server.id] = share_code(row.load_share)
        self.endInsertRows()

    def _emit_changed(
        self, rows: Sequence[int], first_column: int, last_column: int, roles: list[int]
    ) -> None:
        """One ``dataChanged`` per contiguous range of ``rows`` (ascending)."""
        ranges = (
            [(rows[0], rows[-1])] if isinstance(rows, range) and rows else model_roles.ranges(rows)
        )
        for first, last in ranges:
            self.dataChanged.emit(
                self.index(first, first_column), self.index(last, last_column), roles
            )


class _ShareRows:
    """Per row, in row order: the server id, its Clients and the ``share_code`` last
    signalled for its Load share cell (-1: none)."""

    def __init__(self, ids: list[str], clients: IntArray, codes: IntArray) -> None:
        self.ids, self.clients, self.codes = ids, clients, codes

    @classmethod
    def of(cls, rows: Sequence[ServerRow], shown: Mapping[str, int]) -> _ShareRows:
        import numpy as np  # loaded already: the arrays of the load history

        count = len(rows)
        ids = list(map(_SERVER_ID, rows))
        clients = np.fromiter(map(_SERVER_CLIENTS, rows), dtype=np.int64, count=count)
        codes = np.fromiter(map(shown.get, ids, repeat(-1, count)), dtype=np.int64, count=count)
        return cls(ids, clients, codes)

    def reordered(self, order: list[int]) -> _ShareRows:
        """The same rows, row ``n`` now the one that was row ``order[n]``."""
        return _ShareRows(
            list(map(self.ids.__getitem__, order)), self.clients[order], self.codes[order]
        )


SHARE_STEPS = 1000
"""A Load share bar is signalled again when it moved by a thousandth of its length."""


def share_shown(share: float) -> tuple[str, int]:
    """What a Load share cell shows of ``share``: its text and its bar in thousandths
    (a bar under 1,000 pixels long moves by less than a pixel within one step)."""
    return fmt.percent_text(share), int(share * SHARE_STEPS)


_SMALL_SHARE = 0.005  # below this (and above 0) percent_text reads "<1%"
_CODE_STEPS = 2048  # above SHARE_STEPS: a code holds its percent text and its bar apart


def share_code(share: float) -> int:
    """``share_shown(share)`` as one int (equal codes for equal texts and bars): the
    percent shown (-1 for "<1%"), then the bar's thousandths."""
    text = -1 if 0.0 < share < _SMALL_SHARE else round(share * 100)  # as percent_text
    return (text + 1) * _CODE_STEPS + int(share * SHARE_STEPS)


def share_codes(clients: IntArray, total: int) -> IntArray:
    """``share_code`` of every ``clients / total`` (0 when ``total`` is 0), in numpy:
    the same float operations, so the same codes."""
    import numpy as np

    if not total:
        return np.full(len(clients), _CODE_STEPS, dtype=np.int64)  # a share of 0
    share = clients / total
    percent = np.rint(share * 100)  # rounds half to even, as format() and round() do
    text = np.where((share > 0.0) & (share < _SMALL_SHARE), -1.0, percent)
    codes: IntArray = (text.astype(np.int64) + 1) * _CODE_STEPS + (share * SHARE_STEPS).astype(
        np.int64
    )
    return codes


def _same_values(old: FloatArray, new: FloatArray) -> bool:
    import numpy as np  # loaded already: the arrays come from the load history

    return bool(np.array_equal(old, new))


def _descending_text(text: str) -> tuple[int, ...]:
    """A key that orders texts in reverse (``a < b`` gives ``key(a) > key(b)``): the
    negated code points, then 1, above any of them (a prefix sorts after the longer text)."""
    return (*(-ord(char) for char in text), 1)
