"""Server actions from the window against the simulator: offline rows, versions, logs."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.monitor import ConnectionState, MonitorStatus
from tests.conftest import StartSimulator
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import MakeWindow, close_window, status_text
from tests.ui.window.live_helpers import FROZEN, connected_window, context_menu, select, trigger
from ui.downloads.download_item import DownloadItem, DownloadState
from ui.main_window import MainWindow
from ui.window.action_rules import ActionId


def use_folder(window: MainWindow, folder: Path) -> list[Path | None]:
    """Make the logs folder picker answer ``folder``; returns the start folders it was given."""
    asked: list[Path | None] = []

    async def pick(_parent: QWidget, start: Path | None) -> Path | None:
        asked.append(start)
        return folder

    window.operations.pick_folder = pick
    return asked


def part_file_sizes(folder: Path) -> list[int]:
    """Sizes of the partial downloads kept in ``folder``."""
    return [part.stat().st_size for part in folder.glob("*.part")]


def newest_download(window: MainWindow) -> DownloadItem:
    items = list(window.downloads.model.items())
    assert items
    return items[-1]


async def test_a_stopped_server_turns_offline_within_two_polls_and_stays_selected(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "4", "--clients", "200", *FROZEN)
    window = await connected_window(make_window, sim, 4)
    polls: list[MonitorStatus] = []
    window.sessions.status_changed.connect(lambda _id, status: polls.append(status))
    select(window, "as-03")

    await asyncio.to_thread(sim.stop_server, "as-03")
    # Stopping takes 3 simulated seconds; with time frozen, move the clock past it.
    await asyncio.to_thread(sim.control, "POST", "advance", {"seconds": 5})
    polls_before = len(polls)
    await wait_until(lambda: status_text(window, "as-03") == "Offline")

    assert len(polls) - polls_before <= 2
    assert [s.id for s in window.cluster_pane.selected_servers()] == ["as-03"]
    logs = window.server_actions.action(ActionId.DOWNLOAD_LOGS)
    assert not logs.isEnabled()
    assert logs.statusTip() == "EKRAN-AS03 is offline: logs can only be downloaded while it runs."
    await close_window(window)


async def test_check_version_marks_the_server_on_the_older_version(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "4", "--clients", "80", *FROZEN)
    window = await connected_window(make_window, sim, 4)
    ids = ["as-01", "as-02", "as-03", "as-04"]
    select(window, *ids)

    trigger(context_menu(window), "actionCheckVersion")
    dialog = window.operations.version_dialog
    assert dialog is not None
    await wait_until(lambda: all(dialog.live_text(i) not in ("Asking…", "") for i in ids))

    state = {s["id"]: s for s in await asyncio.to_thread(lambda: sim.state()["servers"])}
    old = [i for i in ids if state[i]["version"] != state["as-01"]["version"]]
    assert old == ["as-04"]  # the simulator's default: the last server runs the older version
    for server_id in ids:
        assert dialog.live_text(server_id).startswith(str(state[server_id]["version"]))
        assert dialog.is_marked(server_id) == (server_id in old)
    assert "1 server runs a different version" in dialog.summary_label.text()
    dialog.close()
    await close_window(window)


async def test_download_logs_saves_a_valid_zip_in_the_chosen_folder(
    make_window: MakeWindow, start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "2", "--clients", "20", "--log-size", "300000", *FROZEN)
    window = await connected_window(make_window, sim, 2)
    folder = tmp_path / "logs"
    folder.mkdir()
    asked = use_folder(window, folder)
    select(window, "as-01")

    assert not window.downloads.isVisible()
    trigger(context_menu(window), "actionDownloadLogs")
    await wait_until(lambda: window.downloads.model.rowCount() == 1)
    item = newest_download(window)
    await wait_until(lambda: item.state is DownloadState.DONE)

    assert window.downloads.isVisible()
    assert asked == [None]
    assert item.saved_path is not None
    assert item.saved_path.parent == folder
    with zipfile.ZipFile(item.saved_path) as archive:
        assert archive.testzip() is None
        assert archive.namelist()
    assert window.settings.last_download_folder() == folder

    trigger(context_menu(window), "actionDownloadLogs")
    await wait_until(lambda: window.downloads.model.rowCount() == 2)
    assert asked == [None, folder]  # the next download starts in the last folder
    await wait_until(lambda: newest_download(window).state is DownloadState.DONE)
    await close_window(window)


async def test_a_download_can_be_cancelled_and_resumed(
    make_window: MakeWindow, start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "2", "--clients", "20", "--log-size", "600000", *FROZEN)
    window = await connected_window(make_window, sim, 2)
    use_folder(window, tmp_path)
    select(window, "as-02")
    # The first attempt is cut after 100 kB, leaving a partial file; the next one stalls.
    await asyncio.to_thread(sim.add_fault, kind="cut_download", after_bytes=100_000)

    trigger(context_menu(window), "actionDownloadLogs")
    await wait_until(lambda: window.downloads.model.rowCount() == 1)
    item = newest_download(window)
    await wait_until(lambda: item.state is DownloadState.FAILED)

    await asyncio.to_thread(sim.add_fault, kind="latency", seconds=60, path="/logs", count=1)
    assert window.downloads.resume(item)
    await wait_until(lambda: item.state.active)
    window.downloads.cancel(item)
    await wait_until(lambda: item.state is DownloadState.CANCELLED)
    sizes = await asyncio.to_thread(part_file_sizes, tmp_path)
    assert len(sizes) == 1
    assert sizes[0] >= 100_000

    await asyncio.to_thread(sim.clear_faults)
    assert window.downloads.resume(item)
    await wait_until(lambda: item.state is DownloadState.DONE)
    assert item.progress is not None
    assert item.progress.resumed_from >= 100_000
    assert item.saved_path is not None
    assert zipfile.is_zipfile(item.saved_path)
    await close_window(window)


async def test_closing_during_a_download_asks_first_and_then_cleans_up(
    make_window: MakeWindow, start_simulator: StartSimulator, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "2", "--clients", "20", *FROZEN)
    window = await connected_window(make_window, sim, 2)
    use_folder(window, tmp_path)
    await asyncio.to_thread(sim.add_fault, kind="latency", seconds=60, path="/logs")
    select(window, "as-01")
    trigger(context_menu(window), "actionDownloadLogs")
    await wait_until(lambda: window.downloads.active_count() == 1)

    window.close()
    box = window.quit_box
    assert box is not None
    assert QApplication.activeModalWidget() is box
    assert not window.closed
    keep = next(b for b in box.buttons() if b.objectName() != "quitCancelDownloads")
    keep.click()
    await wait_until(lambda: window.quit_box is None)
    assert window.downloads.active_count() == 1
    assert window.isVisible()

    window.close()
    box = window.quit_box
    assert box is not None
    next(b for b in box.buttons() if b.objectName() == "quitCancelDownloads").click()
    await wait_until(lambda: window.closed, within=30.0)
    assert newest_download(window).state is DownloadState.CANCELLED
    assert window.sessions.session_count == 0
    assert window.runner.pending == 0
    current = window.sessions.current
    assert current is None or current.status.state is ConnectionState.IDLE


async def test_health_details_show_the_last_report_and_check_now_asks_again(
    make_window: MakeWindow, start_simulator: StartSimulator
) -> None:
    sim = start_simulator("--servers", "2", "--clients", "20", *FROZEN)
    window = await connected_window(make_window, sim, 2)
    monitor = window.sessions.current.session.monitor  # type: ignore[union-attr]
    await wait_until(lambda: "as-02" in monitor.health)
    select(window, "as-02")

    trigger(context_menu(window), "actionHealthDetails")
    dialog = window.operations.health_dialog
    assert dialog is not None
    assert ("database", "Healthy") in dialog.entry_rows()
    assert "Healthy (HTTP 200" in dialog.summary()

    await asyncio.to_thread(sim.add_fault, kind="health", server_id="as-02", status="Unhealthy")
    dialog.check_button.click()
    await wait_until(lambda: "Unhealthy (HTTP 503" in dialog.summary())
    assert dialog.check_button.isEnabled()
    dialog.close()
    await close_window(window)
