"""Ending the window from outside: a request to end (signal, console event, log-off) and
the last moment before the process ends (Windows' WM_ENDSESSION)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

import pytest

from tests.helpers.processes import wait_until_ended
from tests.ui.conftest import next_emission
from tests.ui.window.conftest import MakeWindow, wait_for_health_round, wait_for_rows
from ui.demo import DemoCluster
from ui.settings import WindowSettings
from ui.termination import TerminationRequests


async def test_a_request_to_end_shuts_the_window_down_with_the_demo(
    make_window: MakeWindow, tmp_path: Path
) -> None:
    window = make_window()
    demo = DemoCluster(poll_interval_s=0.5, workdir=tmp_path / "simulator")
    await window.open_demo(demo)
    await wait_for_rows(window, 5)
    await wait_for_health_round(window)
    pid = demo.pid
    assert pid is not None

    finished = asyncio.ensure_future(next_emission(window.shutdown_finished, within=30.0))
    window.shut_down("a test")
    await finished

    assert window.closed
    assert window.sessions.session_count == 0
    assert not demo.running
    assert not (tmp_path / "simulator").exists()
    assert await asyncio.to_thread(wait_until_ended, pid, 5.0)


async def test_the_last_moment_saves_settings_and_removes_the_demo_at_once(
    make_window: MakeWindow, tmp_path: Path, settings_file: Path
) -> None:
    window = make_window()
    demo = DemoCluster(poll_interval_s=0.5, workdir=tmp_path / "simulator")
    await window.open_demo(demo)
    await wait_for_rows(window, 5)
    await wait_for_health_round(window)
    pid = demo.pid
    assert pid is not None

    window.shut_down_now()  # synchronous: no await between here and the checks

    assert not demo.running
    assert not (tmp_path / "simulator").exists(), "the CA's key is gone"
    assert WindowSettings.in_file(settings_file).geometry() is not None
    assert await asyncio.to_thread(wait_until_ended, pid, 5.0)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals (Windows: console events)")
async def test_a_posix_signal_becomes_a_request_to_end() -> None:
    requests = TerminationRequests(asyncio.get_running_loop())
    requests.install()
    try:
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "handled, not fatal"
        received = asyncio.ensure_future(next_emission(requests.requested))
        os.kill(os.getpid(), signal.SIGTERM)
        assert await received == ("SIGTERM",)
    finally:
        requests.uninstall()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


@pytest.mark.parametrize(
    ("event", "cause", "waits"),
    [(0, "Ctrl+C", False), (1, "Ctrl+Break", False), (2, "console closed", True)],
)
async def test_a_console_event_asks_to_end_and_a_close_waits_for_the_shutdown(
    event: int, cause: str, waits: bool
) -> None:
    # What Windows does on its own thread when the console is closed, Ctrl+C or
    # Ctrl+Break is pressed (the same method SetConsoleCtrlHandler calls).
    requests = TerminationRequests(asyncio.get_running_loop())
    received = asyncio.ensure_future(next_emission(requests.requested))
    await asyncio.sleep(0)  # connected
    returned = threading.Event()

    def windows_thread() -> None:
        assert requests.handle_console_event(event)
        returned.set()

    thread = threading.Thread(target=windows_thread)
    thread.start()
    assert await received == (cause,)
    if waits:
        await asyncio.sleep(0.2)  # time enough to see it return too early
        assert not returned.is_set(), "a close returns only after the shutdown"
        requests.finished()
    assert await asyncio.to_thread(returned.wait, 10)
    thread.join()
