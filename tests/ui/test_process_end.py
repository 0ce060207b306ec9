"""The console as a process: asked to end from outside, it ends cleanly (exit 0, no
traceback, nothing left behind); killed outright, its demo simulator still goes with it.

Each run has its own temporary folder (``TMPDIR``/``TMP``/``TEMP``: where the demo's
throw-away home goes) and its own user folders (``HOME``, ``XDG_*``), so a test can see
what the run left in either.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.processes import process_running, wait_until_ended
from tests.helpers.simulator_process import ROOT
from ui.demo_home import DEMO_FOLDER_PREFIX
from ui.settings import SETTINGS_FILE, WindowSettings

START_TIMEOUT_S = 300.0  # a guard against a hang: the Windows lane's loaded Wine took over 120 s
EXIT_TIMEOUT_S = 60.0
SIMULATOR_GONE_S = 5.0
DEMO_READY = re.compile(r"demo cluster ready: simulator pid (\d+)")

pytestmark = pytest.mark.spread  # each test waits on a console of its own

posix_only = pytest.mark.skipif(
    sys.platform == "win32",
    reason="POSIX signals; on Windows the console ends through console events and a Job Object",
)
windows_only = pytest.mark.skipif(
    sys.platform != "win32", reason="Job Objects exist only on Windows"
)


@dataclass
class ConsoleRun:
    """One ``python -m ui`` process and the folders it was given."""

    process: subprocess.Popen[bytes]
    temp: Path
    user: Path
    stderr_path: Path

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait(self) -> int:
        return self.process.wait(EXIT_TIMEOUT_S)

    def demo_folders(self) -> list[Path]:
        return sorted(self.temp.glob(f"{DEMO_FOLDER_PREFIX}*"))

    def user_files(self) -> list[Path]:
        return sorted(p for p in self.user.rglob("*") if p.is_file())


def start_console(tmp_path: Path, *args: str, **env: str) -> ConsoleRun:
    temp, user, out = tmp_path / "temp", tmp_path / "user", tmp_path / "out"
    for folder in (temp, user, out):
        folder.mkdir()
    environ = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(temp))
    environ.update(TMP=str(temp), TEMP=str(temp), HOME=str(user), USERPROFILE=str(user))
    for name, sub in (("CONFIG", ".config"), ("DATA", ".local/share"), ("CACHE", ".cache")):
        environ[f"XDG_{name}_HOME"] = str(user / sub)
    environ["XDG_STATE_HOME"] = str(user / ".local/state")
    environ.pop("EKRAN_CONSOLE_HOME", None)
    environ.update(env)
    stderr_path = out / "stderr.txt"
    with (out / "stdout.txt").open("wb") as stdout, stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "ui", *args],
            cwd=ROOT,
            env=environ,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
        )
    return ConsoleRun(process, temp, user, stderr_path)


def wait_for_log(run: ConsoleRun, pattern: re.Pattern[str], logs: str) -> re.Match[str]:
    """Wait until a log file matching the glob ``logs`` (under the run's folders' parent)
    has a line matching ``pattern``."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for log_file in run.temp.parent.glob(logs):
            try:
                found = pattern.search(log_file.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                continue
            if found:
                return found
        if run.process.poll() is not None:
            pytest.fail(f"the console ended early ({run.process.returncode}):\n{run.stderr()}")
        time.sleep(0.1)
    run.process.kill()
    run.process.wait()
    pytest.fail(f"not logged within {START_TIMEOUT_S:g} s: {pattern.pattern}\n{run.stderr()}")


def start_demo(tmp_path: Path) -> tuple[ConsoleRun, int]:
    """``python -m ui --demo`` with the demo cluster ready; returns the simulator's pid."""
    run = start_console(tmp_path, "--demo")
    logs = f"temp/{DEMO_FOLDER_PREFIX}*/console/logs/console.log"
    return run, int(wait_for_log(run, DEMO_READY, logs).group(1))


@posix_only
@pytest.mark.parametrize("sent", ["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_demo_cleanly_and_leaves_nothing(tmp_path: Path, sent: str) -> None:
    run, simulator = start_demo(tmp_path)
    assert process_running(simulator)

    run.process.send_signal(getattr(signal, sent))
    code = run.wait()

    stderr = run.stderr()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert wait_until_ended(simulator, SIMULATOR_GONE_S), "the simulator outlived the console"
    assert run.demo_folders() == [], "the demo's temporary folder (with the CA key) is gone"
    assert run.user_files() == [], "the demo wrote nothing into the user's own folders"


@posix_only
def test_a_console_killed_outright_leaves_no_simulator(tmp_path: Path) -> None:
    run, simulator = start_demo(tmp_path)

    run.process.send_signal(signal.SIGKILL)
    run.wait()

    assert wait_until_ended(simulator, SIMULATOR_GONE_S), "the simulator outlived the console"
    # It stopped cleanly (parent-death signal) and took the CA's private key along.
    assert [f.name for f in run.temp.rglob("*-key.pem")] == []


@posix_only
def test_the_console_home_holds_the_window_settings(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run = start_console(tmp_path, EKRAN_CONSOLE_HOME=str(home))
    wait_for_log(run, re.compile("window open"), "home/logs/console.log")

    run.process.send_signal(signal.SIGTERM)

    assert run.wait() == 0, run.stderr()
    settings = WindowSettings.in_file(home / "config" / SETTINGS_FILE)
    assert settings.geometry() is not None, "the window's geometry was saved in the home"
    assert run.user_files() == [], "nothing outside EKRAN_CONSOLE_HOME"


@windows_only
def test_a_console_killed_outright_takes_its_simulator_along_on_windows(tmp_path: Path) -> None:
    run, simulator = start_demo(tmp_path)

    run.process.kill()  # TerminateProcess: no shutdown code runs; the Job Object closes
    run.wait()

    assert wait_until_ended(simulator, SIMULATOR_GONE_S), "the simulator outlived the console"


@windows_only
def test_closing_the_console_window_ends_it_and_leaves_no_child_on_windows(
    tmp_path: Path,
) -> None:
    # The window on the desktop (Qt's Windows platform), closed as its title bar's X does.
    run = start_console(tmp_path, "--demo", QT_QPA_PLATFORM="windows")
    try:
        logs = f"temp/{DEMO_FOLDER_PREFIX}*/console/logs/console.log"
        simulator = int(wait_for_log(run, DEMO_READY, logs).group(1))
        assert process_running(simulator)

        assert close_top_level_windows(run.process.pid, within_s=START_TIMEOUT_S) > 0
        code = run.wait()
    finally:
        if run.process.poll() is None:  # the test failed: leave no console behind
            run.process.kill()
            run.process.wait()

    stderr = run.stderr()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert wait_until_ended(simulator, SIMULATOR_GONE_S), "the simulator outlived the console"
    assert run.demo_folders() == [], "the demo's temporary folder (with the CA key) is gone"


def close_top_level_windows(pid: int, *, within_s: float) -> int:
    """Post ``WM_CLOSE`` to process ``pid``'s visible top-level windows once it has one
    (Windows only); returns how many were sent it, 0 if none showed within ``within_s``."""
    import ctypes
    from ctypes import wintypes

    user32 = ctypes.WinDLL("user32", use_last_error=True)
    enum_proc = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.HWND, wintypes.LPARAM)
    user32.EnumWindows.argtypes = [enum_proc, wintypes.LPARAM]
    user32.GetWindowThreadProcessId.argtypes = [wintypes.HWND, ctypes.POINTER(wintypes.DWORD)]
    user32.IsWindowVisible.argtypes = [wintypes.HWND]
    user32.PostMessageW.argtypes = [wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM]
    wm_close = 0x0010

    def visible_windows() -> list[int]:
        found: list[int] = []

        def visit(hwnd: int, _param: int) -> bool:
            owner = wintypes.DWORD()
            user32.GetWindowThreadProcessId(hwnd, ctypes.byref(owner))
            if owner.value == pid and user32.IsWindowVisible(hwnd):
                found.append(hwnd)
            return True

        user32.EnumWindows(enum_proc(visit), 0)
        return found

    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        windows = visible_windows()
        if windows:
            return sum(bool(user32.PostMessageW(hwnd, wm_close, 0, 0)) for hwnd in windows)
        time.sleep(0.2)
    return 0


@windows_only
def test_closing_the_job_kills_its_processes() -> None:
    from ui.kill_on_close_job import KillOnCloseJob

    job = KillOnCloseJob.create()
    assert job is not None
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"]) as child:
        try:
            assert job.assign(child.pid)
            job.close()
            assert child.wait(SIMULATOR_GONE_S) is not None
        finally:
            if child.poll() is None:
                child.kill()
