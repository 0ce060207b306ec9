"""cells.changed_columns: which cells a change of a server's fields touches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon

from app.api.models import Isolation, Server, ServerStatus
from tests.ui.cluster.support import NOW, OLD_VERSION, isolated, server
from ui.cluster.cells import CellContext, ClusterTotals, ServerRow, cell_data, changed_columns
from ui.cluster.columns import Column, ServerRole

_ROLES = [
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.AccessibleTextRole,
    Qt.ItemDataRole.TextAlignmentRole,
    *(role for role in ServerRole if role not in (ServerRole.SERVER, ServerRole.SEARCH_TEXT)),
]
_CONTEXT = CellContext(
    majority_version="9.2.4.1270",
    total_clients=100,
    cluster_now=NOW,
    health=None,
    pending=None,
    sparkline=np.array([1.0, 3.0, 2.0]),
)

# (old, new) pairs, one field or a few changed.
_CHANGES: list[tuple[Server, dict[str, Any]]] = [
    (server(1), {"name": "EKRAN-NEW"}),
    (server(1), {"address": "10.9.9.9"}),
    (server(1), {"status": ServerStatus.OFFLINE}),
    (server(1), {"clients": 11}),
    (server(1), {"version": OLD_VERSION}),
    (server(1), {"version": None}),
    (server(1), {"last_seen": NOW - timedelta(hours=3)}),
    (server(1), {"management_url": None}),
    (server(1), {"status": ServerStatus.ISOLATED, "isolation": Isolation(reason="Updates")}),
    (isolated(2, clients=5), {"clients": 1}),
    (isolated(2, clients=5), {"clients": 0}),
    (isolated(2, clients=5), {"isolation": Isolation(since=NOW, by="root", reason="Disk")}),
    (isolated(2, clients=0), {"status": ServerStatus.ONLINE, "isolation": None}),
]


def _comparable(value: object) -> object:
    if isinstance(value, QIcon):
        return ("icon", value.cacheKey())
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value


def _cells(row: ServerRow, column: Column) -> list[object]:
    # The share follows the Client total too, which the model signals on its own (the
    # Load share column; no view reads the role elsewhere).
    roles = [r for r in _ROLES if r != ServerRole.LOAD_SHARE or column is Column.LOAD_SHARE]
    values = [_comparable(cell_data(column, role, row, _CONTEXT)) for role in roles]
    return [*values, row.sort_key(column, None)]


@pytest.mark.parametrize(("before", "changes"), _CHANGES)
def test_every_cell_that_differs_is_in_a_changed_column(
    before: Server, changes: dict[str, Any]
) -> None:
    after = before.model_copy(update=changes)
    totals = ClusterTotals(400)
    old, new = ServerRow(before, totals, False), ServerRow(after, totals, False)
    differing = {column for column in Column if _cells(old, column) != _cells(new, column)}
    columns = changed_columns(before, after)
    assert differing <= columns
    if old.search_text != new.search_text:
        assert columns  # some signal reaches the row, so a filtering proxy looks again


def test_changed_columns_name_only_what_a_field_shows() -> None:
    base = server(1)
    assert changed_columns(base, base.model_copy()) == frozenset()
    assert changed_columns(base, base.model_copy(update={"last_seen": NOW})) == {Column.LAST_SEEN}
    assert changed_columns(base, base.model_copy(update={"clients": 99})) == {
        Column.CLIENTS,
        Column.LOAD_SHARE,
        Column.TREND,
    }
    drained = isolated(2, clients=3)
    assert Column.STATUS in changed_columns(drained, drained.model_copy(update={"clients": 2}))
