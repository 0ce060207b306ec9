"""The window opens clusters, remembers its layout and leaves nothing running when closed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

import app
from app.alerts import AlertKind, AlertSettings
from app.connections import EnvironmentTag
from app.credentials import Secret
from app.monitor import ConnectionState
from tests.helpers.processes import process_running
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import ROOT, SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import (
    MakeWindow,
    close_window,
    open_transient,
    wait_for_health_round,
    wait_for_rows,
)
from ui.app import main
from ui.cluster.columns import Column
from ui.demo import DEMO_CONNECTION_NAME, DemoCluster, DemoError
from ui.settings import WindowSettings


async def test_demo_cluster_opens_and_closing_stops_everything(make_window: MakeWindow) -> None:
    window = make_window()
    demo = DemoCluster(poll_interval_s=0.5)
    profile = await window.open_demo(demo)

    await wait_for_rows(window, 5)
    table = window.findChild(type(window.cluster_pane.table), "clusterTable")
    assert table is window.cluster_pane.table
    assert table.model().rowCount() == 5
    assert window.repository.is_transient(profile.id)
    assert window.windowTitle() == f"{DEMO_CONNECTION_NAME} (Test)"  # Qt adds the app name
    assert window.environment_strip.isVisible()
    await wait_until(lambda: window.status.state_label.text.text() == "Connected")
    await wait_for_health_round(window)
    pid = demo.pid
    assert pid is not None
    assert process_running(pid)

    await close_window(window)

    this_task = asyncio.current_task()
    assert [t for t in asyncio.all_tasks() if t is not this_task and not t.done()] == []
    assert window.sessions.session_count == 0
    assert not demo.running
    await wait_until(lambda: not process_running(pid))


async def test_layout_and_last_connection_are_restored(
    make_window: MakeWindow, shared_simulator: SimulatorProcess, settings_file: Path
) -> None:
    first = make_window()
    profile = simulator_profile(shared_simulator, name="Saved cluster")
    saved = first.repository.add(profile, None)
    assert saved is not None
    assert await saved is not None
    assert await first.repository.remember_password(profile, Secret(shared_simulator.info.password))
    first.open_connection(profile)
    await wait_for_rows(first, 4)
    await wait_for_health_round(first)
    first.resize(first.width(), 520)
    first.cluster_pane.table.sortByColumn(Column.CLIENTS, Qt.SortOrder.DescendingOrder)
    header = first.cluster_pane.save_state()
    await close_window(first)
    saved = WindowSettings.in_file(settings_file)
    assert saved.splitter_state() == first.splitter.saveState()
    assert saved.cluster_header_state() == header

    second = make_window()
    await wait_until(lambda: second.sessions.current is not None)
    current = second.sessions.current
    assert current is not None
    assert current.id == profile.id
    # The height shows the geometry came back; the width is bound by the offscreen
    # platform's 800-pixel screen and the panes' minimum widths.
    assert second.height() == 520
    assert second.cluster_pane.save_state() == header
    await wait_for_rows(second, 4)
    await wait_for_health_round(second)
    chosen = second.connections_pane.current_profile()
    assert chosen is not None
    assert chosen.id == profile.id
    await close_window(second)


def test_smoke_run_exits_zero_and_leaves_no_demo_folder(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", EKRAN_CONSOLE_HOME=str(tmp_path / "home"))
    env.update(TMPDIR=str(temp), TMP=str(temp), TEMP=str(temp))
    result = subprocess.run(
        [sys.executable, "-m", "ui", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "smoke test passed" in result.stderr
    assert list(temp.iterdir()) == [], "the demo's home and simulator folder are removed"
    assert not (tmp_path / "home").exists(), "a demo run keeps apart from the console home"


async def test_status_bar_shows_endpoint_and_state(
    make_window: MakeWindow, shared_simulator: SimulatorProcess
) -> None:
    window = make_window()
    profile = simulator_profile(shared_simulator)
    window.repository.add_transient(profile)
    window.repository.set_transient_password(profile.id, Secret(shared_simulator.info.password))
    window.open_connection(profile)
    await wait_for_rows(window, 4)
    await wait_until(
        lambda: (
            window.sessions.current is not None
            and window.sessions.current.status.state is ConnectionState.CONNECTED
        )
    )
    await wait_until(lambda: window.status.updated_label.text().startswith("Updated "))
    await wait_for_health_round(window)
    assert window.status.endpoint_label.text() == shared_simulator.url
    assert window.status.poll_label.text() == "Polling every 0.5 s"
    assert not window.environment_strip.isVisible()
    await close_window(window)


async def test_a_demo_cluster_that_cannot_start_says_why_and_leaves_nothing() -> None:
    demo = DemoCluster(extra_args=("--servers", "0"))
    with pytest.raises(DemoError, match="stopped at start-up"):
        await demo.start()
    assert not demo.running


async def test_a_production_connection_is_marked_and_can_be_disconnected(
    make_window: MakeWindow, shared_simulator: SimulatorProcess
) -> None:
    window = make_window()
    profile = simulator_profile(shared_simulator, name="Prod", tag=EnvironmentTag.PRODUCTION)
    open_transient(window, profile, shared_simulator.info.password)
    await wait_for_rows(window, 4)
    await wait_for_health_round(window)

    assert window.windowTitle() == "Prod (Production)"  # Qt adds the application name
    strip = window.environment_strip
    assert strip.isVisible()
    assert strip.tag is EnvironmentTag.PRODUCTION
    assert strip.text() == "PRODUCTION — Prod — changes affect live servers"

    assert window.connections_pane.current_profile() == profile
    assert window.window_actions.disconnect.isEnabled()
    window.window_actions.disconnect.trigger()
    assert window.sessions.current is None
    assert window.cluster_pane.model.rowCount() == 0
    assert not strip.isVisible()
    await wait_until(lambda: window.sessions.session_count == 0)
    await close_window(window)


def test_version_is_printed_without_a_window(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"Ekran Cluster Console {app.__version__}\n"


async def test_a_deleted_connection_takes_its_history_and_alert_settings_with_it(
    make_window: MakeWindow, shared_simulator: SimulatorProcess
) -> None:
    window = make_window()
    profile = simulator_profile(shared_simulator, name="Short-lived")
    open_transient(window, profile, shared_simulator.info.password)
    await wait_for_rows(window, 4)
    await wait_for_health_round(window)
    history = window.services.history
    await wait_until(lambda: profile.id in history.connections())
    quiet = AlertSettings().with_kind(AlertKind.OFFLINE, False)
    window.alert_preferences.save(profile.id, quiet)
    assert window.alert_preferences.load(profile.id) == quiet

    removing = window.repository.remove(profile)
    assert removing is not None
    await removing

    assert window.sessions.connection(profile.id) is None
    assert profile.id not in history.connections()
    assert window.alert_preferences.load(profile.id) == AlertSettings()
    await wait_until(lambda: window.sessions.session_count == 0)
    await asyncio.sleep(1.0)  # a poll that was under way records nothing afterwards
    assert profile.id not in history.connections()
    await close_window(window)


async def test_polls_that_change_only_the_time_leave_the_window_actions_alone(
    make_window: MakeWindow, shared_simulator: SimulatorProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After each poll the status bar tells the new time; the actions are set again only
    when what they depend on changed (here: the selection)."""
    window = make_window()
    profile = simulator_profile(shared_simulator, name="Lab")
    open_transient(window, profile, shared_simulator.info.password)
    await wait_for_rows(window, 4)
    await wait_until(lambda: window.status.updated_label.text().startswith("Updated "))
    updates: list[int] = []
    update_for = window.server_actions.update_for
    monkeypatch.setattr(
        window.server_actions,
        "update_for",
        lambda *args, **kwargs: (updates.append(len(args[0])), update_for(*args, **kwargs)),
    )
    polls: list[str] = []
    window.sessions.status_changed.connect(
        lambda connection_id, _status: polls.append(connection_id)
    )

    await wait_until(lambda: len(polls) >= 3)  # polls every 0.5 s
    assert updates == []
    assert window.window_actions.disconnect.isEnabled()
    assert window.status.updated_label.text().startswith("Updated ")

    assert window.cluster_pane.select_server(window.cluster_pane.model.servers()[0].id)
    await wait_until(lambda: bool(updates))
    assert updates[-1] == 1
    await close_window(window)
