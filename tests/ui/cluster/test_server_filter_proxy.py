"""ServerFilterProxy: filter matching and sorting by each column's sort key."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.modeltest import ModelTester

from app.api.models import Server, ServerStatus
from app.monitor import ServerHealth
from tests.ui.cluster.support import (
    NOW,
    FakeClock,
    isolated,
    replace,
    server,
    servers,
    snapshot,
)
from ui.cluster.columns import Column, ServerRole
from ui.cluster.server_filter_proxy import ServerFilterProxy
from ui.cluster.server_table_model import ServerTableModel


@pytest.fixture
def model() -> ServerTableModel:
    model = ServerTableModel(clock=FakeClock())
    model.apply_snapshot(
        snapshot(
            [
                server(1, name="EKRAN-NORTH", clients=100),
                server(2, name="ekran-south", clients=9, version="9.2.3.1100"),
                isolated(3, clients=20, reason="Disk replacement", name="EKRAN-EAST"),
                server(4, name="EKRAN-WEST", clients=0, status=ServerStatus.OFFLINE),
            ]
        )
    )
    return model


@pytest.fixture
def proxy(model: ServerTableModel) -> ServerFilterProxy:
    proxy = ServerFilterProxy()
    proxy.setSourceModel(model)
    return proxy


def shown_ids(proxy: ServerFilterProxy) -> list[str]:
    return [proxy.server(row).id for row in range(proxy.rowCount())]


def test_proxy_contract_with_filter_sort_and_updates(
    proxy: ServerFilterProxy, model: ServerTableModel, qtmodeltester: ModelTester
) -> None:
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    proxy.set_filter_text("ekran")
    qtmodeltester.check(proxy)
    model.apply_snapshot(snapshot([*servers(2), server(9, name="other")]))
    qtmodeltester.check(proxy)
    assert shown_ids(proxy) == ["as-01", "as-02"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["as-01", "as-02", "as-03", "as-04"]),
        ("SOUTH", ["as-02"]),  # name, case-insensitive
        ("10.0.0.4", ["as-04"]),  # address
        ("as-03", ["as-03"]),  # id
        ("9.2.3", ["as-02"]),  # version
        ("offline", ["as-04"]),  # status text
        ("still connected", ["as-03"]),  # status text of an isolated server
        ("disk repl", ["as-03"]),  # isolation reason
        ("  north  ", ["as-01"]),  # surrounding spaces are ignored
        ("nowhere", []),
    ],
)
def test_filter_matches_substrings_of_the_searchable_fields(
    proxy: ServerFilterProxy, text: str, expected: list[str]
) -> None:
    proxy.set_filter_text(text)
    assert sorted(shown_ids(proxy)) == expected


def test_filter_follows_data_changes(proxy: ServerFilterProxy, model: ServerTableModel) -> None:
    proxy.set_filter_text("offline")
    assert shown_ids(proxy) == ["as-04"]
    current = model.servers()
    model.apply_snapshot(snapshot(replace(current, 0, status=ServerStatus.OFFLINE, clients=0)))
    assert sorted(shown_ids(proxy)) == ["as-01", "as-04"]


def test_sort_by_clients_is_numeric(proxy: ServerFilterProxy) -> None:
    proxy.sort(Column.CLIENTS, Qt.SortOrder.AscendingOrder)
    # Numerically 0 < 9 < 20 < 100 (as text "100" would sort before "20" and "9").
    assert shown_ids(proxy) == ["as-04", "as-02", "as-03", "as-01"]


def test_sort_is_dynamic(proxy: ServerFilterProxy, model: ServerTableModel) -> None:
    proxy.sort(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    assert shown_ids(proxy)[0] == "as-01"
    current = model.servers()
    south = [s.id for s in current].index("as-02")
    model.apply_snapshot(snapshot(replace(current, south, clients=500)))
    assert shown_ids(proxy)[0] == "as-02"


def test_sort_by_name_ignores_case(proxy: ServerFilterProxy) -> None:
    proxy.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert shown_ids(proxy) == ["as-03", "as-01", "as-02", "as-04"]


def test_clock_ticks_do_not_move_rows(proxy: ServerFilterProxy, model: ServerTableModel) -> None:
    proxy.set_filter_text("ekran")
    proxy.sort(Column.LAST_SEEN, Qt.SortOrder.AscendingOrder)
    before = shown_ids(proxy)
    layout_changes: list[object] = []
    repaints: list[object] = []
    proxy.layoutChanged.connect(lambda *args: layout_changes.append(args))
    proxy.dataChanged.connect(lambda *args: repaints.append(args))
    model.tick()
    assert repaints  # the relative times are refreshed through the proxy
    assert layout_changes == []
    assert shown_ids(proxy) == before


P = TypeVar("P", bound=ServerFilterProxy)


def sorted_table(
    rows: list[Server], column: Column, order: Qt.SortOrder, proxy: P
) -> tuple[ServerTableModel, P]:
    """A model of ``rows`` behind ``proxy``, sorted by ``column``."""
    model = ServerTableModel(clock=FakeClock())
    model.apply_snapshot(snapshot(rows))
    proxy.setSourceModel(model)
    proxy.sort(column, order)
    return model, proxy


def sort_keys(proxy: ServerFilterProxy, column: Column) -> list[object]:
    return [proxy.index(row, column).data(ServerRole.SORT) for row in range(proxy.rowCount())]


@pytest.mark.parametrize("column", [Column.CLIENTS, Column.LOAD_SHARE, Column.LAST_SEEN])
def test_sorted_order_stays_right_when_many_rows_change_at_once(column: Column) -> None:
    rng = random.Random(7)
    current = [server(n, clients=rng.randint(0, 60)) for n in range(1, 201)]
    model, proxy = sorted_table(current, column, Qt.SortOrder.DescendingOrder, ServerFilterProxy())
    for poll in range(20):
        for index in rng.sample(range(200), 30):
            current[index] = current[index].model_copy(
                update={
                    "clients": max(0, current[index].clients + rng.randint(-9, 9)),
                    "last_seen": NOW + timedelta(seconds=poll + rng.random()),
                }
            )
        model.apply_snapshot(snapshot(current))
        keys = sort_keys(proxy, column)
        assert keys == sorted(keys, reverse=True), f"poll {poll}"  # type: ignore[type-var]


def test_health_order_stays_right_when_many_results_change_at_once() -> None:
    model, proxy = sorted_table(
        servers(40), Column.HEALTH, Qt.SortOrder.AscendingOrder, ServerFilterProxy()
    )
    rng = random.Random(3)
    for _ in range(5):
        results = {
            f"as-{n:02d}": ServerHealth(f"as-{n:02d}", NOW, error="Refused")
            for n in range(1, 41)
            if rng.random() < 0.5
        }
        model.apply_health(results)
        keys = sort_keys(proxy, Column.HEALTH)
        assert keys == sorted(keys)  # type: ignore[type-var]


def test_a_heartbeat_does_not_resort_a_table_sorted_by_clients() -> None:
    model, proxy = sorted_table(
        servers(50), Column.CLIENTS, Qt.SortOrder.DescendingOrder, ServerFilterProxy()
    )
    layouts: list[object] = []
    proxy.layoutChanged.connect(lambda *args: layouts.append(args))
    sorts = model.sorts
    current = model.servers()
    for index in range(0, 50, 3):
        current = replace(current, index, last_seen=NOW)
    model.apply_snapshot(snapshot(current))
    assert (model.sorts, layouts) == (sorts, [])
    five = [s.id for s in current].index("as-05")
    model.apply_snapshot(snapshot(replace(current, five, clients=99)))
    assert (model.sorts, len(layouts)) == (sorts + 1, 1)
    assert shown_ids(proxy)[0] == "as-05"


def test_painted_cells_get_the_model_values_through_the_proxy(
    qapp: QApplication, proxy: ServerFilterProxy, model: ServerTableModel
) -> None:
    proxy.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    delegate = QStyledItemDelegate()
    for row in range(proxy.rowCount()):
        for column in Column:
            index = proxy.index(row, column)
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, index)  # asks multiData for seven roles
            assert option.text == (index.data(Qt.ItemDataRole.DisplayRole) or "")
    clients = proxy.index(0, Column.CLIENTS)
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, clients)
    assert option.displayAlignment & Qt.AlignmentFlag.AlignRight
