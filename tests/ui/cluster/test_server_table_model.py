"""ServerTableModel: in-place updates, cell contents and the model contract."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from PySide6.QtCore import QModelIndex, QModelRoleData, QModelRoleDataSpan, Qt
from PySide6.QtGui import QIcon
from pytestqt.modeltest import ModelTester

from app.api.models import HealthEntry, HealthReport, HealthStatus, ServerStatus
from app.monitor import ServerHealth
from tests.ui.cluster.support import (
    NOW,
    OLD_VERSION,
    FakeClock,
    ModelSignals,
    isolated,
    replace,
    server,
    servers,
    snapshot,
)
from ui.cluster.columns import Column, ServerRole
from ui.cluster.server_table_model import ServerTableModel

DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole


def cell(model: ServerTableModel, server_id: str, column: Column, role: int = DISPLAY) -> object:
    row = model.row_of(server_id)
    assert row is not None, server_id
    return model.index(row, column).data(role)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def model(clock: FakeClock) -> ServerTableModel:
    return ServerTableModel(clock=clock)


def test_model_contract_holds_through_updates_inserts_and_removes(
    model: ServerTableModel, qtmodeltester: ModelTester
) -> None:
    model.apply_snapshot(snapshot(servers(4)))
    qtmodeltester.check(model)
    model.apply_snapshot(snapshot([*servers(2), server(5), server(6, clients=3)]))
    model.apply_snapshot(snapshot([server(6, clients=8), server(7)]))
    model.set_pending("as-06", "Isolating…")
    qtmodeltester.check(model)
    assert [s.id for s in model.servers()] == ["as-06", "as-07"]


def test_first_snapshot_inserts_rows_in_snapshot_order(model: ServerTableModel) -> None:
    signals = ModelSignals(model)
    model.apply_snapshot(snapshot([server(3), server(1), server(2)]))
    assert signals.inserted == [(0, 2)]
    assert [model.server(row).id for row in range(3)] == ["as-03", "as-01", "as-02"]
    assert model.row_of("as-01") == 1
    assert model.row_of("as-99") is None


def test_an_update_signals_only_the_rows_that_changed_without_reset(
    model: ServerTableModel,
) -> None:
    before = servers(6)
    model.apply_snapshot(snapshot(before))
    signals = ModelSignals(model)
    # Clients move from as-02 to as-05 (the total stays the same); as-04 is renamed.
    after = replace(replace(before, 1, clients=5), 4, clients=15)
    after = replace(after, 3, name="EKRAN-AS04-NEW")
    model.apply_snapshot(snapshot(after))
    assert signals.resets == 0
    assert signals.inserted == []
    assert signals.removed == []
    assert signals.changed_rows() == {1, 3, 4}
    # Only the cells showing what changed: Clients, Load share and Trend (sorted by the
    # Clients) of as-02 and as-05, the Name of as-04; one dataChanged per contiguous
    # range of rows and columns.
    assert sorted(c[:4] for c in signals.changed) == [
        (1, 1, Column.CLIENTS, Column.TREND),
        (3, 3, Column.NAME, Column.NAME),
        (4, 4, Column.CLIENTS, Column.TREND),
    ]
    for _first, _last, _left, _right, roles in signals.changed:
        assert DISPLAY in roles
        assert ServerRole.SORT in roles
        assert ServerRole.SEARCH_TEXT in roles
    assert cell(model, "as-04", Column.NAME) == "EKRAN-AS04-NEW"


def test_a_heartbeat_signals_only_the_last_seen_cell(model: ServerTableModel) -> None:
    before = servers(5)
    model.apply_snapshot(snapshot(before))
    signals = ModelSignals(model)
    after = replace(replace(before, 1, last_seen=NOW), 2, last_seen=NOW)
    model.apply_snapshot(snapshot(after))
    assert [c[:4] for c in signals.changed] == [
        (1, 1, Column.LAST_SEEN, Column.LAST_SEEN),
        (2, 2, Column.LAST_SEEN, Column.LAST_SEEN),
    ]
    assert cell(model, "as-02", Column.LAST_SEEN) == "just now"


def test_clients_of_an_isolated_server_also_change_its_status_cell(
    model: ServerTableModel,
) -> None:
    model.apply_snapshot(snapshot([server(1), isolated(2, clients=5)]))
    signals = ModelSignals(model)
    model.apply_snapshot(snapshot([server(1, clients=14), isolated(2, clients=1)]))
    assert sorted(c[:4] for c in signals.changed) == [
        (0, 0, Column.CLIENTS, Column.TREND),
        (1, 1, Column.STATUS, Column.STATUS),
        (1, 1, Column.CLIENTS, Column.TREND),
    ]
    assert cell(model, "as-02", Column.STATUS) == "Isolated, 1 Client still connected"


def test_an_identical_snapshot_signals_nothing(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(5)))
    signals = ModelSignals(model)
    model.apply_snapshot(snapshot(servers(5)))  # equal but new objects
    assert signals.changed == []
    assert signals.inserted == []
    assert signals.removed == []


def test_servers_that_disappear_are_removed_and_new_ones_appended(
    model: ServerTableModel,
) -> None:
    model.apply_snapshot(snapshot(servers(6)))
    signals = ModelSignals(model)
    kept = [s for s in servers(6) if s.id not in {"as-02", "as-03", "as-05"}]
    model.apply_snapshot(snapshot([server(7), *kept]))
    assert signals.removed == [(4, 4), (1, 2)]  # bottom range first
    assert signals.inserted == [(3, 3)]
    assert signals.resets == 0
    assert [s.id for s in model.servers()] == ["as-01", "as-04", "as-06", "as-07"]
    assert model.row_of("as-07") == 3
    assert model.row_of("as-06") == 2
    assert model.row_of("as-02") is None


def test_status_texts(model: ServerTableModel) -> None:
    model.apply_snapshot(
        snapshot(
            [
                server(1),
                isolated(2, clients=12),
                isolated(3, clients=1),
                isolated(4, clients=0),
                server(5, status=ServerStatus.OFFLINE, clients=0),
                server(6, status="rebooting"),  # a status this console does not know
                server(7, status=ServerStatus.STARTING),
                server(8, status=ServerStatus.STOPPING),
            ]
        )
    )
    texts = [model.index(row, Column.STATUS).data() for row in range(8)]
    assert texts == [
        "Online",
        "Isolated, 12 Clients still connected",
        "Isolated, 1 Client still connected",
        "Isolated",
        "Offline",
        "Unknown",
        "Starting",
        "Stopping",
    ]
    for row in range(8):
        assert isinstance(
            model.index(row, Column.STATUS).data(Qt.ItemDataRole.DecorationRole), QIcon
        )
    assert "does not know" in str(cell(model, "as-06", Column.STATUS, TOOLTIP))


def test_status_sort_key_puts_servers_needing_attention_first(model: ServerTableModel) -> None:
    model.apply_snapshot(
        snapshot([server(1), server(2, status=ServerStatus.OFFLINE), isolated(3, clients=2)])
    )
    keys = {s.id: cell(model, s.id, Column.STATUS, ServerRole.SORT) for s in model.servers()}
    assert keys["as-02"] < keys["as-03"] < keys["as-01"]


def test_version_mismatch_flag_icon_and_tooltip(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot([server(1), server(2), server(3, version=OLD_VERSION)]))
    assert cell(model, "as-03", Column.VERSION, ServerRole.MISMATCH) is True
    assert cell(model, "as-01", Column.VERSION, ServerRole.MISMATCH) is False
    decoration = Qt.ItemDataRole.DecorationRole
    assert isinstance(cell(model, "as-03", Column.VERSION, decoration), QIcon)
    assert cell(model, "as-01", Column.VERSION, decoration) is None
    assert cell(model, "as-03", Column.VERSION, TOOLTIP) == (
        "Differs from the version most servers run (9.2.4.1270)"
    )
    assert cell(model, "as-03", Column.VERSION, ACCESSIBLE) == (
        "9.2.3.1100, which differs from the version most servers run (9.2.4.1270)"
    )


def test_version_mismatch_follows_the_majority(model: ServerTableModel) -> None:
    before = [server(1), server(2, version=OLD_VERSION), server(3, version=OLD_VERSION)]
    model.apply_snapshot(snapshot(before))
    assert cell(model, "as-01", Column.VERSION, ServerRole.MISMATCH) is True
    signals = ModelSignals(model)
    model.apply_snapshot(snapshot(replace(before, 2, version="9.2.4.1270")))
    assert cell(model, "as-01", Column.VERSION, ServerRole.MISMATCH) is False
    assert cell(model, "as-02", Column.VERSION, ServerRole.MISMATCH) is True
    assert signals.changed_rows() == {0, 1, 2}


def test_version_sorts_numerically(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot([server(1, version="9.10.0.1"), server(2, version="9.9.0.1")]))
    assert cell(model, "as-02", Column.VERSION, ServerRole.SORT) < cell(
        model, "as-01", Column.VERSION, ServerRole.SORT
    )


def test_load_share_values_text_and_changes(model: ServerTableModel) -> None:
    model.apply_snapshot(
        snapshot([server(1, clients=30), server(2, clients=10), server(3, clients=0)])
    )
    assert cell(model, "as-01", Column.LOAD_SHARE, ServerRole.LOAD_SHARE) == pytest.approx(0.75)
    assert cell(model, "as-01", Column.LOAD_SHARE) == "75%"
    assert cell(model, "as-03", Column.LOAD_SHARE) == "0%"
    assert "30 of 40" in str(cell(model, "as-01", Column.LOAD_SHARE, TOOLTIP))
    assert cell(model, "as-01", Column.CLIENTS, ServerRole.SORT) == 30
    alignment = cell(model, "as-01", Column.CLIENTS, Qt.ItemDataRole.TextAlignmentRole)
    assert alignment == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    signals = ModelSignals(model)
    model.apply_snapshot(
        snapshot([server(1, clients=30), server(2, clients=10), server(3, clients=40)])
    )
    # A new Client total changes every server's share: the cells showing the Clients
    # of the changed server, and one signal over the other Load share cells whose text
    # or bar moved.
    assert sorted((c[0], c[1], c[2], c[3]) for c in signals.changed) == [
        (0, 1, Column.LOAD_SHARE, Column.LOAD_SHARE),
        (2, 2, Column.CLIENTS, Column.TREND),
    ]
    share_roles = next(c[4] for c in signals.changed if c[2] == Column.LOAD_SHARE)
    assert ServerRole.LOAD_SHARE in share_roles
    assert ServerRole.SORT in share_roles
    assert cell(model, "as-01", Column.LOAD_SHARE, ServerRole.LOAD_SHARE) == pytest.approx(0.375)


def test_a_share_that_moves_by_less_than_a_thousandth_is_not_signalled(
    model: ServerTableModel,
) -> None:
    model.apply_snapshot(
        snapshot([server(1, clients=4005), server(2, clients=5995), server(3, clients=0)])
    )
    signals = ModelSignals(model)
    model.apply_snapshot(
        snapshot([server(1, clients=4005), server(2, clients=5995), server(3, clients=1)])
    )
    # 40.05 % -> 40.046 %, 59.95 % -> 59.944 %: the same text, the bars within a
    # thousandth of their length; only the changed server's cells are signalled.
    assert sorted(c[:4] for c in signals.changed) == [(2, 2, Column.CLIENTS, Column.TREND)]
    assert cell(model, "as-01", Column.LOAD_SHARE, ServerRole.LOAD_SHARE) == pytest.approx(
        4005 / 10001
    )
    signals.clear()
    model.apply_snapshot(
        snapshot([server(1, clients=4005), server(2, clients=5995), server(3, clients=30)])
    )
    # 40.05 % -> 39.93 %: the text says 40% still, but the bar moved by a thousandth.
    assert (0, 1, Column.LOAD_SHARE, Column.LOAD_SHARE) in [c[:4] for c in signals.changed]


def test_load_share_is_zero_without_clients(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(2, clients=0)))
    assert cell(model, "as-01", Column.LOAD_SHARE, ServerRole.LOAD_SHARE) == 0.0


def test_pending_overlay_shows_until_cleared(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(3)))
    signals = ModelSignals(model)
    model.set_pending("as-02", "Isolating…")
    assert cell(model, "as-02", Column.STATUS) == "Isolating…"
    assert cell(model, "as-02", Column.STATUS, ServerRole.PENDING) == "Isolating…"
    assert "Current status: Online" in str(cell(model, "as-02", Column.STATUS, TOOLTIP))
    assert "Current status: Online" in str(cell(model, "as-02", Column.STATUS, ACCESSIBLE))
    assert signals.changed == [
        (1, 1, Column.STATUS, Column.STATUS, signals.changed[0][4]),
    ]
    assert ServerRole.SORT not in signals.changed[0][4]  # an overlay never re-sorts
    # A poll that changes the server keeps the overlay.
    model.apply_snapshot(snapshot(replace(servers(3), 1, clients=4)))
    assert cell(model, "as-02", Column.STATUS) == "Isolating…"
    model.set_pending("as-02", None)
    assert cell(model, "as-02", Column.STATUS) == "Online"
    assert cell(model, "as-02", Column.STATUS, ServerRole.PENDING) is None
    signals.clear()
    model.set_pending("as-02", None)  # nothing pending: nothing to signal
    assert signals.changed == []


def test_health_cells(model: ServerTableModel) -> None:
    model.apply_snapshot(
        snapshot([server(1), server(2), server(3), server(4, management_url=None)])
    )
    assert cell(model, "as-01", Column.HEALTH) == "—"
    assert "Not checked yet" in str(cell(model, "as-01", Column.HEALTH, TOOLTIP))
    assert "no Management Tool endpoint" in str(cell(model, "as-04", Column.HEALTH, TOOLTIP))
    report = HealthReport(
        url="https://10.0.0.1/EkranSystem",
        http_status=200,
        status=HealthStatus.DEGRADED,
        entries={
            "licensing": HealthEntry(status=HealthStatus.DEGRADED, description="Expires soon")
        },
        ok=True,
    )
    signals = ModelSignals(model)
    model.apply_health(
        {
            "as-01": ServerHealth("as-01", NOW, report=report),
            "as-02": ServerHealth("as-02", NOW, error="The endpoint did not answer in time."),
        }
    )
    assert cell(model, "as-01", Column.HEALTH) == "Degraded"
    assert "licensing: Degraded — Expires soon" in str(cell(model, "as-01", Column.HEALTH, TOOLTIP))
    assert cell(model, "as-02", Column.HEALTH) == "Check failed"
    assert "did not answer" in str(cell(model, "as-02", Column.HEALTH, TOOLTIP))
    assert isinstance(cell(model, "as-02", Column.HEALTH, ServerRole.HEALTH), ServerHealth)
    assert cell(model, "as-03", Column.HEALTH, ServerRole.HEALTH) is None
    assert signals.changed_rows() == {0, 1}
    # Health, and Status, which names a health problem of a running server.
    assert {(c[2], c[3]) for c in signals.changed} == {
        (Column.HEALTH, Column.HEALTH),
        (Column.STATUS, Column.STATUS),
    }
    assert cell(model, "as-01", Column.STATUS) == "Online, degraded"
    assert cell(model, "as-02", Column.STATUS) == "Online, health check failed"


def test_health_of_a_server_added_later_is_shown(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(1)))
    model.apply_health({"as-02": ServerHealth("as-02", NOW, error="Refused")})
    model.apply_snapshot(snapshot(servers(2)))
    assert cell(model, "as-02", Column.HEALTH) == "Check failed"


def test_relative_times_use_the_cluster_clock_and_tick(
    model: ServerTableModel, clock: FakeClock
) -> None:
    model.apply_snapshot(snapshot([server(1), isolated(2, clients=3)]))
    assert cell(model, "as-01", Column.LAST_SEEN) == "5 s ago"
    assert cell(model, "as-02", Column.ISOLATION) == "Windows updates (admin, 12 min ago)"
    assert "Reason: Windows updates" in str(cell(model, "as-02", Column.ISOLATION, TOOLTIP))
    assert cell(model, "as-01", Column.ISOLATION) == ""
    assert "2026" in str(cell(model, "as-01", Column.LAST_SEEN, TOOLTIP))
    signals = ModelSignals(model)
    clock.advance(60)
    model.tick()
    assert cell(model, "as-01", Column.LAST_SEEN) == "1 min ago"
    # Last seen of every row, Isolation only where a server is isolated (a time shows).
    assert signals.changed == [
        (0, 1, Column.LAST_SEEN, Column.LAST_SEEN, [DISPLAY, ACCESSIBLE]),
        (1, 1, Column.ISOLATION, Column.ISOLATION, [DISPLAY, ACCESSIBLE]),
    ]


def test_tick_can_be_limited_to_some_rows(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(10)))
    signals = ModelSignals(model)
    model.tick([4, 0, 1, 9, 99])  # 99 does not exist
    assert [(first, last) for first, last, *_ in signals.changed] == [(0, 1), (4, 4), (9, 9)]
    signals.clear()
    model.tick([])
    assert signals.changed == []


def test_relative_times_ignore_a_skewed_local_clock(clock: FakeClock) -> None:
    model = ServerTableModel(clock=clock)
    # The local clock runs one hour ahead of the cluster's.
    clock.now = NOW + timedelta(hours=1)
    model.apply_snapshot(snapshot(servers(1), received_at=clock.now, generated_at=NOW))
    assert cell(model, "as-01", Column.LAST_SEEN) == "5 s ago"


def test_filter_text_role_covers_the_searchable_fields(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot([isolated(2, clients=3, reason="Disk Replacement")]))
    text = str(cell(model, "as-02", Column.NAME, ServerRole.SEARCH_TEXT)).lower()
    for part in (
        "ekran-as02",
        "10.0.0.2",
        "as-02",
        "9.2.4.1270",
        "isolated, 3 clients",
        "disk replacement",
    ):
        assert part in text


def test_clear_resets_everything(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(3)))
    model.set_pending("as-01", "Isolating…")
    signals = ModelSignals(model)
    model.clear()
    assert signals.resets == 1
    assert model.rowCount() == 0
    model.apply_snapshot(snapshot(servers(1)))
    assert cell(model, "as-01", Column.STATUS) == "Online"


def test_a_thousand_servers_apply_and_update(model: ServerTableModel) -> None:
    big = servers(1000)
    model.apply_snapshot(snapshot(big))
    assert model.rowCount() == 1000
    signals = ModelSignals(model)
    # Clients move between two servers; the rest of the cluster is unchanged.
    after = replace(replace(big, 10, clients=9), 900, clients=11)
    model.apply_snapshot(snapshot(after))
    assert signals.changed_rows() == {10, 900}
    assert model.server(900).clients == 11


def _comparable(value: object) -> object:
    if isinstance(value, QIcon):
        return ("icon", value.cacheKey())
    if isinstance(value, np.ndarray):
        return ("array", tuple(value.tolist()))
    return value


def test_multi_data_answers_as_data_does(model: ServerTableModel) -> None:
    model.apply_snapshot(
        snapshot([server(1), isolated(2, clients=4), server(3, version=OLD_VERSION)])
    )
    model.set_pending("as-01", "Isolating…")
    model.set_sparkline_source(lambda server_id: np.array([1.0, 2.0]))
    roles = [*range(int(Qt.ItemDataRole.UserRole)), *ServerRole]  # Qt's roles and ours
    for row in range(model.rowCount()):
        for column in Column:
            index = model.index(row, column)
            for role in roles:
                single = QModelRoleData(role)
                model.multiData(index, single)
                entry = QModelRoleData(role)
                model.multiData(index, QModelRoleDataSpan(entry))
                expected = _comparable(index.data(role))
                assert _comparable(single.data()) == expected, (row, column, role)
                assert _comparable(entry.data()) == expected, (row, column, role)
    outside = QModelRoleData(Qt.ItemDataRole.DisplayRole)
    outside.setData("stale")
    model.multiData(QModelIndex(), outside)
    assert outside.data() is None


def test_index_is_valid_inside_the_table_only(model: ServerTableModel) -> None:
    model.apply_snapshot(snapshot(servers(2)))
    assert model.index(1, Column.LAST_SEEN).isValid()
    for row, column in ((2, 0), (-1, 0), (0, len(Column)), (0, -1)):
        assert not model.index(row, column).isValid()
    assert not model.index(0, 0, model.index(0, 0)).isValid()  # no children
