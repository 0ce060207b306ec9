"""RolloutTableModel without widgets: the plan's order, a run's steps, consistency."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from app.rollout import (
    ActionKind,
    ActionSucceeded,
    ProbeHealth,
    RolloutPlan,
    start_run,
    step,
)
from tests.app.rollout.fakes import FakeCluster
from ui.rollout.rollout_model import RolloutColumn, RolloutTableModel


def column(model: RolloutTableModel, which: RolloutColumn) -> list[str]:
    return [str(model.index(row, which).data()) for row in range(model.rowCount())]


def test_the_plan_can_be_reordered_shortened_and_extended(qtmodeltester: ModelTester) -> None:
    model = RolloutTableModel()
    model.set_plan([("as-01", "EKRAN-AS01"), ("as-02", "EKRAN-AS02"), ("as-03", "EKRAN-AS03")])
    qtmodeltester.check(model)
    assert model.move(2, -1) == 1
    assert model.move(0, -1) == 0  # already first
    assert model.server_ids() == ["as-01", "as-03", "as-02"]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(3)] == ["1", "2", "3"]
    model.remove(0)
    assert model.server_ids() == ["as-03", "as-02"]
    assert model.add("as-01", "EKRAN-AS01")
    assert not model.add("as-01", "EKRAN-AS01")
    assert model.server_ids() == ["as-03", "as-02", "as-01"]
    assert column(model, RolloutColumn.STEP) == ["Planned"] * 3
    qtmodeltester.check(model)


def test_a_run_shows_each_servers_step_status_and_clients(qtmodeltester: ModelTester) -> None:
    cluster = FakeCluster.of(40, 30)
    state = start_run(
        RolloutPlan(servers=("as-02", "as-01")),
        cluster.snapshot(),
        connection_id="c",
        connection_name="Prod",
        user="admin",
        now=cluster.now,
    )
    probe = step(state, cluster.observation(), cluster.now).state
    answer = cluster.apply(ProbeHealth())
    isolating = step(probe, cluster.observation(), cluster.now, answer).state
    cluster["as-02"].isolated_by = "admin"
    draining = step(
        isolating, cluster.observation(), cluster.now, ActionSucceeded(ActionKind.ISOLATE, "as-02")
    ).state
    model = RolloutTableModel()
    qtmodeltester.check(model)
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda top, bottom, _roles: changes.append((top.row(), bottom.row())))
    model.set_state(state)
    model.set_snapshot(cluster.snapshot())
    assert column(model, RolloutColumn.SERVER) == ["EKRAN-AS02", "EKRAN-AS01"]
    assert column(model, RolloutColumn.STATUS) == ["isolated", "online"]
    assert column(model, RolloutColumn.CLIENTS) == ["30", "40"]
    changes.clear()
    model.set_state(draining)
    assert column(model, RolloutColumn.STEP) == ["Draining", "Waiting"]
    assert changes == [(0, 0)]  # only the row that changed
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(1, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, 0).data(RolloutTableModel.ServerIdRole) == "as-02"
    qtmodeltester.check(model)
