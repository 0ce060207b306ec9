"""The frozen executables' entry scripts, run from the source tree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import product
import pytest

import app
from tests.packaging.paths import ENTRY_DIR, ROOT

CLI_ENTRY = ENTRY_DIR / "ekran_console_cli.py"
GUI_ENTRY = ENTRY_DIR / "ekran_console.py"
READY_TIMEOUT_S = 60.0


def run_entry(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_cli_entry_hands_everything_else_to_the_command_line() -> None:
    result = run_entry(CLI_ENTRY, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ekran-console-cli {app.__version__}"


def test_the_simulator_door_is_hidden_from_the_command_lines_help() -> None:
    result = run_entry(CLI_ENTRY, "--help")
    assert result.returncode == 0
    assert "ekran-console-cli" in result.stdout
    assert product.SIMULATOR_FLAG not in result.stdout


def test_the_simulator_door_is_the_flag_the_product_names() -> None:
    text = CLI_ENTRY.read_text(encoding="utf-8")
    assert f'SIMULATOR_FLAG = "{product.SIMULATOR_FLAG}"' in text


def test_the_simulator_door_passes_its_options_to_the_simulator() -> None:
    result = run_entry(CLI_ENTRY, product.SIMULATOR_FLAG, "--servers", "0")
    assert result.returncode == 2
    assert "--servers" in result.stderr
    assert "must be at least 1" in result.stderr


def test_the_simulator_door_starts_a_cluster_that_announces_itself(tmp_path: Path) -> None:
    ready = tmp_path / "ready.json"
    command = [sys.executable, str(CLI_ENTRY), product.SIMULATOR_FLAG]
    options = ["--servers", "2", "--clients", "4", "--base-port", "0"]
    options += ["--tls-dir", str(tmp_path / "tls"), "--ready-file", str(ready)]
    flags = subprocess.CREATE_NEW_PROCESS_GROUP if os.name == "nt" else 0  # type: ignore[attr-defined]
    with (tmp_path / "stderr.log").open("wb") as log:
        process = subprocess.Popen(
            [*command, *options],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
            creationflags=flags,
        )
    try:
        data = wait_for_json(ready, process)
        assert [e["server_id"] for e in data["endpoints"]] == ["as-01", "as-02"]
        assert all(e["url"].startswith("https://127.0.0.1:") for e in data["endpoints"])
    finally:
        stop(process)
    assert process.returncode == 0


def test_the_window_entry_runs_the_window_program() -> None:
    result = run_entry(GUI_ENTRY, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"Ekran Cluster Console {app.__version__}"


def wait_for_json(path: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the simulator exited with {process.returncode} before it was ready")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            time.sleep(0.05)
            continue
        assert isinstance(data, dict)
        return data
    pytest.fail(f"no ready file after {READY_TIMEOUT_S:g} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.CTRL_BREAK_EVENT if os.name == "nt" else signal.SIGTERM)  # type: ignore[attr-defined]
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
