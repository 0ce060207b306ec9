"""The product's names, shared by the spec, the build script, the installer and the tests.

Everything that must agree between ``ekran-console.spec``, ``build.py`` and
``installer.nsi`` is defined here once. This module uses only the standard library so
that it loads in any of those contexts; the version is read from ``app/__init__.py``
without importing the application.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING_DIR = ROOT / "packaging"

PRODUCT_NAME = "Ekran Cluster Console"
COMPANY_NAME = "Ekran System"
INSTALL_KEY = "EkranClusterConsole"
"""Registry key name under ``...\\CurrentVersion\\Uninstall`` and the installer's file prefix."""

GUI_NAME = "ekran-console"
CLI_NAME = "ekran-console-cli"
BUNDLE_NAME = "ekran-console"
"""The one-folder build: ``dist/<BUNDLE_NAME>/``."""

ICON_FILE_NAME = "ekran-console.ico"
"""The app icon rendered for Windows, written to PyInstaller's work folder at build time."""

SIMULATOR_FLAG = "--simulator"
"""``ekran-console-cli --simulator ARGS...`` runs the bundled cluster simulator."""

SPEC_FILE = PACKAGING_DIR / "ekran-console.spec"
NSIS_SCRIPT = PACKAGING_DIR / "installer.nsi"
APP_ICON_SVG = ROOT / "resources" / "icons" / "app.svg"
VERSION_SOURCE = ROOT / "app" / "__init__.py"

_VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?(?:[-.+]?[0-9A-Za-z.+-]*)?$")


class ProductError(Exception):
    """The product metadata is missing or malformed; the message is one line."""


def read_version(source: Path = VERSION_SOURCE) -> str:
    """``__version__`` as assigned in ``source`` (``app/__init__.py``), as a string literal."""
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ProductError(f"no __version__ string literal in {source}")


def windows_version(version: str) -> tuple[int, int, int, int]:
    """The four numbers of a Windows version resource: ``"1.2.3rc1"`` -> ``(1, 2, 3, 0)``."""
    match = _VERSION_PATTERN.match(version)
    if match is None:
        raise ProductError(f"version {version!r} does not start with MAJOR.MINOR.PATCH")
    major, minor, patch, build = match.groups()
    return int(major), int(minor), int(patch), int(build or 0)


def exe_name(base: str, *, windows: bool) -> str:
    """An executable's file name on the target platform: ``ekran-console.exe`` on Windows."""
    return f"{base}.exe" if windows else base


def installer_name(version: str, *, windows_payload: bool = True) -> str:
    """The installer's file name: ``EkranClusterConsole-<version>-setup.exe``.

    An installer around a non-Windows payload (built to check the installer's logic, never
    to ship) is marked ``...-<version>-linux-payload-setup.exe``.
    """
    marker = "" if windows_payload else "-linux-payload"
    return f"{INSTALL_KEY}-{version}{marker}-setup.exe"
