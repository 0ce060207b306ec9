"""What each cell of the Application Servers table shows, per column and role.

``cell_data`` is the model's ``data()`` without the bookkeeping: given a row's facts
(``ServerRow``) and what is shared by all rows (``CellContext``), it answers one role
of one column. Roles a column does not use answer None.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from app.api.states import ServerStatus
from app.monitor import ServerHealth
from app.server_health import health_problem
from app.text_safety import display_text
from ui.cluster import formatting as fmt
from ui.cluster.columns import TREND_SECONDS, Column, ServerRole
from ui.icons import icon

if TYPE_CHECKING:
    from app.api.models import Server

if TYPE_CHECKING:  # numpy: loaded with the load history, after the first paint
    import numpy as np
    import numpy.typing as npt

    FloatArray: TypeAlias = npt.NDArray[np.float64]

_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole

_NOT_ISOLATED = float("inf")
_ISOLATED_SINCE_UNKNOWN = sys.float_info.max

_ALL_COLUMNS = frozenset(Column)
# The columns whose cells (any role, sort key included) show each field of a Server.
# A field missing here (one added to the API later) counts as shown in every column.
_FIELD_COLUMNS: dict[str, frozenset[Column]] = {
    "name": frozenset({Column.NAME}),
    "address": frozenset({Column.ADDRESS}),
    "status": frozenset({Column.STATUS}),
    "clients": frozenset({Column.CLIENTS, Column.LOAD_SHARE, Column.TREND}),
    "version": frozenset({Column.VERSION}),
    "isolation": frozenset({Column.ISOLATION}),
    "last_seen": frozenset({Column.LAST_SEEN}),
    "management_url": frozenset({Column.NAME, Column.HEALTH}),
}


class ClusterTotals:
    """What every row's Load share is measured against: the cluster's Client total.

    One instance is shared by all the rows of a table, so a new total changes every
    row's share without a new row each.
    """

    __slots__ = ("clients",)

    def __init__(self, clients: int = 0) -> None:
        self.clients = clients


@dataclass(slots=True)
class ServerRow:
    """One row's facts that change only with a snapshot; replaced, never edited (the
    shared ``totals`` excepted).

    The search text and sort keys are computed on first use and kept, so that sorting
    and filtering a large table asks Python for little.
    """

    server: Server
    totals: ClusterTotals
    mismatch: bool
    _search_text: str | None = field(default=None, init=False, repr=False)
    _shown: Server | None = field(default=None, init=False, repr=False)
    _sort_keys: dict[Column, int | float | str] = field(
        default_factory=dict, init=False, repr=False
    )

    def sort_key(self, column: Column, health: ServerHealth | None) -> int | float | str:
        """The column's sort key; each column has one type (int, float or str)."""
        if column is Column.HEALTH:
            return fmt.health_severity(health)
        if column is Column.LOAD_SHARE:
            return self.load_share
        key = self._sort_keys.get(column)
        if key is None:
            key = self._sort_keys[column] = _static_sort_key(column, self)
        return key

    @property
    def load_share(self) -> float:
        """The server's fraction (0..1) of the cluster's Clients; 0 when there are none."""
        total = self.totals.clients
        return self.server.clients / total if total else 0.0

    @property
    def shown(self) -> Server:
        """The server with every text it chose made safe to show, whole (``display_text``).

        Cells and tooltips are built from this copy; actions, sort keys and the search
        use ``server``, the real values.
        """
        if self._shown is None:
            self._shown = shown_server(self.server)
        return self._shown

    @property
    def search_text(self) -> str:
        """Name, address, id, version, status text and isolation reason, one per line."""
        if self._search_text is None:
            s = self.server
            reason = s.isolation.reason if s.isolation and s.isolation.reason else ""
            fields = (s.name, s.address, s.id, s.version or "", fmt.status_text(s), reason)
            self._search_text = "\n".join(fields)
        return self._search_text


@dataclass(frozen=True, slots=True)
class CellContext:
    """What a cell needs besides its row: shared facts and the row's overlays.

    ``cluster_now`` is the cluster's clock now (estimated from the last snapshot), which
    relative times are measured against so that a skewed local clock does not matter.
    ``sparkline`` is the row's recent Clients (None when the table has no history).
    """

    majority_version: str | None
    total_clients: int
    cluster_now: datetime
    health: ServerHealth | None
    pending: str | None
    sparkline: FloatArray | None = None


