"""ServerTableModel over random polls: the cells always read as a fresh model's, and
every cell that changed is named by a ``dataChanged`` with its role."""

from __future__ import annotations

import random

from PySide6.QtCore import QModelIndex, Qt

from app.api.models import Server, ServerStatus
from tests.ui.cluster.support import (
    CURRENT_VERSION,
    OLD_VERSION,
    FakeClock,
    isolated,
    server,
    snapshot,
)
from ui.cluster.columns import Column, ServerRole
from ui.cluster.server_table_model import ServerTableModel, share_shown

ROLES = [
    int(Qt.ItemDataRole.DisplayRole),
    int(Qt.ItemDataRole.ToolTipRole),
    int(Qt.ItemDataRole.AccessibleTextRole),
    int(ServerRole.SORT),
]
OWN_COLUMN_ROLES = {
    Column.LOAD_SHARE: int(ServerRole.LOAD_SHARE),
    Column.VERSION: int(ServerRole.MISMATCH),
}
"""Roles only their own column's delegate reads."""
Cells = dict[tuple[str, int, int], object]


def cells(model: ServerTableModel) -> Cells:
    """Every (server id, column, role) value (``OWN_COLUMN_ROLES`` in their column)."""
    values: Cells = {}
    for row in range(model.rowCount()):
        server_id = model.server(row).id
        for column in Column:
            index = model.index(row, column)
            own = OWN_COLUMN_ROLES.get(column)
            roles = ROLES if own is None else [*ROLES, own]
            for role in roles:
                values[(server_id, column, role)] = index.data(role)
    return values


def changed_version(rng: random.Random, item: Server) -> Server:
    choice = rng.randrange(6)
    if choice == 0:
        return item.model_copy(update={"clients": rng.randrange(4) * 5})
    if choice == 1:
        return item.model_copy(update={"version": rng.choice([CURRENT_VERSION, OLD_VERSION])})
    if choice == 2:
        number = int(item.id[3:])
        return isolated(number, clients=item.clients)
    if choice == 3:
        return item.model_copy(update={"status": rng.choice(list(ServerStatus))})
    if choice == 4:
        return item.model_copy()  # equal values, another object
    return item.model_copy(update={"name": item.name + "x"})


def _same_share_shown(before: Cells, after: Cells, server_id: str) -> bool:
    """True when a Load share cell shows the same text and bar (``share_shown``)."""
    key = (server_id, int(Column.LOAD_SHARE), int(ServerRole.LOAD_SHARE))
    old, new = before.get(key), after.get(key)
    if not isinstance(old, float) or not isinstance(new, float):
        return False
    return share_shown(old) == share_shown(new)


def test_random_polls_signal_every_changed_cell_and_read_as_a_fresh_model() -> None:
    rng = random.Random(11)
    clock = FakeClock()
    model = ServerTableModel(clock=clock)
    signalled: list[tuple[int, int, int, int, list[int]]] = []

    def on_changed(top_left: QModelIndex, bottom_right: QModelIndex, roles: list[int]) -> None:
        signalled.append(
            (top_left.row(), bottom_right.row(), top_left.column(), bottom_right.column(), roles)
        )

    model.dataChanged.connect(on_changed)
    shown = [server(n, clients=rng.randrange(4) * 5) for n in range(1, 13)]
    next_number = 13
    model.apply_snapshot(snapshot(shown))
    for _poll in range(150):
        before = cells(model)
        layout = [model.server(row).id for row in range(model.rowCount())]
        for index in rng.sample(range(len(shown)), rng.randrange(0, 4)):
            shown[index] = changed_version(rng, shown[index])
        if rng.random() < 0.1 and len(shown) > 3:
            shown.pop(rng.randrange(len(shown)))
        if rng.random() < 0.1:
            shown.append(server(next_number, clients=5))
            next_number += 1
        signalled.clear()
        model.apply_snapshot(snapshot(shown))

        fresh = ServerTableModel(clock=clock)
        fresh.apply_snapshot(snapshot(shown))
        after = cells(model)
        assert after == cells(fresh)
        same_rows = [model.server(row).id for row in range(model.rowCount())][: len(layout)]
        if same_rows != layout:
            continue  # rows moved: removals, which Qt signals themselves
        for (server_id, column, role), value in after.items():
            if before.get((server_id, column, role), value) == value:
                continue
            if column == Column.LOAD_SHARE and _same_share_shown(before, after, server_id):
                continue  # moved by the total alone, by less than the cell shows
            row = model.row_of(server_id)
            assert any(
                top <= row <= bottom and left <= column <= right and role in roles
                for top, bottom, left, right, roles in signalled
            ), (server_id, Column(column), role)
