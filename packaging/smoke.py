"""Start the frozen executables once: the CLI's ``--version`` and the window's ``--smoke``.

The window's smoke mode opens the demo cluster (the bundled simulator, started through
``ekran-console-cli --simulator``) and exits 0 after its first snapshot. Both run with
a throw-away ``EKRAN_CONSOLE_HOME`` so that a check never touches a user's own files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import product

SMOKE_PASSED = "smoke test passed"
"""What ``ekran-console --smoke`` prints on stderr once the first snapshot arrived."""
SMOKE_FAILED = "smoke test failed"
"""How its one-line reason for a failure starts."""
SMOKE_TIMEOUT_S = 600.0
"""A guard against a hang, not a speed check (the Linux build passes in about 2 s): under
Wine on a loaded 2-core machine, with the Windows tests alongside, the frozen window's
first snapshot took over 180 s."""
CLI_TIMEOUT_S = 300.0
"""A guard against a hang too: the frozen ``ekran-console-cli --version`` took 27 s under
Wine at load average 16, and over 60 s with the lane's test processes and makensis
alongside."""
HOME_ENV_VAR = "EKRAN_CONSOLE_HOME"
READER_JOIN_TIMEOUT_S = 10.0


class SmokeError(Exception):
    """A frozen executable failed its check; the message is one line."""


@dataclass(frozen=True)
class SmokeResult:
    """How the window's smoke run went: seconds to the first snapshot and to the exit.

    ``first_snapshot_s`` is None when the executable prints nothing (a windowed
    executable on Windows has no stderr).
    """

    first_snapshot_s: float | None
    exit_s: float
    output: str


def executable(folder: Path, base_name: str) -> Path:
    """The path of one of the frozen folder's executables on this platform."""
    return folder / product.exe_name(base_name, windows=sys.platform == "win32")


def smoke_environment(home: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default ``os.environ``) with a private console home, headless on Linux."""
    env = dict(os.environ if base is None else base)
    env[HOME_ENV_VAR] = str(home)
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def check_cli_version(folder: Path, version: str) -> str:
    """Run ``ekran-console-cli --version``; returns its output, which must name ``version``."""
    try:
        result = subprocess.run(
            [str(executable(folder, product.CLI_NAME)), "--version"],
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"ekran-console-cli --version did not end within {CLI_TIMEOUT_S:g} s"
        raise SmokeError(message) from None
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or version not in output:
        raise SmokeError(f"ekran-console-cli --version gave {output!r} (exit {result.returncode})")
    return output


def run_window_smoke(folder: Path, timeout_s: float = SMOKE_TIMEOUT_S) -> SmokeResult:
    """Run ``ekran-console --smoke`` and time it; raises ``SmokeError`` unless it exits 0."""
    lines: list[tuple[float, str]] = []
    with tempfile.TemporaryDirectory(prefix="ekran-smoke-") as home:
        started = time.monotonic()
        with subprocess.Popen(
            [str(executable(folder, product.GUI_NAME)), "--smoke"],
            env=smoke_environment(Path(home)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        ) as process:
            reader = threading.Thread(
                target=_collect_lines, args=(process.stderr, started, lines), daemon=True
            )
            reader.start()
            try:
                code = process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                raise SmokeError(
                    f"ekran-console --smoke did not exit within {timeout_s:g} s"
                ) from None
            exit_s = time.monotonic() - started
            reader.join(READER_JOIN_TIMEOUT_S)
    output = "".join(line for _, line in lines)
    if code != 0:
        raise SmokeError(f"ekran-console --smoke exited with {code}: {_failure_reason(lines)}")
    first = next((at for at, line in lines if SMOKE_PASSED in line), None)
    return SmokeResult(first, exit_s, output)


def _collect_lines(stream: IO[str] | None, started: float, sink: list[tuple[float, str]]) -> None:
    """Append ``(seconds since started, line)`` for each line of ``stream`` until it closes."""
    if stream is None:
        return
    for line in stream:
        sink.append((time.monotonic() - started, line))


def _failure_reason(lines: list[tuple[float, str]]) -> str:
    """The window's own failure line, else its last line of output (Qt may add noise)."""
    text = [line.strip() for _, line in lines if line.strip()]
    return next((line for line in reversed(text) if SMOKE_FAILED in line), None) or (
        text[-1] if text else "no output"
    )
