"""ConnectionTreeModel: folders, in-place updates, status rows, roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.api.errors import UnreachableError, UnreachableReason
from app.connections import ConnectionProfile, EnvironmentTag
from app.monitor import ConnectionState, MonitorStatus
from tests.helpers.profiles import MakeProfile
from ui.connections.connection_tree_model import ConnectionRole, ConnectionTreeModel

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _names(model: ConnectionTreeModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    return [model.index(row, 0, parent).data() for row in range(model.rowCount(parent))]


def _record(model: ConnectionTreeModel, *signals: str) -> list[str]:
    seen: list[str] = []
    for name in signals:
        getattr(model, name).connect(lambda *args, name=name: seen.append(name))
    return seen


@pytest.fixture
def model(qtmodeltester: ModelTester) -> ConnectionTreeModel:
    tree = ConnectionTreeModel(clock=lambda: NOW)
    qtmodeltester.check(tree)
    return tree


def test_folders_come_from_groups_and_are_sorted_before_connections(
    model: ConnectionTreeModel, make_profile: MakeProfile, qtmodeltester: ModelTester
) -> None:
    model.set_profiles(
        [
            make_profile(name="zeta"),
            make_profile(name="Acme prod", group="Customers/Acme"),
            make_profile(name="Beta", group="Customers"),
            make_profile(name="alpha"),
        ]
    )
    qtmodeltester.check(model)
    assert _names(model) == ["Customers", "alpha", "zeta"]
    customers = model.folder_index("Customers")
    assert _names(model, customers) == ["Acme", "Beta"]
    acme = model.folder_index("Customers/Acme")
    assert acme.parent() == customers
    assert _names(model, acme) == ["Acme prod"]
    assert acme.data(ConnectionRole.IS_FOLDER) is True
    assert acme.data(ConnectionRole.FOLDER_PATH) == "Customers/Acme"
    assert [p.name for p in model.profiles_under(customers)] == ["Beta", "Acme prod"]


def test_updates_are_in_place_with_folders_appearing_and_disappearing(
    model: ConnectionTreeModel, make_profile: MakeProfile, qtmodeltester: ModelTester
) -> None:
    one = make_profile(name="One", group="Site A")
    two = make_profile(name="Two", group="Site A")
    three = make_profile(name="Three")
    four = make_profile(name="Four")
    model.set_profiles([one, two, three, four])
    qtmodeltester.check(model)
    seen = _record(model, "modelReset", "rowsInserted", "rowsRemoved", "rowsMoved", "layoutChanged")

    # A new folder appears, a connection moves into it, the old folder empties.
    moved = two.with_changes(group="Site B/Rack 1")
    model.set_profiles([one, moved, three, four])
    qtmodeltester.check(model)
    assert _names(model) == ["Site A", "Site B", "Four", "Three"]
    assert _names(model, model.folder_index("Site B/Rack 1")) == ["Two"]

    # The last connection of a folder goes: the folder goes with it.
    model.set_profiles([moved, three, four])
    qtmodeltester.check(model)
    assert _names(model) == ["Site B", "Four", "Three"]
    assert not model.folder_index("Site A").isValid()

    # A rename re-sorts by moving the row.
    model.set_profiles([moved, three.with_changes(name="A first"), four])
    qtmodeltester.check(model)
    assert _names(model) == ["Site B", "A first", "Four"]

    assert "modelReset" not in seen
    assert "layoutChanged" not in seen
    assert {"rowsInserted", "rowsRemoved", "rowsMoved"} <= set(seen)


def test_a_changed_profile_signals_only_its_row(
    model: ConnectionTreeModel, make_profile: MakeProfile
) -> None:
    one, two = make_profile(name="One"), make_profile(name="Two")
    model.set_profiles([one, two])
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, roles: changes.append((top.row(), bottom.row())))
    structural = _record(model, "rowsInserted", "rowsRemoved", "rowsMoved", "modelReset")

    model.set_profiles([one, two.with_changes(username="operator")])

    assert changes == [(1, 1)]
    assert structural == []
    assert model.index(1, 0).data(ConnectionRole.PROFILE).username == "operator"


def test_selection_survives_an_update(
    model: ConnectionTreeModel, make_profile: MakeProfile, qtbot: QtBot
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    one, two = make_profile(name="One"), make_profile(name="Two")
    model.set_profiles([one, two])
    selection = QItemSelectionModel(model)
    selection.setCurrentIndex(
        model.index_of(two.id), QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    model.set_profiles([make_profile(name="Alpha"), one, two])
    assert selection.currentIndex().data(ConnectionRole.CONNECTION_ID) == two.id


def test_status_changes_signal_one_row_with_state_roles(
    model: ConnectionTreeModel, make_profile: MakeProfile
) -> None:
    one, two = make_profile(name="One"), make_profile(name="Two")
    model.set_profiles([one, two])
    assert model.index_of(two.id).data(ConnectionRole.STATE) == ConnectionState.IDLE
    changes: list[tuple[int, int, list[int]]] = []
    model.dataChanged.connect(
        lambda top, bottom, roles: changes.append((top.row(), bottom.row(), list(roles)))
    )

    error = UnreachableError("The server did not answer.", reason=UnreachableReason.TIMEOUT)
    model.set_status(
        two.id,
        MonitorStatus(
            state=ConnectionState.STALE,
            last_success_at=NOW - timedelta(seconds=40),
            next_attempt_at=NOW + timedelta(seconds=8),
            error=error,
            failures=3,
        ),
    )

    assert len(changes) == 1
    row, bottom, roles = changes[0]
    assert (row, bottom) == (1, 1)
    assert ConnectionRole.STATE in roles
    assert Qt.ItemDataRole.DecorationRole in roles
    index = model.index_of(two.id)
    assert index.data(ConnectionRole.STATE) == ConnectionState.STALE
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "State: Stale (Last update 40 s ago; The server did not answer; retrying in 8 s)" in (
        tooltip
    )
    assert "Stale" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert not index.data(Qt.ItemDataRole.DecorationRole).isNull()

    model.clear_status(two.id)
    assert index.data(ConnectionRole.STATE) == ConnectionState.IDLE


def test_a_poll_that_keeps_the_state_does_not_signal_the_row(
    model: ConnectionTreeModel, make_profile: MakeProfile
) -> None:
    """Every poll sets a status; the row (which shows the state) is repainted only when
    the state changed, and its tooltip still tells the latest status."""
    profile = make_profile(name="One")
    model.set_profiles([profile])
    model.set_status(profile.id, MonitorStatus(ConnectionState.CONNECTED, last_success_at=NOW))
    changes: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, _roles: changes.append(top.row()))

    later = MonitorStatus(ConnectionState.CONNECTED, last_success_at=NOW + timedelta(seconds=1))
    model.set_status(profile.id, later)
    assert changes == []
    index = model.index_of(profile.id)
    assert index.data(ConnectionRole.STATUS) is later

    error = UnreachableError("The server did not answer.", reason=UnreachableReason.TIMEOUT)
    model.set_status(
        profile.id, MonitorStatus(ConnectionState.STALE, last_success_at=NOW, error=error)
    )
    assert changes == [0]
    assert index.data(ConnectionRole.STATE) == ConnectionState.STALE


def test_tooltip_and_accessible_text_carry_tag_read_only_and_transient(
    model: ConnectionTreeModel, make_profile: MakeProfile
) -> None:
    profile: ConnectionProfile = make_profile(
        name="Payments",
        tag=EnvironmentTag.PRODUCTION,
        read_only=True,
        urls=["mt1.corp.example", "mt2.corp.example"],
        username="ops",
    )
    model.set_profiles([profile], transient=[profile.id])
    index = model.index_of(profile.id)
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip.startswith("Payments (not saved)")
    assert "Environment: Production" in tooltip
    assert "read-only" in tooltip
    assert "User: ops" in tooltip
    assert "URL: https://mt1.corp.example/EkranSystem" in tooltip
    assert "URL: https://mt2.corp.example/EkranSystem" in tooltip
    assert "State: Not connected" in tooltip
    accessible = index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert accessible == "Payments, Production, read-only, not saved, Not connected"
    assert index.data(ConnectionRole.TRANSIENT) is True
    assert index.data(ConnectionRole.TAG) == EnvironmentTag.PRODUCTION
    assert index.data(Qt.ItemDataRole.FontRole).italic()

    # Once saved, the same row loses the transient marks (one dataChanged, no reset).
    changes: list[int] = []
    model.dataChanged.connect(lambda top, bottom, roles: changes.append(top.row()))
    model.set_profiles([profile])
    assert changes == [0]
    assert index.data(ConnectionRole.TRANSIENT) is False
    assert "not saved" not in index.data(Qt.ItemDataRole.ToolTipRole)


def test_index_of_unknown_connection_is_invalid(model: ConnectionTreeModel) -> None:
    assert not model.index_of("00000000-0000-0000-0000-000000000000").isValid()
    model.set_profiles([])
    assert model.rowCount() == 0
