"""RolloutPanel: while hidden it keeps the latest snapshot and does nothing with it."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.ui.cluster.support import server, servers, snapshot
from ui.rollout.rollout_model import RolloutColumn
from ui.rollout.rollout_panel import RolloutPanel


def clients(panel: RolloutPanel) -> list[str]:
    model = panel.model
    return [str(model.index(r, RolloutColumn.CLIENTS).data()) for r in range(model.rowCount())]


def test_a_hidden_panel_does_no_work_per_snapshot_and_catches_up_when_shown(
    qtbot: QtBot,
) -> None:
    panel = RolloutPanel()
    qtbot.addWidget(panel)
    panel.show_planning("Lab", snapshot(servers(3)))
    panel.hide()
    signals: list[str] = []
    panel.model.dataChanged.connect(lambda *_: signals.append("dataChanged"))
    panel.model.modelReset.connect(lambda: signals.append("modelReset"))
    later = snapshot([server(1, clients=7), server(2, clients=8), server(3, clients=9), server(4)])
    for _poll in range(3):
        panel.set_snapshot(later)
    assert signals == []
    assert panel.add_choice.count() == 0  # the new server is not offered yet
    assert clients(panel) == ["10", "10", "10"]

    panel.show()
    qtbot.waitExposed(panel)
    assert clients(panel) == ["7", "8", "9"]
    assert [panel.add_choice.itemData(i) for i in range(panel.add_choice.count())] == ["as-04"]
    assert panel.planning


def test_a_shown_panel_follows_each_snapshot(qtbot: QtBot) -> None:
    panel = RolloutPanel()
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_planning("Lab", snapshot(servers(2)))
    panel.set_snapshot(snapshot([server(1, clients=3), server(2, clients=4)]))
    assert clients(panel) == ["3", "4"]
