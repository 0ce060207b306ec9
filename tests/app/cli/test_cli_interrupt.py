"""Ctrl+C on a running command: exit 130 with one line, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.simulator_process import ROOT, SimulatorProcess


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT (Windows: CTRL_C_EVENT)")
def test_ctrl_c_on_watch_exits_130_with_one_line(
    tmp_path: Path, simulator: SimulatorProcess
) -> None:
    env = dict(
        os.environ,
        EKRAN_CONSOLE_HOME=str(tmp_path / "home"),
        EKRAN_CONSOLE_PASSWORD=simulator.info.password,
    )
    command = [
        sys.executable, "-m", "app.cli", "watch", "--interval", "0.5",
        "--url", simulator.url, "--user", simulator.info.username,
        "--ca", str(simulator.info.ca_file),
    ]  # fmt: skip
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    ) as watch:  # fmt: skip
        assert watch.stdout is not None
        assert watch.stdout.readline(), "the first update was printed"
        watch.send_signal(signal.SIGINT)
        _out, err = watch.communicate(timeout=30)

    assert watch.returncode == 130
    assert err == "Interrupted.\n"
