"""``dev.py``: waiting for the package manager, the demo without a display, Ctrl+C."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers.processes import wait_until_ended
from tests.helpers.simulator_process import ROOT
from ui.demo_home import DEMO_FOLDER_PREFIX

LOCK = "/var/lib/dpkg/lock-frontend"
START_TIMEOUT_S = 120.0
posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and fcntl locks")


def load_dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = load_dev()


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_a_held_package_lock_is_waited_for_with_a_message() -> None:
    answers = iter([LOCK, LOCK, None])
    fake, said = FakeTime(), []

    free = dev.wait_for_package_lock(
        lambda: next(answers), poll_s=2.0, sleep=fake.sleep, clock=fake.clock, say=said.append
    )

    assert free
    assert fake.sleeps == [2.0, 2.0]
    assert len(said) == 1, "one message, not one per poll"
    assert "Waiting for the package manager" in said[0]
    assert LOCK in said[0]


def test_a_lock_held_too_long_is_given_up_with_reminders_on_the_way() -> None:
    fake, said = FakeTime(), []

    free = dev.wait_for_package_lock(
        lambda: LOCK,
        timeout_s=100.0,
        poll_s=2.0,
        remind_s=30.0,
        sleep=fake.sleep,
        clock=fake.clock,
        say=said.append,
    )

    assert not free
    assert fake.now == 100.0
    waiting = [line for line in said if line.startswith("Waiting")]
    assert [re.search(r"\((\d+) s of", line).group(1) for line in waiting] == [  # type: ignore[union-attr]
        "0",
        "30",
        "60",
        "90",
    ]
    assert "still busy after 100 s" in said[-1]


def test_a_free_lock_costs_no_wait() -> None:
    fake, said = FakeTime(), []
    assert dev.wait_for_package_lock(lambda: None, sleep=fake.sleep, say=said.append)
    assert fake.sleeps == []
    assert said == []


@posix_only
def test_the_lock_probe_sees_a_lock_another_process_holds(tmp_path: Path) -> None:
    lock = tmp_path / "lock-frontend"
    lock.write_bytes(b"")
    holder_code = (
        "import fcntl, os, sys\n"
        f"fd = os.open({str(lock)!r}, os.O_RDWR)\n"
        "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", holder_code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdin is not None
        assert holder.stdout.readline() == b"held\n"
        assert dev.package_lock_holder([str(tmp_path / "missing"), str(lock)]) == str(lock)
        holder.stdin.close()
        holder.wait(10)
    assert dev.package_lock_holder([str(lock)]) is None


@pytest.mark.parametrize(
    ("environ", "platform", "blocked"),
    [
        ({}, "linux", True),
        ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
        ({}, "win32", False),
        ({}, "darwin", False),
    ],
)
def test_a_missing_display_is_recognised(
    environ: dict[str, str], platform: str, blocked: bool
) -> None:
    assert (dev.display_problem(environ, platform) is not None) == blocked


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="displays are a Linux matter")
def test_demo_without_a_display_says_so_and_what_to_do_instead() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "dev.py", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "There is no display" in result.stderr
    assert "xvfb-run -a python3 dev.py demo" in result.stderr
    assert "QT_QPA_PLATFORM=offscreen" in result.stderr
    assert "xcb-cursor" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@posix_only
def test_ctrl_c_on_dev_demo_ends_everything_without_tracebacks(tmp_path: Path) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(temp))
    err_path = tmp_path / "stderr.txt"
    with err_path.open("wb") as err:
        # A session of its own: Ctrl+C in a terminal signals the whole foreground group.
        demo = subprocess.Popen(
            [sys.executable, "dev.py", "demo"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    try:
        simulator = wait_for_demo(temp, demo)
        os.killpg(demo.pid, signal.SIGINT)
        code = demo.wait(60)
    finally:
        if demo.poll() is None:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.wait()

    stderr = err_path.read_text(errors="replace")
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert wait_until_ended(simulator, 5.0)
    assert list(temp.glob(f"{DEMO_FOLDER_PREFIX}*")) == []


def wait_for_demo(temp: Path, process: subprocess.Popen[bytes]) -> int:
    """The demo simulator's pid, once the console logged it ready."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        for log in temp.glob(f"{DEMO_FOLDER_PREFIX}*/console/logs/console.log"):
            found = re.search(r"demo cluster ready: simulator pid (\d+)", log.read_text())
            if found:
                return int(found.group(1))
        assert process.poll() is None, f"dev.py demo ended early ({process.returncode})"
        time.sleep(0.1)
    raise AssertionError("the demo cluster was not ready in time")


@pytest.mark.parametrize(
    ("environ", "platform", "wanted"),
    [
        ({"CI": "true"}, "linux", False),  # not yet on CI: not green, and too long for it
        ({}, "linux", False),  # a developer's test run does not (30 minutes)
        ({"EKRAN_WINDOWS_LANE": "1"}, "linux", True),
        ({"CI": "true", "EKRAN_WINDOWS_LANE": "1"}, "linux", True),
        ({"CI": "true", "EKRAN_WINDOWS_LANE": "0"}, "linux", False),
        ({"EKRAN_WINDOWS_LANE": "1"}, "win32", False),  # the lane runs Windows under Wine
        ({"EKRAN_WINDOWS_LANE": "1"}, "darwin", False),
    ],
)
def test_the_windows_lane_runs_on_linux_when_asked(
    environ: dict[str, str], platform: str, wanted: bool
) -> None:
    assert dev.windows_lane_wanted(environ, platform) is wanted


@pytest.mark.parametrize(
    ("extra", "cpus", "expected"),
    [
        ([], 2, ["-n", "4", "--dist", "loadscope"]),  # tests wait on child processes
        ([], 1, ["-n", "2", "--dist", "loadscope"]),
        ([], None, ["-n", "2", "--dist", "loadscope"]),  # cpu_count() may not know
        (["-k", "isolation"], 8, ["-n", "16", "--dist", "loadscope"]),
        (["-n", "0"], 2, []),  # the caller's own choice wins
        (["-n3"], 2, []),
        (["--numprocesses=1"], 2, []),
        (["-p", "no:xdist"], 2, []),
    ],
)
def test_the_suite_is_spread_over_workers_unless_asked_otherwise(
    extra: list[str], cpus: int | None, expected: list[str]
) -> None:
    assert dev.xdist_options(extra, cpus) == expected


def test_pytest_may_keep_its_rewritten_test_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without bytecode writes pytest rewrites every test module again in every worker."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setattr(dev.shutil, "which", lambda _name: None)  # no private keyring here
    cmd, env = dev.pytest_command(Path(sys.executable), ["-k", "x"])
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert cmd[-2:] == ["-k", "x"]
