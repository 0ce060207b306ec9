"""The frozen folder built by ``packaging/build.py``: it starts, talks to a cluster, stays small.

Opt-in (``EKRAN_PACKAGING_TESTS=1``): the session builds the folder once (PyInstaller,
about half a minute of CPU on two cores) and compiles its installer (about a minute).
"""

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
import smoke

import app
from tests.packaging.frozen import FrozenBuild, requires_frozen_build

pytestmark = requires_frozen_build

MIB = 1024 * 1024
MB = 1_000_000
FOLDER_BUDGET_MB = {"linux": 201, "win32": 140, "darwin": 235}
"""Windows: the goal, 140 MB (an estimate from the win_amd64 wheels puts the folder at about
124 MB). Linux: a regression guard just above today's 198.8 MB (189.5 MiB), which is over
the goal because of what Windows does not carry: ICU (39 MB; Qt on Windows uses the
system's), system libraries (X11, glib, D-Bus, libstdc++, ...: 14 MB), and because Linux's
OpenBLAS and numpy core are larger (39 MB against 24 MB). macOS is not measured."""
INSTALLER_BUDGET_MB = {"linux": 51, "win32": 45, "darwin": 60}
"""Windows: the goal, 45 MB (estimated: about 32 MB). Linux: a regression guard just above
the installer around today's Linux payload, 49.7 MB (47.4 MiB; links stored as copies)."""
READY_TIMEOUT_S = 60.0


def platform_name() -> str:
    return "linux" if sys.platform.startswith("linux") else sys.platform


def mib_and_mb(size: int) -> str:
    return f"{size / MIB:.1f} MiB ({size / MB:.1f} MB)"


def folder_size(folder: Path) -> int:
    """Apparent size in bytes; symbolic links count as links, as build.py counts them."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_symlink() or p.is_file())


def test_the_frozen_cli_prints_the_version(
    frozen_build: FrozenBuild, measurements: dict[str, str]
) -> None:
    started = time.monotonic()
    result = subprocess.run(
        [str(frozen_build.executable(product.CLI_NAME)), "--version"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    measurements["frozen ekran-console-cli --version"] = f"{time.monotonic() - started:.2f} s"
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ekran-console-cli {app.__version__}"


def test_the_frozen_cli_lists_the_servers_of_the_frozen_simulator(
    frozen_build: FrozenBuild, tmp_path: Path, measurements: dict[str, str]
) -> None:
    ready_file = tmp_path / "ready.json"
    cli = str(frozen_build.executable(product.CLI_NAME))
    simulator_args = ["--servers", "3", "--clients", "30", "--base-port", "0"]
    simulator_args += ["--tls-dir", str(tmp_path / "tls"), "--ready-file", str(ready_file)]
    started = time.monotonic()
    with (tmp_path / "simulator.log").open("wb") as log:
        simulator = subprocess.Popen(
            [cli, product.SIMULATOR_FLAG, *simulator_args],
            stdout=subprocess.DEVNULL,
            stderr=log,
            creationflags=_new_process_group(),
        )
    try:
        ready = _wait_for_ready(ready_file, simulator)
        measurements["frozen simulator ready"] = f"{time.monotonic() - started:.2f} s"
        env = smoke.smoke_environment(tmp_path / "home")
        env["EKRAN_CONSOLE_PASSWORD"] = ready["password"]
        urls = [arg for e in ready["endpoints"] for arg in ("--url", e["url"])]
        result = subprocess.run(
            [
                cli,
                "servers",
                "--json",
                *urls,
                "--user",
                ready["username"],
                "--ca",
                ready["ca_file"],
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        _stop(simulator)
    assert result.returncode == 0, result.stderr
    servers = json.loads(result.stdout)
    assert sorted(s["id"] for s in servers) == sorted(e["server_id"] for e in ready["endpoints"])
    assert ready["password"] not in result.stdout + result.stderr


def test_the_frozen_window_passes_its_smoke_test(
    frozen_build: FrozenBuild, measurements: dict[str, str]
) -> None:
    try:
        result = smoke.run_window_smoke(frozen_build.folder)
    except smoke.SmokeError as error:
        pytest.fail(str(error))
    if result.first_snapshot_s is not None:
        measurements["frozen window: launch to first snapshot"] = f"{result.first_snapshot_s:.2f} s"
    measurements["frozen window: launch to exit (--smoke)"] = f"{result.exit_s:.2f} s"
    if sys.platform != "win32":  # a windowed Windows executable has no stderr to report on
        assert result.first_snapshot_s is not None, result.output


def test_the_frozen_folder_carries_what_the_code_looks_up_at_run_time(
    frozen_build: FrozenBuild,
) -> None:
    contents = frozen_build.contents
    assert (contents / "resources" / "icons" / "app.svg").is_file()
    assert (contents / "docs" / "openapi.yaml").is_file()
    assert list(contents.glob("keyring-*.dist-info/entry_points.txt")), "keyring finds backends so"
    assert (contents / "truststore").is_dir()
    plugins = {p.relative_to(contents).as_posix() for p in contents.rglob("plugins/*/*")}
    assert any(p.endswith("platforms/libqoffscreen.so") for p in plugins) or os.name == "nt"
    assert any("iconengines/" in p and "svgicon" in p for p in plugins)
    assert any("imageformats/" in p and "svg" in p for p in plugins)
    assert not list(contents.rglob("translations/*.qm"))


def test_the_frozen_folder_leaves_unused_qt_out(frozen_build: FrozenBuild) -> None:
    names = {p.name for p in frozen_build.contents.rglob("*")}
    for unused in ("Quick", "Qml", "Pdf", "WebEngineCore", "Multimedia", "3DCore", "Network"):
        assert not [n for n in names if n.startswith((f"libQt6{unused}.", f"Qt6{unused}."))]
    for opengl in ("OpenGL", "OpenGLWidgets"):  # runtime_hooks/qt_opengl_stand_ins.py
        assert not [n for n in names if n.startswith((f"libQt6{opengl}.", f"Qt6{opengl}."))]
        assert not [n for n in names if n.startswith(f"Qt{opengl}.")]
    assert "opengl32sw.dll" not in names
    assert not (frozen_build.contents / "numpy" / "random").exists()
    assert "mypy" not in names
    assert "_pytest" not in names


def test_the_frozen_folder_stays_within_its_size_budget(
    frozen_build: FrozenBuild, measurements: dict[str, str]
) -> None:
    size = folder_size(frozen_build.folder)
    measurements["frozen folder size"] = mib_and_mb(size)
    assert size < FOLDER_BUDGET_MB[platform_name()] * MB


def test_the_installer_compiles_as_a_64_bit_program(
    frozen_installer: Path, measurements: dict[str, str]
) -> None:
    data = frozen_installer.read_bytes()
    measurements["installer size"] = f"{mib_and_mb(len(data))} {frozen_installer.name}"
    pe_header = int.from_bytes(data[0x3C:0x40], "little")
    assert data[:2] == b"MZ"
    assert data[pe_header : pe_header + 4] == b"PE\0\0"
    machine = int.from_bytes(data[pe_header + 4 : pe_header + 6], "little")
    assert machine == 0x8664, "an x86-64 installer (Target amd64-unicode)"
    assert len(data) < INSTALLER_BUDGET_MB[platform_name()] * MB


def _new_process_group() -> int:
    return subprocess.CREATE_NEW_PROCESS_GROUP if os.name == "nt" else 0  # type: ignore[attr-defined]


def _wait_for_ready(path: Path, process: subprocess.Popen[bytes]) -> dict[str, Any]:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the frozen simulator exited with {process.returncode} at start-up")
        try:
            data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            time.sleep(0.05)
            continue
        return data
    pytest.fail(f"the frozen simulator was not ready after {READY_TIMEOUT_S:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.CTRL_BREAK_EVENT if os.name == "nt" else signal.SIGTERM)  # type: ignore[attr-defined]
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
