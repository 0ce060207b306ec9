"""The Windows lane: build, check and test the real Windows variant under Wine.

    python dev.py windows

Runs with the project's virtual environment's Python (``dev.py windows`` does that) on
Debian-like Linux, installing Wine, NSIS, mingw-w64 and Xvfb with apt-get when missing.
Stages, each timed:

1. ``tools``: the system packages.
2. ``windows python``: the cached Wine prefix with python.org's CPython 3.11 and the
   ``win_amd64`` wheels (``winenv.py``; built on the first run or when its inputs change).
3. ``project``: the prefix's wineserver, services and desktop started (on an Xvfb display
   the whole lane shares), the checkout installed (editable, no dependencies) into that
   Python, and the key of the frozen build worked out (``build_key``: the sources, the
   spec, the build scripts and the Windows Python's key).
4. ``tests`` start: ``tests/app`` and ``tests/ui`` with the Windows Python (Qt
   offscreen), minus the Wine-only exclusions named in ``wine_exclusions.py``; the test
   files dealt out to four pytest processes by their times in the previous run
   (``shards.py``), their output lines prefixed ``[1]`` to ``[4]``. They need only the
   sources, so they run while the stages below build and check the frozen folder.
5. ``freeze``: ``packaging/build.py`` run by the Windows Python (PyInstaller with the
   project's spec, then ``prune.py``): the real Windows folder. Skipped when the folder
   and installer of the same key are cached.
6. ``installer``: ``packaging/build.py --skip-freeze --installer`` with Debian's makensis
   around that folder, on the host, alongside the next stages (skipped with the freeze).
7. ``smoke``: ``ekran-console-cli.exe --version`` and ``ekran-console.exe --smoke`` under
   Xvfb.
8. ``tests (waiting)``: the end of the tests; a failure lists the failed tests. Each
   file's time is recorded for the next run's split.
9. ``sizes``: the folder and the installer against the budgets (140 MB, 45 MB).
10. ``installer round trip``: ``tests/packaging/test_windows_installer.py`` installs,
    upgrades and uninstalls the real installer silently in a fresh Wine prefix.

``python dev.py windows --tests NODE_ID [NODE_ID ...]`` runs only stages 1 to 3 and
then the named tests (pytest node ids or paths, Wine-only exclusions still left out) in
one pytest process with the Windows Python, as the lane's test stage runs them: for
checking a Windows failure without the freeze, the installer and the rest of the suite.

Every stage runs under a time limit (``*_LIMIT_S`` below): a stage over its limit is
stopped and fails, saying so, so the lane never hangs. Exit code 0 when every stage
passed. The last line states the folder's and the installer's sizes in MB. Everything is
cached under ``~/.cache/ekran-console/windows-lane`` (``EKRAN_WINDOWS_LANE_CACHE``
overrides): the prefix and wheels, keyed by a hash of their inputs, with the Windows
Python's compiled modules beside them; the frozen folder and installer of the newest
inputs in ``build/<key>``; the test files' times; this run's pytest folders and reports in
``run/``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import shards as test_shards  # noqa: E402
import wine_exclusions  # noqa: E402
import winenv  # noqa: E402
from winenv import LaneError, WindowsPython, windows_path  # noqa: E402

ROOT = winenv.ROOT
BUNDLE = "ekran-console"
FOLDER_BUDGET_MB = 140
INSTALLER_BUDGET_MB = 45
"""The Windows budgets, as in ``tests/packaging/test_frozen_build.py``."""
MB = 1_000_000
APT_PACKAGES = {
    "wine": "wine",
    "wine64": "/usr/lib/wine/wine64",
    "nsis": "makensis",
    "gcc-mingw-w64-x86-64-win32": "x86_64-w64-mingw32-gcc",
    "xvfb": "Xvfb",
    "fonts-dejavu-core": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
}
"""Debian package -> a command or file it installs."""
APT_LOCK_TIMEOUT_S = 900
PROJECT_LIMIT_S = 900
FREEZE_LIMIT_S = 1800
SMOKE_LIMIT_S = 900
MAKENSIS_LIMIT_S = 1200
ROUND_TRIP_LIMIT_S = 900
TESTS_LIMIT_S = 2100
"""Seconds each stage may take before it is stopped and fails, saying so: the lane never
hangs. The tests' limit counts from their start (they run beside the freeze, makensis
and the smoke check); a single test running longer than ``TEST_DUMP_S`` has every
thread's stack printed (pytest's ``faulthandler_timeout``), so a hang shows where."""
TEST_DUMP_S = 600
HOST_FONTS = Path("/usr/share/fonts/truetype/dejavu")
WINDOWS_FONTS = ("DejaVuSans*.ttf", "DejaVuSerif*.ttf")
"""Font files copied into the prefix's ``C:\\windows\\Fonts``, which Wine leaves empty (its
GDI serves the host's fonts through fontconfig). A Windows installation keeps its fonts
there, and the tests point Qt's offscreen platform at that folder (``QT_QPA_FONTDIR``):
without a font it draws every character as a box as wide as the font is high, and the
window lays out about twice as wide as with real text."""
_OUTPUT_LOCK = threading.Lock()
_PLURAL = {"error": "errors"}
_COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|deselected|xfailed|xpassed)")
_SUMMARY_LINE = re.compile(r"(FAILED|ERROR) (\S| - )")
"""pytest's short summary line of a failed test or error (``FAILED tests/...``, ``ERROR
tests/...``, ``ERROR  - ...`` for collection), not a captured log line (``ERROR    app...``)."""


@dataclass
class Report:
    """What the lane measured: stage timings, sizes, test counts, failures."""

    stages: list[tuple[str, float, str]] = field(default_factory=list)
    folder_bytes: int | None = None
    folder_files: int | None = None
    installer_bytes: int | None = None
    tests: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, *, fatal: bool = True) -> Iterator[None]:
        """Time a stage; a ``LaneError`` is recorded (and re-raised when ``fatal``)."""
        print(f"\n=== windows lane: {name}", flush=True)
        started = time.monotonic()
        status = "ok"
        try:
            yield
        except LaneError as error:
            status = "FAILED"
            self.failures.append(f"{name}: {error}")
            print(f"=== {name} failed: {error}", flush=True)
            if fatal:
                raise
        finally:
            seconds = time.monotonic() - started
            self.stages.append((name, seconds, status))
            print(f"=== windows lane: {name}: {status} in {seconds:.1f} s", flush=True)

    def summary(self) -> list[str]:
        lines = ["", "=== windows lane: summary"]
        # stages that ran alongside others are indented and not added to the total
        total = sum(seconds for name, seconds, _ in self.stages if not name.startswith(" "))
        for name, seconds, status in self.stages:
            lines.append(f"  {name:<24} {seconds:8.1f} s  {status}")
        lines.append(f"  {'total':<24} {total:8.1f} s")
        if self.tests:
            counts = ", ".join(f"{n} {what}" for what, n in self.tests.items())
            lines.append(f"  tests (Windows Python): {counts}")
        for failure in self.failures:
            lines.append(f"  FAILED {failure}")
        lines.append(self.sizes_line())
        return lines

    def sizes_line(self) -> str:
        folder = "not built" if self.folder_bytes is None else f"{self.folder_bytes / MB:.1f} MB"
        if self.folder_files is not None:
            folder += f" in {self.folder_files} files"
        setup = "not built"
        if self.installer_bytes is not None:
            setup = f"{self.installer_bytes / MB:.1f} MB"
        return (
            f"Windows folder: {folder} (budget {FOLDER_BUDGET_MB} MB); "
            f"installer: {setup} (budget {INSTALLER_BUDGET_MB} MB)"
        )


@dataclass(frozen=True)
class RunFolders:
    """This run's scratch folders, outside the checkout: pytest's temporary folders."""

    root: Path

    @property
    def pytest_temp(self) -> Path:
        return self.root / "pytest"

    def junit_xml(self, number: int) -> Path:
        """pytest's report of test process ``number``."""
        return self.root / f"shard{number}.xml"

    def reset(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.pytest_temp.mkdir(parents=True)


BUILD_INPUTS = (
    "app",
    "ui",
    "simulator",
    "resources",
    "packaging",
    "docs/openapi.yaml",
    "pyproject.toml",
)
"""What the frozen folder and the installer are made from, besides the Windows Python and
its wheels: the sources the spec collects, its data files, the spec, its hooks, the build
and installer scripts."""
BUILD_INPUTS_LEFT_OUT = ("packaging/windows", "packaging/smoke.py")
"""The lane's own scripts (the stand-ins are in the Windows Python's key) and the smoke
check, which runs the folder but makes nothing in it."""


def build_inputs(root: Path = ROOT) -> list[Path]:
    """The files ``BUILD_INPUTS`` name, sorted, without compiled modules and documents."""
    found: list[Path] = []
    for name in BUILD_INPUTS:
        path = root / name
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for candidate in candidates:
            relative = candidate.relative_to(root).as_posix()
            if (
                not candidate.is_file()
                or "__pycache__" in candidate.parts
                or candidate.suffix in {".pyc", ".md"}
                or relative.startswith(BUILD_INPUTS_LEFT_OUT)
            ):
                continue
            found.append(candidate)
    return found


def build_key(windows_key: str, root: Path = ROOT) -> str:
    """Hash of the Windows Python's key and of every build input's path and contents."""
    digest = hashlib.sha256(windows_key.encode())
    for path in build_inputs(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Build:
    """The frozen folder and the installer of one set of inputs (``root`` is named by
    ``build_key``): ``dist`` and PyInstaller's ``work``; ``ready`` once both were made."""

    root: Path

    @property
    def dist(self) -> Path:
        return self.root / "dist"

    @property
    def work(self) -> Path:
        return self.root / "work"

    @property
    def folder(self) -> Path:
        return self.dist / BUNDLE

    @property
    def _stamp(self) -> Path:
        return self.root / "built"

    @property
    def frozen(self) -> bool:
        """Whether the folder was frozen in full (the installer may still be missing)."""
        return (self.root / "frozen").is_file() and self.folder.is_dir()

    def mark_frozen(self) -> None:
        (self.root / "frozen").write_text("")

    @property
    def installer(self) -> Path | None:
        """The installer of a ready build, else None."""
        if not self._stamp.is_file():
            return None
        installer = self.dist / self._stamp.read_text().strip()
        return installer if installer.is_file() and self.folder.is_dir() else None

    def reset(self) -> None:
        """Remove every cached build (only the newest inputs' build is kept), start this one."""
        if self.root.parent.is_dir():
            for old in self.root.parent.iterdir():
                shutil.rmtree(old, ignore_errors=True)
        for folder in (self.dist, self.work):
            folder.mkdir(parents=True)

    def mark_ready(self, installer: Path) -> None:
        self._stamp.write_text(installer.name + "\n")


# -- stages -----------------------------------------------------------------------------
def ensure_tools() -> None:
    """apt-get the missing packages (as root on Debian-like systems), waiting for its lock."""
    missing = sorted(
        package
        for package, provided in APT_PACKAGES.items()
        if not (
            shutil.which(provided) or (Path(provided).is_absolute() and Path(provided).exists())
        )
    )
    if not missing:
        print("wine, makensis, mingw-w64 and Xvfb are present", flush=True)
        return
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise LaneError(f"missing {', '.join(missing)}: install them (apt-get, as root)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    lock = ["-o", f"DPkg::Lock::Timeout={APT_LOCK_TIMEOUT_S}"]
    for command in (
        ["apt-get", *lock, "update", "-qq"],
        ["apt-get", *lock, "install", "-y", "-qq", "--no-install-recommends", *missing],
    ):
        if winenv.run_piped(command, env) != 0:
            raise LaneError(f"{' '.join(command[:4])} failed")


def install_project(windows: WindowsPython) -> None:
    """Install the checkout, editable, into the Windows Python: once per checkout folder,
    ``pyproject.toml`` and version (the sources themselves are read from the checkout)."""
    digest = hashlib.sha256(str(ROOT).encode())
    for source in (winenv.PYPROJECT, ROOT / "app" / "__init__.py"):
        digest.update(source.read_bytes())
    stamp = windows.root / "project-installed"
    if stamp.is_file() and stamp.read_text().strip() == digest.hexdigest():
        print(f"the project in {ROOT} is already installed (editable)", flush=True)
        return
    windows.check_python(
        "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--no-warn-script-location", "--no-index", "--no-deps", "--no-build-isolation",
        "-e", windows_path(ROOT),
        cwd=ROOT, what="installing the project into the Windows Python", limit_s=PROJECT_LIMIT_S,
    )  # fmt: skip
    stamp.write_text(digest.hexdigest() + "\n")


def provide_fonts(windows: WindowsPython) -> None:
    """Copy the host's font files named by ``WINDOWS_FONTS`` into the prefix's Fonts folder."""
    target = windows.system32.parent / "Fonts"
    target.mkdir(parents=True, exist_ok=True)
    copied = 0
    for pattern in WINDOWS_FONTS:
        for font in sorted(HOST_FONTS.glob(pattern)):
            if not (target / font.name).is_file():
                shutil.copyfile(font, target / font.name)
                copied += 1
    if not any(target.glob("*.ttf")):
        raise LaneError(f"no font files in {HOST_FONTS} (apt-get install fonts-dejavu-core)")
    print(f"fonts in the prefix's Fonts folder: {copied} copied", flush=True)


def build_arguments(build: Build) -> list[str]:
    return ["--dist", windows_path(build.dist), "--work", windows_path(build.work)]


def freeze(windows: WindowsPython, build: Build) -> None:
    script = windows_path(ROOT / "packaging" / "build.py")
    windows.check_python(
        script,
        "--no-installer",
        *build_arguments(build),
        cwd=ROOT,
        what="build.py (freeze)",
        limit_s=FREEZE_LIMIT_S,
    )


def compile_installer(build: Build) -> Path:
    command = [sys.executable, str(ROOT / "packaging" / "build.py"), "--skip-freeze"]
    command += ["--installer", "--dist", str(build.dist), "--work", str(build.work)]
    if winenv.run_piped(command, dict(os.environ), ROOT, limit_s=MAKENSIS_LIMIT_S) != 0:
        raise LaneError("build.py --installer failed")
    installers = sorted(build.dist.glob("EkranClusterConsole-*-setup.exe"))
    windows_installers = [path for path in installers if "linux-payload" not in path.name]
    if not windows_installers:
        raise LaneError("makensis wrote no Windows installer")
    return windows_installers[0]


def folder_size(folder: Path) -> tuple[int, int]:
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_file():
            total += path.stat().st_size
            count += 1
    return total, count


def check_sizes(report: Report, build: Build, installer: Path) -> None:
    report.folder_bytes, report.folder_files = folder_size(build.folder)
    report.installer_bytes = installer.stat().st_size
    print(report.sizes_line(), flush=True)
    over = []
    if report.folder_bytes >= FOLDER_BUDGET_MB * MB:
        over.append(f"the folder is over {FOLDER_BUDGET_MB} MB")
    if report.installer_bytes >= INSTALLER_BUDGET_MB * MB:
        over.append(f"the installer is over {INSTALLER_BUDGET_MB} MB")
    if over:
        raise LaneError("; ".join(over))


@contextmanager
def virtual_display() -> Iterator[str]:
    """An Xvfb server on a free display number; yields ``:N``."""
    read_end, write_end = os.pipe()
    command = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1600x1000x24"]
    command += ["-nolisten", "tcp"]
    server = subprocess.Popen(
        command, pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()
    if not number:
        server.kill()
        raise LaneError("Xvfb did not start")
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(10)


def smoke(windows: WindowsPython, build: Build) -> None:
    script = windows_path(ROOT / "packaging" / "build.py")
    arguments = ["--skip-freeze", "--no-installer", "--smoke", *build_arguments(build)]
    code = windows.python_run(script, *arguments, cwd=ROOT, limit_s=SMOKE_LIMIT_S)
    if code != 0:
        raise LaneError(f"the frozen executables' smoke check failed (exit code {code})")


def installer_round_trip(windows: WindowsPython, installer: Path) -> None:
    """The real installer, silently, in a fresh prefix (the project's installer tests)."""
    env = dict(os.environ)
    env["EKRAN_WINDOWS_INSTALLER"] = str(installer)
    env["EKRAN_WINDOWS_STANDINS"] = str(windows.system32)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    command += ["tests/packaging/test_windows_installer.py"]
    if winenv.run_piped(command, env, ROOT, limit_s=ROUND_TRIP_LIMIT_S) != 0:
        raise LaneError("the installer round trip failed")


def start_tests(windows: WindowsPython, run: RunFolders, chosen: Sequence[str] = ()) -> list[Shard]:
    """Start the pytest processes (``shards.plan``); ``finish_tests`` waits for them.

    ``chosen`` (node ids or paths) replaces the split of ``tests/app`` and ``tests/ui``
    with one process running those tests only.
    """
    deselect: list[str] = []
    for node_id in wine_exclusions.WINE_EXCLUSIONS:
        deselect += ["--deselect", node_id]
    print(f"{len(wine_exclusions.WINE_EXCLUSIONS)} Wine-only exclusions (wine_exclusions.py)")
    if chosen:
        groups = [list(chosen)]
        print(f"{len(chosen)} chosen tests in one process")
    else:
        recorded = test_shards.load(seconds_record())
        files = test_shards.modules_to_test(ROOT)
        groups = test_shards.plan(files, recorded)
        timed = sum(name in recorded for name in files)
        print(f"{len(files)} test files in {len(groups)} processes ({timed} with a recorded time)")
    env = windows.env(QT_QPA_PLATFORM="offscreen", EKRAN_TEST_REAL_KEYRING="required")
    shards: list[Shard] = []
    for number, group in enumerate(groups, start=1):
        arguments = ["-m", "pytest", *group, "-p", "no:cacheprovider", "-q", "-rfE"]
        arguments += ["--durations=5", "--junitxml", windows_path(run.junit_xml(number))]
        arguments += ["-o", f"faulthandler_timeout={TEST_DUMP_S}"]
        arguments += ["--basetemp", windows_path(run.pytest_temp / f"shard{number}"), *deselect]
        shards.append(Shard(f"[{number}] ", ["wine", windows.python, *arguments], env))
    for shard in shards:
        shard.start()
    return shards


def seconds_record() -> Path:
    return winenv.cache_root() / "test-seconds.json"


def finish_tests(
    shards: Sequence[Shard], run: RunFolders, report: Report, *, record_times: bool = True
) -> None:
    """Wait for the shards; add up their counts; a failure names the failed tests.

    ``record_times`` keeps each file's time for the next run's split (not for a run of
    chosen tests, whose files ran only in part).
    """
    deadline = min((shard.started for shard in shards), default=time.monotonic()) + TESTS_LIMIT_S
    failed = [shard.name.strip() for shard in shards if shard.wait(deadline) != 0]
    stopped = [shard.name.strip() for shard in shards if shard.stopped]
    if record_times:
        reports = [run.junit_xml(number) for number in range(1, len(shards) + 1)]
        record = seconds_record()
        timed = test_shards.save(record, test_shards.load(record), reports, ROOT)
        print(f"the times of {timed} test files are recorded for the next run's split")
    failed_tests: list[str] = []
    for shard in shards:
        for what, count in shard.counts().items():
            report.tests[what] = report.tests.get(what, 0) + count
        failed_tests += shard.failed_tests
    if stopped:
        raise LaneError(
            f"pytest with the Windows Python did not finish within {TESTS_LIMIT_S} s: "
            f"shard {', '.join(stopped)} stopped (a test running over {TEST_DUMP_S} s has "
            "its threads' stacks above); "
            + ("; ".join(failed_tests[:20]) or "no failure before the stop")
        )
    if failed:
        named = "; ".join(failed_tests[:20]) or "see the shard's output above"
        more = f" (and {len(failed_tests) - 20} more)" if len(failed_tests) > 20 else ""
        raise LaneError(
            f"pytest with the Windows Python failed in shard {', '.join(failed)}: {named}{more}"
        )


class Background:
    """A lane step on a thread of its own; ``result()`` waits and re-raises its error."""

    def __init__(self, step: Callable[[], Path]) -> None:
        self.seconds = 0.0
        self._step = step
        self._value: Path | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.monotonic()
        try:
            self._value = self._step()
        except BaseException as error:  # handed to result()'s caller
            self._error = error
        self.seconds = time.monotonic() - started

    def result(self) -> Path:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


class Shard:
    """One pytest process whose output is relayed line by line, each line prefixed."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.tail: list[str] = []
        self.failed_tests: list[str] = []
        """pytest's short summary lines for failures and errors (``-rfE``)."""
        self._process: subprocess.Popen[bytes] | None = None
        self._relay: threading.Thread | None = None
        self.started = time.monotonic()
        self.stopped = False
        """Whether the process was stopped at the deadline."""

    def start(self) -> None:
        print(f"+ {self.name}" + " ".join(self.command), flush=True)
        self.started = time.monotonic()
        self._process = subprocess.Popen(
            self.command, env=self.env, cwd=ROOT, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        self._relay = threading.Thread(target=self._copy, daemon=True)
        self._relay.start()

    def _copy(self) -> None:
        assert self._process is not None
        assert self._process.stdout is not None
        with self._process.stdout as output:  # closed at its end, when no process holds it
            for raw in iter(output.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip()
                with _OUTPUT_LOCK:
                    print(f"{self.name}{line}", flush=True)
                self.tail.append(line)
                del self.tail[:-50]
                if _SUMMARY_LINE.match(line):
                    self.failed_tests.append(line)

    def wait(self, deadline: float | None = None) -> int:
        """The exit code; a process still running at ``deadline`` (``time.monotonic()``)
        is killed (``stopped``)."""
        assert self._process is not None
        assert self._relay is not None
        try:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            code = self._process.wait(left)
        except subprocess.TimeoutExpired:
            self.stopped = True
            with _OUTPUT_LOCK:
                print(f"{self.name}stopped: still running at the tests' time limit", flush=True)
            self._process.kill()
            code = self._process.wait()
        self._relay.join(winenv.RELAY_GRACE_S)  # a process it started may hold the pipe
        return code

    def counts(self) -> dict[str, int]:
        """pytest's final counts (``passed``, ``failed``, ``deselected``, ...)."""
        for line in reversed(self.tail):
            found = _COUNT.findall(line)
            if found and " in " in line:
                return {_PLURAL.get(what, what): int(n) for n, what in found}
        return {}


# -- the lane ---------------------------------------------------------------------------
def lane(report: Report, chosen: Sequence[str] = ()) -> None:
    """The lane's stages; with ``chosen`` tests, the first three and those tests only."""
    run = RunFolders(winenv.cache_root() / "run")
    with report.stage("tools"):
        ensure_tools()
    windows: WindowsPython | None = None
    # Every Wine program of the prefix sees the display: the first one to start the
    # prefix's wineserver starts its desktop, whose graphics driver all later programs use
    # (started without DISPLAY, no program of that wineserver could open a window).
    with virtual_display() as display:
        os.environ["DISPLAY"] = display
        try:
            with report.stage("windows python"):
                windows, cached = winenv.prepared_python(sys.executable)
                print(f"Windows Python in {windows.prefix} ({'cached' if cached else 'built'})")
            with report.stage("project"):
                windows.start()
                run.reset()
                install_project(windows)
                provide_fonts(windows)
                build = Build(winenv.cache_root() / "build" / build_key(windows.root.name))
                cached_installer = build.installer
            if chosen:
                with report.stage("tests (chosen)"):
                    shards = start_tests(windows, run, chosen)
                    finish_tests(shards, run, report, record_times=False)
                return
            installer = build_and_test(report, windows, run, build, cached_installer)
            windows.stop()
            with report.stage("sizes", fatal=False):
                check_sizes(report, build, installer)
            with report.stage("installer round trip", fatal=False):
                installer_round_trip(windows, installer)
        finally:
            if windows is not None:
                windows.stop()


def build_and_test(
    report: Report,
    windows: WindowsPython,
    run: RunFolders,
    build: Build,
    cached_installer: Path | None,
) -> Path:
    """The tests, beside the freeze, makensis and the smoke check; returns the installer.

    The tests need the sources only: they run (pytest processes, mostly waiting on
    simulators and timers) while PyInstaller freezes the folder, then makensis (on the
    host, one core) compresses it while Wine runs the smoke check. From here on a failed
    stage does not stop the others. A build of the same inputs is reused.
    """
    started = time.monotonic()
    shards = start_tests(windows, run)
    makensis: Background | None = None
    try:
        with report.stage("freeze"):
            if build.frozen:
                print(f"the folder of these inputs is cached: {build.folder}")
            else:
                build.reset()
                freeze(windows, build)
                build.mark_frozen()
        if cached_installer is None:
            makensis = Background(lambda: compile_installer(build))
        with report.stage("smoke", fatal=False):
            smoke(windows, build)
    finally:
        with report.stage("tests (waiting)", fatal=False):
            finish_tests(shards, run, report)
        report.stages.append(("  tests, from the start", time.monotonic() - started, ""))
    if makensis is None:
        assert cached_installer is not None
        return cached_installer
    with report.stage("installer (waiting for makensis)"):
        installer = makensis.result()
        build.mark_ready(installer)
    report.stages.append(("  makensis, alongside", makensis.seconds, "ok"))
    return installer


@contextmanager
def one_lane_at_a_time() -> Iterator[None]:
    """Hold the cache's lock: a second lane on the machine waits (they share ``run/``)."""
    import fcntl  # the lane runs on Linux only

    root = winenv.cache_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lane.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("another Windows lane is running on this machine: waiting for it", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.py windows", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tests",
        nargs="+",
        metavar="NODE_ID",
        default=[],
        help="run only these tests (pytest node ids or paths) with the Windows Python; "
        "no freeze, installer or smoke check",
    )
    arguments = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        print("the Windows lane runs on Linux, under Wine", file=sys.stderr)
        return 2
    report = Report()
    with one_lane_at_a_time(), suppress(LaneError):  # errors are recorded in the report
        lane(report, arguments.tests)
    for line in report.summary():
        print(line, flush=True)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
