"""Servers, snapshots, a settable clock and a model-signal recorder for the cluster tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex

from app.api.models import ClusterInfo, ClusterSnapshot, Isolation, Server, ServerStatus

NOW = datetime(2026, 11, 25, 13, 50, 48, tzinfo=UTC)
CURRENT_VERSION = "9.2.4.1270"
OLD_VERSION = "9.2.3.1100"


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def server(number: int, **changes: Any) -> Server:
    """Server ``as-<number>`` (online, 10 Clients, current version, seen 5 s ago)."""
    fields: dict[str, Any] = {
        "id": f"as-{number:02d}",
        "name": f"EKRAN-AS{number:02d}",
        "address": f"10.0.0.{number}",
        "status": ServerStatus.ONLINE,
        "clients": 10,
        "version": CURRENT_VERSION,
        "isolation": None,
        "last_seen": NOW - timedelta(seconds=5),
        "management_url": f"https://10.0.0.{number}/EkranSystem",
    }
    fields.update(changes)
    return Server(**fields)


def servers(count: int, **changes: Any) -> list[Server]:
    return [server(n, **changes) for n in range(1, count + 1)]


def isolated(number: int, clients: int, reason: str = "Windows updates", **changes: Any) -> Server:
    isolation = Isolation(since=NOW - timedelta(minutes=12), by="admin", reason=reason)
    return server(
        number, status=ServerStatus.ISOLATED, clients=clients, isolation=isolation, **changes
    )


def snapshot(
    items: Iterable[Server], *, received_at: datetime = NOW, generated_at: datetime | None = None
) -> ClusterSnapshot:
    """A snapshot of ``items``; the cluster clock equals ``received_at`` unless given."""
    return ClusterSnapshot(
        cluster=ClusterInfo(name="Production", generated_at=generated_at or received_at),
        servers=tuple(items),
        etag='"1"',
        received_at=received_at,
        source_url="https://10.0.0.1/EkranSystem",
    )


def replace(items: list[Server], index: int, **changes: Any) -> list[Server]:
    """A copy of ``items`` with one server changed."""
    copy = list(items)
    copy[index] = copy[index].model_copy(update=changes)
    return copy


class ModelSignals:
    """Records the structural and data signals of a model.

    ``changed`` holds (first row, last row, first column, last column, roles) per
    ``dataChanged``.
    """

    def __init__(self, model: QAbstractItemModel) -> None:
        self.inserted: list[tuple[int, int]] = []
        self.removed: list[tuple[int, int]] = []
        self.resets = 0
        self.layout_changes = 0
        self.changed: list[tuple[int, int, int, int, list[int]]] = []
        model.rowsInserted.connect(lambda _p, first, last: self.inserted.append((first, last)))
        model.rowsRemoved.connect(lambda _p, first, last: self.removed.append((first, last)))
        model.modelReset.connect(self._on_reset)
        model.layoutChanged.connect(self._on_layout_changed)
        model.dataChanged.connect(self._on_data_changed)

    def clear(self) -> None:
        self.inserted.clear()
        self.removed.clear()
        self.changed.clear()
        self.resets = self.layout_changes = 0

    def changed_rows(self) -> set[int]:
        return {row for first, last, *_ in self.changed for row in range(first, last + 1)}

    def _on_reset(self) -> None:
        self.resets += 1

    def _on_layout_changed(self) -> None:
        self.layout_changes += 1

    def _on_data_changed(
        self, top_left: QModelIndex, bottom_right: QModelIndex, roles: list[int]
    ) -> None:
        self.changed.append(
            (top_left.row(), bottom_right.row(), top_left.column(), bottom_right.column(), roles)
        )
