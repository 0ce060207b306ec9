"""ServerTableModel keeps its rows in the sort order: one re-sort per update, equal to a
full sort, behind ServerFilterProxy (which then only filters)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester

from app.api.models import Server
from app.monitor import ServerHealth
from tests.ui.cluster.support import NOW, FakeClock, server, servers, snapshot
from ui.cluster.columns import Column, ServerRole
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel

KEYS: dict[Column, Callable[[Server, int], object]] = {
    Column.ADDRESS: lambda s, _total: [int(part) for part in s.address.split(".")],
    Column.CLIENTS: lambda s, _total: s.clients,
    Column.LOAD_SHARE: lambda s, total: s.clients / total if total else 0.0,
    Column.LAST_SEEN: lambda s, _total: s.last_seen.timestamp(),
    Column.NAME: lambda s, _total: (s.name.casefold(), s.id),
    Column.VERSION: lambda s, _total: s.version,  # one version: every row ties
}


def full_sort(current: list[Server], column: Column, order: Qt.SortOrder) -> list[str]:
    """The ids in the order of a sort from scratch: by the column's key, ties by id
    (ascending in either order)."""
    total = sum(s.clients for s in current)
    by_id = sorted(current, key=lambda s: s.id)
    ranked = sorted(
        by_id,
        key=lambda s: KEYS[column](s, total),  # type: ignore[arg-type,return-value]
        reverse=order == Qt.SortOrder.DescendingOrder,  # stable: ties stay by id
    )
    return [s.id for s in ranked]


def shown_ids(proxy: ServerFilterProxy) -> list[str]:
    return [proxy.server(row).id for row in range(proxy.rowCount())]


def table(rows: list[Server]) -> tuple[ServerTableModel, ServerFilterProxy]:
    model = ServerTableModel(clock=FakeClock())
    model.apply_snapshot(snapshot(rows))
    proxy = ServerFilterProxy()
    proxy.setSourceModel(model)
    return model, proxy


def a_poll(current: list[Server], rng: random.Random, poll: int) -> list[Server]:
    """30 Clients and heartbeat changes (many ties: Clients 0-15), a server leaving
    and one joining every third poll."""
    moved = list(current)
    for index in rng.sample(range(len(moved)), 30):
        moved[index] = moved[index].model_copy(
            update={
                "clients": rng.randint(0, 15),
                "last_seen": NOW + timedelta(seconds=poll + rng.random()),
            }
        )
    if poll % 3 == 0:
        del moved[rng.randrange(len(moved))]
        moved.append(server(500 + poll, clients=rng.randint(0, 15)))
    return moved


@pytest.mark.parametrize("column", list(KEYS))
@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_each_poll_is_one_re_sort_equal_to_a_full_sort(column: Column, order: Qt.SortOrder) -> None:
    rng = random.Random(11)
    current = [server(n, clients=rng.randint(0, 15)) for n in range(1, 151)]
    model, proxy = table(current)
    proxy.sort(column, order)
    assert shown_ids(proxy) == full_sort(current, column, order)
    layouts: list[object] = []
    proxy.layoutChanged.connect(lambda *args: layouts.append(args))
    for poll in range(1, 16):
        layouts.clear()
        sorts = model.sorts
        current = a_poll(current, rng, poll)
        model.apply_snapshot(snapshot(current))
        assert len(layouts) <= 1, f"poll {poll}: {len(layouts)} layout changes"
        assert model.sorts - sorts == len(layouts)
        expected = full_sort(current, column, order)
        assert shown_ids(proxy) == expected, f"poll {poll}"
        # ...and what a table built afresh from this snapshot shows.
        _fresh_model, fresh = table(current)
        fresh.sort(column, order)
        assert shown_ids(fresh) == expected


def test_a_poll_that_moves_many_rows_is_one_layout_change() -> None:
    current = [server(n, clients=n) for n in range(1, 101)]
    model, proxy = table(current)
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    layouts: list[object] = []
    proxy.layoutChanged.connect(lambda *args: layouts.append(args))
    reversed_clients = [s.model_copy(update={"clients": 101 - s.clients}) for s in current]
    model.apply_snapshot(snapshot(reversed_clients))
    assert len(layouts) == 1
    assert shown_ids(proxy) == [s.id for s in current]  # as-01 has 100 Clients now


def test_the_proxy_leaves_sorting_to_the_model() -> None:
    model, proxy = table(servers(5))
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    assert (model.sort_column, model.sort_order) == (Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    assert proxy.sortColumn() == -1  # Qt's proxy does not sort: it keeps the model's order


def test_unsorted_rows_stay_in_arrival_order() -> None:
    rows = [server(3, clients=1), server(1, clients=9), server(2, clients=5)]
    model, proxy = table(rows)
    assert shown_ids(proxy) == ["as-03", "as-01", "as-02"]
    proxy.sort(Column.CLIENTS, Qt.SortOrder.AscendingOrder)
    assert shown_ids(proxy) == ["as-03", "as-02", "as-01"]
    proxy.sort(-1)
    model.apply_snapshot(snapshot([rows[0].model_copy(update={"clients": 99}), *rows[1:]]))
    assert shown_ids(proxy) == ["as-03", "as-02", "as-01"]  # no longer re-sorted


def test_persistent_indexes_follow_their_server_through_a_re_sort() -> None:
    rng = random.Random(5)
    current = [server(n, clients=rng.randint(0, 50)) for n in range(1, 41)]
    model, proxy = table(current)
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    held = {
        proxy.server(row).id: QPersistentModelIndex(proxy.index(row, Column.CLIENTS))
        for row in range(proxy.rowCount())
    }
    sorts = model.sorts
    current = [s.model_copy(update={"clients": rng.randint(0, 50)}) for s in current]
    model.apply_snapshot(snapshot(current))
    assert model.sorts == sorts + 1
    for server_id, index in held.items():
        assert index.isValid()
        assert index.column() == Column.CLIENTS
        assert index.data(ServerRole.SERVER_ID) == server_id


def test_filtered_rows_keep_the_sort_order() -> None:
    rng = random.Random(9)
    current = [
        server(n, clients=rng.randint(0, 30), name=f"{'north' if n % 2 else 'south'}-{n:02d}")
        for n in range(1, 61)
    ]
    model, proxy = table(current)
    proxy.sort(Column.CLIENTS, Qt.SortOrder.AscendingOrder)
    proxy.set_filter_text("north")
    for poll in range(1, 6):
        current = a_poll(current, rng, poll)
        model.apply_snapshot(snapshot(current))
        expected = [
            sid
            for sid in full_sort(current, Column.CLIENTS, Qt.SortOrder.AscendingOrder)
            if "north" in next(s.name for s in current if s.id == sid)
        ]
        assert shown_ids(proxy) == expected


def test_a_round_of_healthchecks_re_sorts_a_table_sorted_by_health_once() -> None:
    model, proxy = table(servers(40))
    proxy.sort(Column.HEALTH, Qt.SortOrder.AscendingOrder)
    layouts: list[object] = []
    proxy.layoutChanged.connect(lambda *args: layouts.append(args))
    results = {
        f"as-{n:02d}": ServerHealth(f"as-{n:02d}", NOW, error="Refused") for n in range(5, 40, 4)
    }
    model.apply_health(results)
    assert len(layouts) == 1
    keys = [proxy.index(row, Column.HEALTH).data(ServerRole.SORT) for row in range(40)]
    assert keys == sorted(keys)  # type: ignore[type-var]


def test_model_contract_through_re_sorting_polls(qtmodeltester: ModelTester) -> None:
    rng = random.Random(3)
    current = [server(n, clients=rng.randint(0, 15)) for n in range(1, 61)]
    model, proxy = table(current)
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)
    qtmodeltester.check(proxy)
    for poll in range(1, 7):
        current = a_poll(current, rng, poll)
        model.apply_snapshot(snapshot(current))
    assert model.sorts > 0
