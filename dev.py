#!/usr/bin/env python3
"""Set up and run Ekran Cluster Console from a fresh checkout, using only the standard library.

    python dev.py demo        create the environment if needed, then open the console on a
                              simulated cluster (the simulator runs as a child process)
    python dev.py test        create the environment if needed, then lint, type-check and test
    python dev.py windows     build, check and test the real Windows variant under Wine (Linux)
    python dev.py setup       only create or refresh the environment

Extra arguments after ``test`` go to pytest (``python dev.py test -k isolation``).
On CI (``CI`` set) ``test`` also runs the Windows lane after the suite, on Linux.
Works on Windows, macOS and Linux; on Linux as root it also installs the system
packages the test suite needs (a Secret Service for the keyring tests).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
STAMP = VENV / ".ekran-installed"
APT_PACKAGES = [
    "dbus",
    "gnome-keyring",
    "libsecret-tools",
    "libegl1",
    "libgl1",
    "libxkbcommon0",
    "libfontconfig1",
    "libdbus-1-3",
]
# Only for the frozen-build and installer checks, which CI runs (EKRAN_PACKAGING_TESTS=1).
PACKAGING_APT_PACKAGES = ["nsis", "wine", "wine64"]
MIN_PYTHON = (3, 11)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def run(cmd: list[str], **kwargs: object) -> int:
    print("+ " + " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call(cmd, **kwargs)  # type: ignore[call-overload]


def check(cmd: list[str], **kwargs: object) -> None:
    code = run(cmd, **kwargs)
    if code != 0:
        sys.exit(code)


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in (ROOT / "pyproject.toml", CONSTRAINTS):
        digest.update(path.read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def ensure_venv() -> Path:
    """Create ``.venv`` and install the project with its test and dev extras, once per change."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"Python {MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer is required")
    python = venv_python()
    wanted = install_fingerprint()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python
    if not python.exists():
        print(f"Creating the virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    check([*pip, "install", "--quiet", "--upgrade", "pip"])
    check([*pip, "install", "--quiet", "-c", str(CONSTRAINTS), "-e", f"{ROOT}[test,dev]"])
    STAMP.write_text(wanted)
    return python


def _dpkg_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def ensure_system_packages(*, packaging: bool) -> None:
    """On Debian-like Linux as root, install the apt packages the suite needs (idempotent)."""
    if not sys.platform.startswith("linux") or shutil.which("apt-get") is None:
        return
    if os.geteuid() != 0:
        return
    missing = [pkg for pkg in APT_PACKAGES if not _dpkg_installed(pkg)]
    lean = [pkg for pkg in PACKAGING_APT_PACKAGES if packaging and not _dpkg_installed(pkg)]
    if not missing and not lean:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    check(["apt-get", "update", "-qq"], env=env)
    if missing:
        check(["apt-get", "install", "-y", "-qq", *missing], env=env)
    if lean:
        install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *lean]
        check(install, env=env)


def lint(python: Path) -> None:
    check([str(python), "-m", "ruff", "check", "."], cwd=ROOT)
    check([str(python), "-m", "ruff", "format", "--check", "."], cwd=ROOT)
    check([str(python), "-m", "mypy"], cwd=ROOT)
    lint_imports = python.parent / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    check([str(lint_imports)], cwd=ROOT)


def pytest_command(python: Path, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """Build the pytest command; on Linux it runs inside a private, unlocked Secret Service."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [str(python), "-m", "pytest", *extra]
    if (
        sys.platform.startswith("linux")
        and shutil.which("dbus-run-session")
        and shutil.which("gnome-keyring-daemon")
    ):
        keyring_home = tempfile.mkdtemp(prefix="ekran-keyring-")
        env["XDG_DATA_HOME"] = keyring_home
        env["EKRAN_TEST_REAL_KEYRING"] = "required"
        inner = (
            "printf '%s' \"$EKRAN_KEYRING_UNLOCK\" | "
            "gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
            'exec "$@"'
        )
        env["EKRAN_KEYRING_UNLOCK"] = "ekran-test-keyring"
        cmd = ["dbus-run-session", "--", "sh", "-c", inner, "sh", *cmd]
    elif os.environ.get("CI"):
        env["EKRAN_TEST_REAL_KEYRING"] = "required"
    return cmd, env


def cmd_test(args: list[str]) -> int:
    # CI also builds the frozen app and runs its installer under Wine (a few minutes).
    packaging = os.environ.get("EKRAN_PACKAGING_TESTS") == "1" or bool(os.environ.get("CI"))
    if packaging:
        os.environ["EKRAN_PACKAGING_TESTS"] = "1"
    ensure_system_packages(packaging=packaging)
    python = ensure_venv()
    fast = "--fast" in args
    extra = [a for a in args if a != "--fast"]
    if not fast:
        lint(python)
    cmd, env = pytest_command(python, extra)
    started = time.monotonic()
    code = run(cmd, cwd=ROOT, env=env)
    print(f"== test suite: exit code {code} in {time.monotonic() - started:.1f} s", flush=True)
    if code == 5:
        print("pytest collected no tests: that is a failure", file=sys.stderr)
    if os.environ.get("CI") and sys.platform.startswith("linux"):
        lane = cmd_windows([])
        code = code or lane
    return code


def cmd_windows(args: list[str]) -> int:
    """The Windows lane (``packaging/windows/lane.py``), with the project's environment."""
    python = ensure_venv()
    # The lane's own last line states the sizes: nothing is printed after it.
    return run([str(python), str(ROOT / "packaging" / "windows" / "lane.py"), *args], cwd=ROOT)


def cmd_demo(args: list[str]) -> int:
    python = ensure_venv()
    return run([str(python), "-m", "ui", "--demo", *args], cwd=ROOT)


def main(argv: list[str]) -> int:
    commands = {
        "demo": cmd_demo,
        "test": cmd_test,
        "windows": cmd_windows,
        "setup": lambda _args: (ensure_venv(), 0)[1],
    }
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
