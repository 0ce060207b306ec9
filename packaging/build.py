"""Build Ekran Cluster Console's frozen folder and, where NSIS is available, its installer.

    .venv/bin/python packaging/build.py               (Linux, macOS)
    .venv\\Scripts\\python packaging\\build.py           (Windows)

Steps, each timed: clean, PyInstaller with ``packaging/ekran-console.spec`` into
``dist/ekran-console/``, prune what the spec could not leave out, measure the folder;
then the installer ``dist/EkranClusterConsole-<version>-setup.exe`` (by default on
Windows when makensis is found; ``--installer`` requires it on any platform, and on
Linux compiles the NSIS script around the Linux folder to check its logic); then, with
``--smoke``, the frozen executables' own checks. Exit code 0 on success, 1 with a
one-line reason otherwise. Run it with the project's virtual environment's Python.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

PACKAGING_DIR = str(Path(__file__).resolve().parent)
if PACKAGING_DIR not in sys.path:
    sys.path.insert(0, PACKAGING_DIR)

import nsis  # noqa: E402
import product  # noqa: E402
import prune  # noqa: E402
import smoke  # noqa: E402

MIB = 1024 * 1024
PYINSTALLER_WORK = "pyinstaller"
T = TypeVar("T")


class BuildError(Exception):
    """A build step failed; the message is one line."""


@dataclass(frozen=True)
class Layout:
    """Where a build writes: folder and installer under ``dist``, scratch files under ``work``."""

    dist: Path
    work: Path

    @property
    def folder(self) -> Path:
        return self.dist / product.BUNDLE_NAME

    @property
    def contents(self) -> Path:
        """The executables' shared ``_internal`` folder."""
        return self.folder / "_internal"

    @property
    def pyinstaller_work(self) -> Path:
        return self.work / PYINSTALLER_WORK

    @property
    def icon(self) -> Path:
        """The ``.ico`` the spec renders into PyInstaller's work folder for the spec's name."""
        return self.pyinstaller_work / product.SPEC_FILE.stem / product.ICON_FILE_NAME


@dataclass(frozen=True)
class FolderSize:
    """Apparent size of a folder: files (symbolic links counted as links, not targets)."""

    bytes: int
    files: int

    @classmethod
    def of(cls, folder: Path) -> FolderSize:
        total = count = 0
        for path in folder.rglob("*"):
            if path.is_symlink() or path.is_file():
                total += path.lstat().st_size
                count += 1
        return cls(total, count)

    def __str__(self) -> str:
        return f"{self.bytes / MIB:.1f} MiB ({self.bytes / 1e6:.1f} MB) in {self.files} files"


@contextmanager
def step(title: str) -> Iterator[None]:
    """Print ``title``, run the block, print how long it took."""
    print(f"== {title}", flush=True)
    started = time.monotonic()
    yield
    print(f"== {title}: done in {time.monotonic() - started:.1f} s", flush=True)


def timed(title: str, action: Callable[[], T]) -> T:
    with step(title):
        return action()


def clean(layout: Layout) -> None:
    """Remove the previous frozen folder, its installers and PyInstaller's work folder."""
    shutil.rmtree(layout.folder, ignore_errors=True)
    shutil.rmtree(layout.pyinstaller_work, ignore_errors=True)
    for old in layout.dist.glob(f"{product.INSTALL_KEY}-*-setup.exe"):
        old.unlink()


def freeze(layout: Layout) -> None:
    """Run PyInstaller with the spec; raises ``BuildError`` if it fails."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(layout.dist),
        "--workpath",
        str(layout.pyinstaller_work),
        str(product.SPEC_FILE),
    ]
    result = subprocess.run(command, cwd=product.ROOT, check=False)
    if result.returncode != 0:
        raise BuildError(f"PyInstaller failed with exit code {result.returncode}")
    if not smoke.executable(layout.folder, product.GUI_NAME).is_file():
        raise BuildError(f"PyInstaller produced no {product.GUI_NAME} in {layout.folder}")


def prune_folder(layout: Layout) -> None:
    report = layout.pyinstaller_work / product.SPEC_FILE.stem / prune.LEFT_OUT_REPORT
    files, size = prune.read_left_out(report)
    print(f"the spec left out {files} files ({size / MIB:.1f} MiB) by prune's rules", flush=True)
    removed = prune.prune_folder(layout.contents)
    print(f"removed {len(removed)} more files the console does not use", flush=True)
    for path in removed:
        print(f"  {path}", flush=True)
    stripped = prune.strip_debug_symbols(layout.contents)
    print(f"stripped debug symbols from {len(stripped)} libraries", flush=True)


def ensure_icon(layout: Layout) -> Path:
    """The rendered ``.ico``: the spec's, or rendered now when the folder was not rebuilt."""
    if not layout.icon.is_file():
        command = [sys.executable, str(product.PACKAGING_DIR / "app_icon.py")]
        result = subprocess.run(
            [*command, str(product.APP_ICON_SVG), str(layout.icon)], check=False
        )
        if result.returncode != 0:
            raise BuildError("the app icon could not be rendered")
    return layout.icon


def build_installer(layout: Layout, version: str, makensis: Path | None) -> Path:
    inputs = nsis.InstallerInputs.for_payload(
        layout.folder, ensure_icon(layout), layout.dist, version
    )
    try:
        return nsis.compile_installer(inputs, makensis)
    except nsis.InstallerError as error:
        raise BuildError(str(error)) from None


def run_smoke(layout: Layout, version: str) -> None:
    try:
        print(smoke.check_cli_version(layout.folder, version), flush=True)
        result = smoke.run_window_smoke(layout.folder)
    except smoke.SmokeError as error:
        raise BuildError(str(error)) from None
    if result.first_snapshot_s is not None:
        print(f"first snapshot after {result.first_snapshot_s:.2f} s", flush=True)
    print(f"ekran-console --smoke passed, exited after {result.exit_s:.2f} s", flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Build the frozen folder and the Windows installer."
    )
    parser.add_argument(
        "--installer",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="compile the installer (default: on Windows when makensis is found)",
    )
    parser.add_argument("--smoke", action="store_true", help="run the frozen executables' checks")
    parser.add_argument(
        "--skip-freeze",
        action="store_true",
        help="reuse the frozen folder already in --dist (to compile the installer or smoke only)",
    )
    parser.add_argument("--dist", type=Path, default=product.ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=product.ROOT / "build", help="scratch folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the build; 0 on success, 1 with a reason on stderr."""
    args = parse_args(argv)
    layout = Layout(args.dist.resolve(), args.work.resolve())
    version = product.read_version()
    makensis = nsis.find_makensis()
    installer = args.installer
    if installer is None:
        installer = sys.platform == "win32" and makensis is not None
    print(f"{product.PRODUCT_NAME} {version}: building into {layout.folder}", flush=True)
    try:
        if args.skip_freeze:
            if not layout.folder.is_dir():
                raise BuildError(f"--skip-freeze: there is no frozen folder at {layout.folder}")
        else:
            timed("clean", lambda: clean(layout))
            timed("freeze (PyInstaller)", lambda: freeze(layout))
            timed("prune", lambda: prune_folder(layout))
        print(f"frozen folder: {FolderSize.of(layout.folder)}", flush=True)
        if installer:
            setup = timed(
                "installer (makensis)", lambda: build_installer(layout, version, makensis)
            )
            print(f"installer: {setup} ({setup.stat().st_size / MIB:.1f} MiB)", flush=True)
        if args.smoke:
            timed("smoke", lambda: run_smoke(layout, version))
    except BuildError as error:
        print(f"build failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
