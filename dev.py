#!/usr/bin/env python3
"""Set up and run Ekran Cluster Console from a fresh checkout, using only the standard library.

    python3 dev.py demo       create the environment if needed, then open the console on a
                              simulated cluster (the simulator runs as a child process)
    python3 dev.py test       create the environment if needed, then lint, type-check and test
    python3 dev.py windows    build, check and test the real Windows variant under Wine (Linux)
    python3 dev.py setup      only create or refresh the environment

Extra arguments after ``test`` go to pytest (``python3 dev.py test -k isolation``).
On Linux with ``EKRAN_WINDOWS_LANE=1`` ``test`` also runs the Windows lane after the suite;
a failure of either fails the run. CI leaves it out until the lane is green and fits CI's
time (see packaging/README.md).
Works on Windows (``py dev.py ...``), macOS and Linux. On Debian/Ubuntu as root it also
installs the system packages the test suite needs (a Secret Service for the keyring
tests) and, for ``demo``, those the window needs, waiting while another program (such as
unattended upgrades) holds the package manager's lock. Without a display ``demo`` says
so and what to do instead. Ctrl+C ends ``demo`` cleanly: the console stops its simulator.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable, Mapping, Sequence
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
# What Qt's xcb platform plugin loads (ldd of libqxcb.so and libQt6XcbQpa.so): the window
# on an X11 or XWayland display. Server images lack several; Qt then blames xcb-cursor.
WINDOW_APT_PACKAGES = [
    "libegl1",
    "libgl1",
    "libfontconfig1",
    "libdbus-1-3",
    "libx11-xcb1",
    "libxkbcommon0",
    "libxkbcommon-x11-0",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-util1",
    "libxcb-xfixes0",
    "libxcb-xkb1",
]
# The package manager's locks: held by apt, dpkg and unattended upgrades while they run.
PACKAGE_LOCKS = [
    "/var/lib/dpkg/lock-frontend",
    "/var/lib/dpkg/lock",
    "/var/lib/apt/lists/lock",
    "/var/cache/apt/archives/lock",
]
PACKAGE_LOCK_WAIT_S = 600.0
PACKAGE_LOCK_POLL_S = 2.0
PACKAGE_LOCK_REMIND_S = 30.0
# Qt platforms that need no display (anything else on Linux needs X11 or Wayland).
HEADLESS_QT_PLATFORMS = ("offscreen", "minimal", "vnc", "eglfs", "linuxfb")
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
    apt_get(["update", "-qq"])
    if missing:
        apt_get(["install", "-y", "-qq", *missing])
    if lean:
        apt_get(["install", "-y", "-qq", "--no-install-recommends", *lean])


# -- the package manager's lock ---------------------------------------------------------------
def package_lock_holder(locks: Sequence[str] = PACKAGE_LOCKS) -> str | None:
    """The first of ``locks`` another process holds (an fcntl probe: the lock is taken and
    released at once when free), or None. Lock files that are missing or unreadable count
    as free."""
    import fcntl

    for path in locks:
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return path
        else:
            fcntl.lockf(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    return None


def wait_for_package_lock(
    holder: Callable[[], str | None] = package_lock_holder,
    *,
    timeout_s: float = PACKAGE_LOCK_WAIT_S,
    poll_s: float = PACKAGE_LOCK_POLL_S,
    remind_s: float = PACKAGE_LOCK_REMIND_S,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    say: Callable[[str], None] = print,
) -> bool:
    """Wait while another program holds the package manager's lock, saying so every
    ``remind_s`` seconds; True once it is free, False after ``timeout_s``."""
    start = clock()
    said_at: float | None = None
    while (held := holder()) is not None:
        waited = clock() - start
        if waited >= timeout_s:
            say(f"The package manager is still busy after {timeout_s:.0f} s ({held} is held).")
            return False
        if said_at is None or waited - said_at >= remind_s:
            say(
                f"Waiting for the package manager: another program (unattended upgrades?) "
                f"holds {held} ({waited:.0f} s of at most {timeout_s:.0f} s)."
            )
            said_at = waited
        sleep(poll_s)
    return True


def apt_get(args: list[str]) -> None:
    """Run apt-get non-interactively once the package manager is free; exit on failure."""
    if not wait_for_package_lock():
        sys.exit("Try again once the other package installation has finished.")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # apt-get also waits by itself, should another program take the lock after the check.
    lock_timeout = f"DPkg::Lock::Timeout={PACKAGE_LOCK_WAIT_S:.0f}"
    check(["apt-get", "-o", lock_timeout, *args], env=env)


# -- what the window needs --------------------------------------------------------------------
def display_problem(environ: Mapping[str, str], platform: str) -> str | None:
    """Why the window cannot open here (Linux without X11 or Wayland), with what to do
    instead; None when it can."""
    if not platform.startswith("linux"):
        return None
    qt_platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    if qt_platform in HEADLESS_QT_PLATFORMS:
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "There is no display: neither DISPLAY nor WAYLAND_DISPLAY is set, so the window has "
        "nowhere to open.\n"
        "- on a desktop, run it from a terminal inside the desktop session;\n"
        "- over SSH, connect with X forwarding (ssh -X);\n"
        "- on a server, use a virtual display: xvfb-run -a python3 dev.py demo "
        "(apt-get install xvfb);\n"
        "- to check the window without a display: "
        "QT_QPA_PLATFORM=offscreen python3 dev.py demo --smoke"
    )


def ensure_window_packages(environ: Mapping[str, str] = os.environ) -> None:
    """On Debian/Ubuntu, install the system libraries the window needs (as root), or say
    which are missing and how to install them. Nothing to do for a headless Qt platform."""
    if not sys.platform.startswith("linux") or shutil.which("dpkg-query") is None:
        return
    if environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip() in HEADLESS_QT_PLATFORMS:
        return
    missing = [pkg for pkg in WINDOW_APT_PACKAGES if not _dpkg_installed(pkg)]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        print(
            "The window needs these system packages, which are missing: "
            f"{' '.join(missing)}\nInstall them with: sudo apt-get install -y {' '.join(missing)}",
            file=sys.stderr,
        )
        return
    print(f"Installing what the window needs: {' '.join(missing)}", flush=True)
    apt_get(["update", "-qq"])
    apt_get(["install", "-y", "-qq", "--no-install-recommends", *missing])


def run_in_foreground(cmd: list[str], **kwargs: object) -> int:
    """Run a child that handles Ctrl+C itself and return its exit code.

    Meanwhile Ctrl+C does nothing here (a handler that ignores it, not ``SIG_IGN``, which
    the child would inherit): the child ends in order and this process reports its code.
    """

    def ignore(_signum: int, _frame: object) -> None:
        pass

    previous = signal.signal(signal.SIGINT, ignore)
    try:
        return run(cmd, **kwargs)
    finally:
        signal.signal(signal.SIGINT, previous)


def lint(python: Path) -> None:
    check([str(python), "-m", "ruff", "check", "."], cwd=ROOT)
    check([str(python), "-m", "ruff", "format", "--check", "."], cwd=ROOT)
    check([str(python), "-m", "mypy"], cwd=ROOT)
    lint_imports = python.parent / ("lint-imports.exe" if os.name == "nt" else "lint-imports")
    check([str(lint_imports)], cwd=ROOT)


def xdist_options(extra: Sequence[str], cpus: int | None) -> list[str]:
    """pytest-xdist options: workers, unless ``extra`` chooses them (``-n``, ``-p no:xdist``).

    Many tests wait on child processes (the simulator, the command line), so one worker per
    core leaves cores idle: two per core, at least two. ``--dist loadscope`` sends each test
    module whole to one worker, so its module fixtures and simulators start once (the suite's
    scheduler, ``tests/helpers/scheduling.py``, also keeps the packaging tests together and
    hands out the tests of modules marked ``spread`` one by one).
    """
    chosen = any(
        a == "-n" or a.startswith(("-n", "--numprocesses")) or a in ("no:xdist", "-pno:xdist")
        for a in extra
    )
    if chosen:
        return []
    return ["-n", str(max(2, 2 * (cpus or 1))), "--dist", "loadscope"]


BYTECODE_PACKAGES = ("app", "ui", "simulator", "tests")


def compile_bytecode(python: Path) -> None:
    """Compile the project's modules once (only those changed since the last run).

    Every child process the suite starts (the simulator, the command line, the window
    probes) would otherwise compile the modules it imports from source again.
    """
    check([str(python), "-m", "compileall", "-q", *BYTECODE_PACKAGES], cwd=ROOT)


def pytest_command(python: Path, extra: list[str]) -> tuple[list[str], dict[str, str]]:
    """Build the pytest command; on Linux it runs inside a private, unlocked Secret Service.

    ``PYTHONDONTWRITEBYTECODE`` is taken out of its environment: with it, pytest cannot keep
    the test modules it rewrites for its assertions (``__pycache__/*-pytest-*.pyc``), and
    every worker parsed, rewrote and compiled all of them again on every run (about 10 s of
    CPU per worker).
    """
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [str(python), "-m", "pytest", *xdist_options(extra, os.cpu_count()), *extra]
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
    compile_bytecode(python)
    cmd, env = pytest_command(python, extra)
    started = time.monotonic()
    code = run(cmd, cwd=ROOT, env=env)
    print(f"== test suite: exit code {code} in {time.monotonic() - started:.1f} s", flush=True)
    if code == 5:
        print("pytest collected no tests: that is a failure", file=sys.stderr)
    if windows_lane_wanted(os.environ, sys.platform):
        started = time.monotonic()
        lane = cmd_windows([])
        print(
            f"== Windows lane: exit code {lane} in {time.monotonic() - started:.1f} s"
            + ("" if lane == 0 else " (its summary above names the failed stages and tests)"),
            flush=True,
        )
        if code != 0:
            print(f"== the test suite had failed first (exit code {code})", flush=True)
        code = code or lane
    return code


def windows_lane_wanted(environ: Mapping[str, str], platform: str) -> bool:
    """Whether ``test`` runs the Windows lane: on Linux, when asked (not yet on CI)."""
    return environ.get("EKRAN_WINDOWS_LANE") == "1" and platform.startswith("linux")


def cmd_windows(args: list[str]) -> int:
    """The Windows lane (``packaging/windows/lane.py``), with the project's environment."""
    python = ensure_venv()
    # The lane's own last line states the sizes: nothing is printed after it.
    return run([str(python), str(ROOT / "packaging" / "windows" / "lane.py"), *args], cwd=ROOT)


def cmd_demo(args: list[str]) -> int:
    problem = display_problem(os.environ, sys.platform)
    if problem is not None:
        print(problem, file=sys.stderr)
        return 1
    ensure_window_packages()
    python = ensure_venv()
    return run_in_foreground([str(python), "-m", "ui", "--demo", *args], cwd=ROOT)


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
    try:
        return commands[argv[0]](argv[1:])
    except KeyboardInterrupt:  # Ctrl+C while setting up: no traceback
        print("Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
