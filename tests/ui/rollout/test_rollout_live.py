"""Rolling maintenance from the window against the simulator; the test plays the admin."""

from __future__ import annotations

import asyncio
import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.api.client import ManagementClient
from app.connections import ConnectionProfile
from app.monitor import ConnectionState
from app.paths import AppPaths
from app.rollout import ServerStep
from tests.app.api.simclient import admin_password, sim_settings
from tests.app.cli.rollout_process import SIM_ARGS, upgrade
from tests.conftest import StartSimulator
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import (
    MakeWindow,
    close_window,
    open_transient,
    wait_for_health_round,
    wait_for_rows,
)
from tests.ui.window.live_helpers import sim_server
from ui.main_window import MainWindow
from ui.rollout.rollout_model import RolloutColumn
from ui.rollout.rollout_panel import RolloutPanel

NEW = "9.3.0.1300"


async def open_window(
    make_window: MakeWindow, sim: SimulatorProcess, profile: ConnectionProfile
) -> MainWindow:
    window = make_window()
    open_transient(window, profile, sim.info.password)
    await wait_for_rows(window, 3)
    await wait_until(
        lambda: (
            window.sessions.current is not None
            and window.sessions.current.status.state is ConnectionState.CONNECTED
        )
    )
    await wait_for_health_round(window)
    return window


async def isolate_elsewhere(sim: SimulatorProcess, server_id: str) -> None:
    """Another admin isolates a server: a client session of its own, not the window's."""
    async with ManagementClient(sim_settings(sim), admin_password(sim)) as client:
        await client.set_isolation(server_id, isolated=True, reason="other work")


def open_panel(window: MainWindow) -> RolloutPanel:
    window.rollout_action.trigger()
    panel = window.rollout_panel
    assert panel.isVisible()
    return panel


def select_row(panel: RolloutPanel, row: int) -> None:
    panel.table.setCurrentIndex(panel.model.index(row, RolloutColumn.SERVER))


def steps(panel: RolloutPanel) -> list[str]:
    model = panel.model
    return [str(model.index(r, RolloutColumn.STEP).data()) for r in range(model.rowCount())]


