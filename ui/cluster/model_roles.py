"""Which roles ServerTableModel answers, and which each kind of ``dataChanged`` names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from PySide6.QtCore import QModelRoleData, QModelRoleDataSpan, Qt

from ui.cluster.columns import Column, ServerRole

_ROLES = Qt.ItemDataRole
SORT = int(ServerRole.SORT)
SERVER = int(ServerRole.SERVER)
SEARCH_TEXT = int(ServerRole.SEARCH_TEXT)
SPARKLINE = int(ServerRole.SPARKLINE)
SERVER_ID = int(ServerRole.SERVER_ID)

# The roles each kind of dataChanged names.
SHOWN_ROLES = (
    _ROLES.DisplayRole,
    _ROLES.DecorationRole,
    _ROLES.ToolTipRole,
    _ROLES.AccessibleTextRole,
)
ROW_ROLES: list[int] = [int(r) for r in (*SHOWN_ROLES, *ServerRole)]
LOAD_ROLES: list[int] = [int(r) for r in (*SHOWN_ROLES, ServerRole.LOAD_SHARE, ServerRole.SORT)]
VERSION_ROLES: list[int] = [int(r) for r in (*SHOWN_ROLES, ServerRole.MISMATCH)]
HEALTH_ROLES: list[int] = [int(r) for r in (*SHOWN_ROLES, ServerRole.HEALTH, ServerRole.SORT)]
STATUS_ROLES: list[int] = [int(r) for r in SHOWN_ROLES]
PENDING_ROLES: list[int] = [int(r) for r in (*SHOWN_ROLES, ServerRole.PENDING)]
SPARKLINE_ROLES: list[int] = [
    int(r) for r in (_ROLES.ToolTipRole, _ROLES.AccessibleTextRole, ServerRole.SPARKLINE)
]
# Relative times move with the clock; their sort keys (absolute times) do not.
TICK_ROLES: list[int] = [int(_ROLES.DisplayRole), int(_ROLES.AccessibleTextRole)]

# Every role a cell answers; the views also ask for fonts, colours, check states and
# size hints, which are answered None without any work.
NO_COLUMNS: frozenset[Column] = frozenset()
ANSWERED_ROLES = frozenset(int(r) for r in (*SHOWN_ROLES, _ROLES.TextAlignmentRole, *ServerRole))
# Roles answered from the row alone, without a CellContext.
ROW_ANSWERS = frozenset({SORT, SERVER, SERVER_ID, SEARCH_TEXT, SPARKLINE})


def entries(span: QModelRoleDataSpan | QModelRoleData) -> Sequence[QModelRoleData]:
    """The entries of a ``multiData`` span (PySide gives it the sequence protocol)."""
    if isinstance(span, QModelRoleData):
        return (span,)
    return cast("Sequence[QModelRoleData]", span)


def ranges(numbers: Sequence[int]) -> list[tuple[int, int]]:
    """[(first, last), …] of the contiguous runs in the ascending ``numbers``."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs
