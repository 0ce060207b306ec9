"""Build the frozen folder and its installer once per test session, with build.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import product
import pytest

from tests.packaging.paths import BUILD_SCRIPT

BUILD_TIMEOUT_S = 3600
ENABLE_ENV_VAR = "EKRAN_PACKAGING_TESTS"

requires_frozen_build = pytest.mark.skipif(
    os.environ.get(ENABLE_ENV_VAR) != "1",
    reason=f"frozen-build tests run only with {ENABLE_ENV_VAR}=1 (they build the app: minutes)",
)


@dataclass(frozen=True)
class FrozenBuild:
    """``build.py``'s output folders and the time the build took."""

    dist: Path
    work: Path
    seconds: float

    @property
    def folder(self) -> Path:
        return self.dist / product.BUNDLE_NAME

    @property
    def contents(self) -> Path:
        return self.folder / "_internal"

    def executable(self, base_name: str) -> Path:
        return self.folder / product.exe_name(base_name, windows=sys.platform == "win32")


def run_build_script(*args: str) -> float:
    """Run ``build.py`` with ``args``; returns its duration, fails the test with its output."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), *args],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"build.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}"
        )
    return time.monotonic() - started


def build_frozen_folder(dist: Path, work: Path) -> FrozenBuild:
    seconds = run_build_script("--no-installer", "--dist", str(dist), "--work", str(work))
    return FrozenBuild(dist, work, seconds)


def build_installer(build: FrozenBuild) -> tuple[Path, float]:
    """Compile the installer around ``build``'s folder; returns its path and the time taken."""
    seconds = run_build_script(
        "--skip-freeze", "--installer", "--dist", str(build.dist), "--work", str(build.work)
    )
    windows = sys.platform == "win32"
    name = product.installer_name(product.read_version(), windows_payload=windows)
    return build.dist / name, seconds