async def test_a_run_from_the_window_survives_a_restart_of_the_console(
    make_window: MakeWindow, start_simulator: StartSimulator, home: AppPaths
) -> None:
    sim = start_simulator(*SIM_ARGS, "--drain-seconds", "60")
    profile = simulator_profile(sim)
    window = await open_window(make_window, sim, profile)
    panel = open_panel(window)
    assert panel.planning
    assert panel.model.server_ids() == ["as-01", "as-02", "as-03"]
    select_row(panel, 2)
    panel.remove.click()
    select_row(panel, 1)
    panel.up.click()
    assert panel.model.server_ids() == ["as-02", "as-01"]
    panel.target_version.setText(NEW)
    panel.settle_seconds.setValue(1)
    panel.start.click()

    await wait_until(lambda: "EKRAN-AS02 has no Clients left" in panel.instruction.text())
    assert f"stop and upgrade it to {NEW} now" in panel.instruction.text()
    assert any("EKRAN-AS02 has no Clients left" in n.message for n in window.status.notices)
    assert steps(panel)[0].startswith("Stop and upgrade")
    assert not panel.start.isVisible()
    panel.pause.click()
    await wait_until(lambda: panel.instruction.text() == "Paused: paused by the admin.")
    assert panel.resume.isEnabled()
    panel.resume.click()
    await wait_until(lambda: "EKRAN-AS02 has no Clients left" in panel.instruction.text())

    await asyncio.to_thread(upgrade, sim, "as-02", NEW)
    await wait_until(lambda: "EKRAN-AS01 has no Clients left" in panel.instruction.text())
    assert steps(panel)[0] == "Done"
    assert panel.progress.value() == 1

    await close_window(window)  # the console closes in the middle of the run
    assert sim_server(sim, "as-01")["status"] == "isolated"

    again = await open_window(make_window, sim, profile)
    await wait_until(lambda: again.rollouts.run_of(profile.id) is not None)
    state = again.rollouts.run_of(profile.id)
    assert state is not None
    assert state.current_server is not None
    assert (state.current_server.server_id, state.current_server.step) == (
        "as-01",
        ServerStep.WAITING_RESTART,
    )
    panel = open_panel(again)
    assert "EKRAN-AS01 has no Clients left" in panel.instruction.text()
    await asyncio.to_thread(upgrade, sim, "as-01", NEW)
    await wait_until(lambda: panel.title.text().endswith("Finished"), within=30.0)
    assert steps(panel) == ["Done", "Done"]
    assert panel.progress.value() == 2
    assert panel.new_plan.isVisible()
    for server_id in ("as-01", "as-02"):
        server = sim_server(sim, server_id)
        assert (server["status"], server["version"]) == ("online", NEW)
    lines = (home.data_dir / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    audit = [json.loads(line) for line in lines]
    rollout = [a["detail"].split(":")[0] for a in audit if a["action"] == "rollout"]
    assert rollout.count("done") == 2
    assert "finished" in rollout


async def test_preflight_override_skip_and_abort_from_the_panel(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator(*SIM_ARGS, "--drain-seconds", "6000")
    profile = simulator_profile(sim)
    window = await open_window(make_window, sim, profile)
    await isolate_elsewhere(sim, "as-03")
    panel = open_panel(window)
    select_row(panel, 2)
    panel.remove.click()
    panel.start.click()

    await wait_until(lambda: panel.instruction.text().startswith("Paused: pre-flight check"))
    assert "Already isolated by someone else: EKRAN-AS03" in panel.instruction.text()
    assert "✗ Failed: Already isolated" in panel.checks.text()
    assert sim_server(sim, "as-01")["isolation"] is None
    panel.override.setChecked(True)
    panel.resume.click()
    await wait_until(lambda: steps(panel)[0] == "Draining")
    panel.skip.click()
    # as-01 stays isolated, as-03 too: nobody would be left to take as-02's Clients
    await wait_until(lambda: steps(panel) == ["Skipped", "Waiting (paused)"])
    assert "No other server would stay in service" in panel.instruction.text()
    panel.abort.click()
    await wait_until(lambda: panel.title.text().endswith("Aborted"))
    # no longer driven: the window lets go of the run a loop callback after the title shows
    await wait_until(
        lambda: window.rollouts.run_of(profile.id) is None, what="the run to end in the window"
    )
    # the abort's notice; an alert about the isolation may arrive after it
    said = [n.message for n in window.status.notices]
    assert any(m.endswith("Still isolated: EKRAN-AS01.") for m in said), said
    assert not panel.abort.isEnabled()
    assert sim_server(sim, "as-01")["status"] == "isolated"


async def test_the_plan_with_the_keyboard_only(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator(*SIM_ARGS, "--drain-seconds", "6000")
    window = await open_window(make_window, sim, simulator_profile(sim))
    window.activateWindow()
    await wait_until(lambda: QApplication.activeWindow() is window)
    panel = open_panel(window)
    assert panel.table.hasFocus()  # the menu action puts the keyboard in the plan

    def press(key: Qt.Key) -> None:
        focused = QApplication.focusWidget()
        assert focused is not None
        QTest.keyClick(focused, key)

    def tab_to(widget: QWidget) -> None:
        for _ in range(40):
            if widget.hasFocus():
                return
            press(Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reaches {widget.objectName()}")

    press(Qt.Key.Key_Down)
    press(Qt.Key.Key_Down)
    assert panel.table.currentIndex().row() == 2
    tab_to(panel.up)
    press(Qt.Key.Key_Space)
    assert panel.model.server_ids() == ["as-01", "as-03", "as-02"]
    tab_to(panel.remove)
    press(Qt.Key.Key_Space)
    assert panel.model.server_ids() == ["as-01", "as-02"]
    tab_to(panel.target_version)
    QTest.keyClicks(panel.target_version, "9.3")
    tab_to(panel.drain_minutes)
    press(Qt.Key.Key_Up)
    assert panel.plan().target_version == "9.3"
    assert panel.plan().drain_timeout_s == 31 * 60
    assert panel.plan().servers == ("as-01", "as-02")
    tab_to(panel.start)
    press(Qt.Key.Key_Space)
    await wait_until(lambda: steps(panel)[0] == "Draining")
    tab_to(panel.abort)
    press(Qt.Key.Key_Space)
    await wait_until(lambda: panel.title.text().endswith("Aborted"))
    assert sim_server(sim, "as-01")["status"] == "isolated"  # abort leaves it as it is