def shown_server(server: Server) -> Server:
    """A copy of ``server`` whose texts are safe to show, whole (see ``display_text``)."""

    def safe(text: str | None) -> str | None:
        return None if text is None else display_text(text, None)

    isolation = server.isolation
    if isolation is not None:
        isolation = isolation.model_copy(
            update={"by": safe(isolation.by), "reason": safe(isolation.reason)}
        )
    return server.model_copy(
        update={
            "id": display_text(server.id, None),
            "name": display_text(server.name, None),
            "address": display_text(server.address, None),
            "version": safe(server.version),
            "management_url": safe(server.management_url),
            "isolation": isolation,
        }
    )


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip Qt shows literally: text that looks like markup is escaped."""
    if not QtGui.Qt.mightBeRichText(text):  # the function lives in QtGui's Qt namespace
        return text
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def cell_data(column: Column, role: int, row: ServerRow, ctx: CellContext) -> object:
    """The value of ``role`` for ``column`` of ``row``, or None.

    Texts a server chose are shown through ``row.shown``; a cell's text is also cut to
    ``DISPLAY_LIMIT`` characters with an ellipsis, and its tooltip carries it whole.
    """
    if role == _DISPLAY:
        return display_text(_display(column, row, ctx))
    if role == _DECORATION:
        return _decoration(column, row, ctx)
    if role == _TOOLTIP:
        tooltip = _tooltip(column, row, ctx)
        return None if tooltip is None else plain_tooltip(tooltip)
    if role == _ACCESSIBLE:
        return _accessible(column, row, ctx)
    if role == _ALIGNMENT:
        return _alignment(column)
    return _custom(column, role, row, ctx)


def _display(column: Column, row: ServerRow, ctx: CellContext) -> str:
    s = row.shown
    match column:
        case Column.STATUS:
            return ctx.pending or fmt.status_text(s, ctx.health)
        case Column.NAME:
            return s.name
        case Column.ADDRESS:
            return s.address
        case Column.CLIENTS:
            return fmt.number_text(s.clients)
        case Column.LOAD_SHARE:
            return fmt.percent_text(row.load_share)
        case Column.TREND:
            return ""  # painted by SparklineDelegate
        case Column.VERSION:
            return s.version or fmt.NO_VALUE
        case Column.HEALTH:
            return fmt.health_text(ctx.health)
        case Column.ISOLATION:
            if s.isolation is None:
                return ""
            return fmt.isolation_text(s.isolation, _isolated_for(s, ctx))
        case Column.LAST_SEEN:
            return fmt.relative_time(_seconds_since(s.last_seen, ctx))


def _decoration(column: Column, row: ServerRow, ctx: CellContext) -> QIcon | None:
    match column:
        case Column.STATUS:
            if ctx.pending:
                return icon("status-pending")
            if health_problem(row.server, ctx.health) is not None:
                return icon("banner-warning")
            return icon(f"status-{row.server.status.value}")
        case Column.VERSION if row.mismatch:
            return icon("version-mismatch")
        case Column.HEALTH:
            health_icon = fmt.health_icon_name(ctx.health)
            return None if health_icon is None else icon(health_icon)
    return None


def _tooltip(column: Column, row: ServerRow, ctx: CellContext) -> str | None:
    s = row.shown
    match column:
        case Column.STATUS:
            if ctx.pending:
                return f"{ctx.pending}\nCurrent status: {fmt.status_text(s, ctx.health)}"
            text = f"{fmt.status_text(s, ctx.health)}\n{fmt.status_explanation(s.status)}"
            if health_problem(row.server, ctx.health) is not None:
                text += "\n\nIts own healthcheck:\n" + fmt.health_tooltip(ctx.health, s)
            return text
        case Column.NAME:
            endpoint = s.management_url or "none (this server cannot be contacted directly)"
            return f"{s.name} (id {s.id})\nManagement Tool: {endpoint}"
        case Column.CLIENTS:
            return f"{fmt.clients_phrase(s.clients)} connected now"
        case Column.LOAD_SHARE:
            return (
                f"{fmt.percent_text(row.load_share)} of all connected Clients "
                f"({fmt.number_text(s.clients)} of {fmt.number_text(ctx.total_clients)})"
            )
        case Column.TREND:
            return trend_text(ctx.sparkline)
        case Column.VERSION:
            return _version_note(row, ctx)
        case Column.HEALTH:
            return fmt.health_tooltip(ctx.health, s)
        case Column.ISOLATION:
            return None if s.isolation is None else fmt.isolation_tooltip(s.isolation)
        case Column.LAST_SEEN:
            return f"Last heartbeat: {fmt.local_time_text(s.last_seen)}"
    return None


def _accessible(column: Column, row: ServerRow, ctx: CellContext) -> str | None:
    s = row.shown
    match column:
        case Column.STATUS if ctx.pending:
            return f"{ctx.pending} Current status: {fmt.status_text(s, ctx.health)}"
        case Column.LOAD_SHARE:
            return f"{fmt.percent_text(row.load_share)} of all connected Clients"
        case Column.TREND:
            return trend_text(ctx.sparkline)
        case Column.VERSION if row.mismatch:
            majority = display_text(ctx.majority_version or "", None)
            return f"{s.version}, which differs from the version most servers run ({majority})"
        case Column.HEALTH if ctx.health is not None and ctx.health.report is None:
            return f"Check failed: {ctx.health.error or 'unknown error'}"
        case Column.LAST_SEEN:
            relative = fmt.relative_time(_seconds_since(s.last_seen, ctx))
            return f"{relative} ({fmt.local_time_text(s.last_seen)})"
    return None


def _alignment(column: Column) -> Qt.AlignmentFlag | None:
    if column is Column.CLIENTS:
        return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    if column is Column.LOAD_SHARE:
        return Qt.AlignmentFlag.AlignCenter
    return None


def _custom(column: Column, role: int, row: ServerRow, ctx: CellContext) -> object:
    match role:
        case ServerRole.SERVER:
            return row.server
        case ServerRole.SERVER_ID:
            return row.server.id
        case ServerRole.SORT:
            return row.sort_key(column, ctx.health)
        case ServerRole.LOAD_SHARE:
            return row.load_share
        case ServerRole.HEALTH:
            return ctx.health
        case ServerRole.MISMATCH:
            return row.mismatch
        case ServerRole.PENDING:
            return ctx.pending
        case ServerRole.SEARCH_TEXT:
            return row.search_text
        case ServerRole.SPARKLINE:
            return ctx.sparkline
    return None


def _static_sort_key(column: Column, row: ServerRow) -> int | float | str:
    """The sort key of a column that depends on the row alone (not Health)."""
    s = row.server
    match column:
        case Column.STATUS:
            return fmt.status_severity(s.status)
        case Column.NAME:
            return f"{s.name.casefold()}\n{s.id}"
        case Column.ADDRESS:
            return fmt.address_sort_key(s.address)
        case Column.CLIENTS | Column.TREND:
            return s.clients
        case Column.VERSION:
            return fmt.version_sort_key(s.version)
        case Column.ISOLATION:
            if s.isolation is None:
                return _NOT_ISOLATED
            since = s.isolation.since
            return _ISOLATED_SINCE_UNKNOWN if since is None else since.timestamp()
        case Column.LAST_SEEN:
            return s.last_seen.timestamp()
    raise ValueError(f"{column!r} has no static sort key")


def changed_columns(old: Server, new: Server) -> frozenset[Column]:
    """The columns whose cells of the same server may differ between ``old`` and ``new``.

    Only these cells need a ``dataChanged``; a sorted proxy then re-sorts the row only
    when the sort column is among them. Cells that depend on more than the server
    (Load share on the Client total, Version on the majority, Health on the
    healthchecks, relative times on the clock) are signalled by the model separately.
    """
    columns: set[Column] = set()
    for name in type(new).model_fields:
        if getattr(old, name) != getattr(new, name):
            columns |= _FIELD_COLUMNS.get(name, _ALL_COLUMNS)
    if Column.CLIENTS in columns and ServerStatus.ISOLATED in (old.status, new.status):
        columns.add(Column.STATUS)  # "Isolated, 12 Clients still connected"
    return frozenset(columns)


def trend_text(values: FloatArray | None) -> str:
    """The Trend cell in words: "Clients over the last 5 minutes: 12 to 30, now 28"."""
    span = f"the last {TREND_SECONDS / 60:g} minutes"
    if values is None or not len(values):
        return f"No load history for {span} yet"
    low, high, last = int(values.min()), int(values.max()), int(values[-1])
    if low == high:
        return f"Clients over {span}: steady at {fmt.number_text(last)}"
    return (
        f"Clients over {span}: {fmt.number_text(low)} to {fmt.number_text(high)}, "
        f"now {fmt.number_text(last)}"
    )


def _version_note(row: ServerRow, ctx: CellContext) -> str | None:
    if row.server.version is None:
        return "The server did not report its version."
    if row.mismatch:
        majority = display_text(ctx.majority_version or "", None)
        return f"Differs from the version most servers run ({majority})"
    return None


def _seconds_since(moment: datetime, ctx: CellContext) -> float:
    return max(0.0, (ctx.cluster_now - moment).total_seconds())


def _isolated_for(server: Server, ctx: CellContext) -> float | None:
    if server.isolation is None or server.isolation.since is None:
        return None
    return _seconds_since(server.isolation.since, ctx)
