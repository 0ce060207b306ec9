"""RolloutTableModel: the servers of a rolling maintenance, one row each, in plan order.

Before a run starts the rows are the plan (reordered, added, removed by the panel);
during a run they follow the saved run's state. Live status and Clients come from the
latest cluster snapshot. Invariant: one row per planned server id, never two.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.api.models import ClusterSnapshot
from app.rollout import RolloutState, RunStatus, ServerStep

_Index = QModelIndex | QPersistentModelIndex


class RolloutColumn(IntEnum):
    """The columns; the order number is the vertical header."""

    SERVER = 0
    STATUS = 1
    CLIENTS = 2
    STEP = 3
    NOTE = 4


_HEADERS = {
    RolloutColumn.SERVER: "Server",
    RolloutColumn.STATUS: "Status",
    RolloutColumn.CLIENTS: "Clients",
    RolloutColumn.STEP: "Step",
    RolloutColumn.NOTE: "Note",
}


@dataclass(frozen=True)
class RolloutRow:
    server_id: str
    name: str
    status: str = ""
    clients: int | None = None
    step: str = "Planned"
    note: str = ""
    current: bool = False


class RolloutTableModel(QAbstractTableModel):
    """Rows of planned servers; ``ServerIdRole`` answers a row's server id."""

    ServerIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[RolloutRow] = []

    # -- reading ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RolloutColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation is Qt.Orientation.Vertical:
            return str(section + 1) if 0 <= section < len(self._rows) else None
        if 0 <= section < len(RolloutColumn):
            return _HEADERS[RolloutColumn(section)]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = RolloutColumn(index.column())
        if role == self.ServerIdRole:
            return row.server_id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.FontRole and row.current:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column is RolloutColumn.CLIENTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._display(row, column) or "empty"
        return None

    @staticmethod
    def _display(row: RolloutRow, column: RolloutColumn) -> str:
        if column is RolloutColumn.SERVER:
            return row.name
        if column is RolloutColumn.STATUS:
            return row.status
        if column is RolloutColumn.CLIENTS:
            return "" if row.clients is None else str(row.clients)
        if column is RolloutColumn.STEP:
            return row.step
        return row.note

    def server_ids(self) -> list[str]:
        return [row.server_id for row in self._rows]

    # -- planning ---------------------------------------------------------------------------
    def set_plan(self, rows: list[tuple[str, str]]) -> None:
        """Replace the rows with a plan of (server id, name), duplicates dropped."""
        seen: set[str] = set()
        fresh = []
        for server_id, name in rows:
            if server_id not in seen:
                seen.add(server_id)
                fresh.append(RolloutRow(server_id, name))
        self.beginResetModel()
        self._rows = fresh
        self.endResetModel()

    def move(self, row: int, delta: int) -> int:
        """Move a row up (-1) or down (+1); returns its new row (unchanged at an end)."""
        target = row + delta
        if not (0 <= row < len(self._rows) and 0 <= target < len(self._rows)) or delta == 0:
            return row
        destination = target + 1 if delta > 0 else target
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self._rows.insert(target, self._rows.pop(row))
        self.endMoveRows()
        self.headerDataChanged.emit(Qt.Orientation.Vertical, min(row, target), max(row, target))
        return target

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def add(self, server_id: str, name: str) -> bool:
        """Append a server; False when it is already planned."""
        if server_id in self.server_ids():
            return False
        end = len(self._rows)
        self.beginInsertRows(QModelIndex(), end, end)
        self._rows.append(RolloutRow(server_id, name))
        self.endInsertRows()
        return True

    # -- a run ------------------------------------------------------------------------------
    def set_state(self, state: RolloutState) -> None:
        """Follow a run: its servers in its order, each with its step and note."""
        live = {row.server_id: row for row in self._rows}
        rows = []
        for number, progress in enumerate(state.servers):
            known = live.get(progress.server_id)
            current = state.status.active and number == state.current
            step = progress.step.label
            if current and state.status is RunStatus.PAUSED:
                step += " (paused)"
            rows.append(
                RolloutRow(
                    progress.server_id,
                    progress.name,
                    status=known.status if known else "",
                    clients=known.clients if known else progress.clients,
                    step=step,
                    note=progress.note or _version_note(progress.step, progress.version_after),
                    current=current,
                )
            )
        self._replace(rows)

    def set_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """Show each planned server's live status and Clients."""
        by_id = {server.id: server for server in snapshot.servers}
        rows = []
        for row in self._rows:
            server = by_id.get(row.server_id)
            status, clients = (
                ("not in the cluster", None)
                if server is None
                else (server.status.value, server.clients)
            )
            # a new row only when it changes: this runs for every row on every poll
            if status != row.status or clients != row.clients:
                row = replace(row, status=status, clients=clients)
            rows.append(row)
        self._replace(rows)

    def _replace(self, rows: list[RolloutRow]) -> None:
        if [r.server_id for r in rows] != self.server_ids():
            self.beginResetModel()
            self._rows = rows
            self.endResetModel()
            return
        old, self._rows = self._rows, rows
        changed = [
            i for i, (a, b) in enumerate(zip(old, rows, strict=True)) if a is not b and a != b
        ]
        if changed:
            self.dataChanged.emit(
                self.index(changed[0], 0),
                self.index(changed[-1], len(RolloutColumn) - 1),
                [
                    Qt.ItemDataRole.DisplayRole,
                    Qt.ItemDataRole.FontRole,
                    Qt.ItemDataRole.AccessibleTextRole,
                ],
            )


def _version_note(step: ServerStep, version: str | None) -> str:
    if step is ServerStep.DONE and version:
        return f"on {version}"
    return ""
