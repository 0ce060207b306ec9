"""The real Windows installer (around the real Windows folder), silently, under 64-bit Wine.

Run by the Windows lane (``python dev.py windows``), which builds that installer and sets
``EKRAN_WINDOWS_INSTALLER`` to it; skipped otherwise. A fresh prefix, as on a new user's
machine: an older version first, the real installer over it (upgrade in place), the real
installer over itself, the installed command line run, then the silent uninstaller.
``EKRAN_WINDOWS_STANDINS`` names the folder holding the lane's stand-in DLLs for Wine's
gaps (see ``packaging/windows/winenv.py``); they are copied into the prefix's system32 so
the installed executables can start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import nsis
import product
import pytest

import app
from tests.packaging.test_installer_under_wine import (
    OBSOLETE_FILE,
    OLD_VERSION,
    PRODUCT,
    save_user_data,
)
from tests.packaging.tools import ensure_tool
from tests.packaging.wine import WinePrefix

INSTALLER_ENV_VAR = "EKRAN_WINDOWS_INSTALLER"
STANDINS_ENV_VAR = "EKRAN_WINDOWS_STANDINS"
STANDIN_DLLS = ("icuuc.dll", "bcryptprimitives.dll", "xpi-ms-win-crt-math-l1-1-0.dll")

pytestmark = pytest.mark.skipif(
    not os.environ.get(INSTALLER_ENV_VAR),
    reason=f"needs the real Windows installer in {INSTALLER_ENV_VAR} (python dev.py windows)",
)


@pytest.fixture(scope="module")
def real_installer() -> Path:
    path = Path(os.environ[INSTALLER_ENV_VAR])
    assert path.is_file(), f"{INSTALLER_ENV_VAR} names no file: {path}"
    return path


@pytest.fixture(scope="module")
def makensis() -> str:
    found = ensure_tool("makensis", ["nsis"])
    assert found is not None, "the Windows lane installs makensis"
    return found


@pytest.fixture(scope="module")
def icon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("icon") / product.ICON_FILE_NAME
    command = [sys.executable, str(product.PACKAGING_DIR / "app_icon.py")]
    subprocess.run([*command, str(product.APP_ICON_SVG), str(out)], check=True, timeout=120)
    return out


@pytest.fixture
def prefix(tmp_path: Path) -> Iterator[WinePrefix]:
    created = WinePrefix.create(tmp_path / "wine")
    standins = os.environ.get(STANDINS_ENV_VAR)
    if standins:
        system32 = created.path / "drive_c" / "windows" / "system32"
        for name in STANDIN_DLLS:
            shutil.copy2(Path(standins) / name, system32 / name)
    yield created
    created.stop()


def older_windows_installer(makensis: str, icon: Path, folder: Path) -> Path:
    """An older version's installer around a stand-in Windows folder (``.exe`` names, as a
    Windows release has) with a file only that version has."""
    payload = folder / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "_internal" / OBSOLETE_FILE).write_text("from an older version\n")
    for name in (product.GUI_NAME, product.CLI_NAME):
        (payload / product.exe_name(name, windows=True)).write_text("stand-in executable\n")
    inputs = nsis.InstallerInputs.for_payload(payload, icon, folder, OLD_VERSION)
    return nsis.compile_installer(inputs, Path(makensis))


def installed_entry(prefix: WinePrefix, folder: Path) -> dict[str, str]:
    """The "Installed apps" entry, checked against an installation in ``folder``."""
    entry = prefix.uninstall_entry()
    assert entry is not None
    assert prefix.unix_path(entry["InstallLocation"]) == folder
    assert entry["DisplayName"] == PRODUCT
    assert entry["DisplayVersion"] == app.__version__
    assert entry["Publisher"] == product.COMPANY_NAME
    assert entry["DisplayIcon"].endswith(f"\\{product.GUI_NAME}.exe")
    assert int(entry["EstimatedSize"], 16) * 1024 > 50_000_000, "the real folder's size"
    assert entry["QuietUninstallString"] == f'"{entry["InstallLocation"]}\\uninstall.exe" /S'
    for name in (f"{product.GUI_NAME}.exe", f"{product.CLI_NAME}.exe", "uninstall.exe"):
        assert (folder / name).is_file()
    internal = folder / "_internal"
    assert (internal / "resources" / "icons" / "app.svg").is_file()
    assert (internal / "python311.dll").is_file()
    assert not (internal / OBSOLETE_FILE).exists(), "the upgrade replaced old files"
    assert (prefix.start_menu_programs / f"{PRODUCT}.lnk").is_file()
    return entry


def test_real_installer_upgrades_reinstalls_runs_and_uninstalls(
    real_installer: Path, makensis: str, icon: Path, prefix: WinePrefix, tmp_path: Path
) -> None:
    user_files = save_user_data(prefix)
    old = older_windows_installer(makensis, icon, tmp_path / "old")
    assert prefix.run(str(old), "/S").returncode == 0
    old_entry = prefix.uninstall_entry()
    assert old_entry is not None
    assert old_entry["DisplayVersion"] == OLD_VERSION
    folder = prefix.local_appdata / "Programs" / PRODUCT

    assert prefix.run(str(real_installer), "/S").returncode == 0
    entry = installed_entry(prefix, folder)
    assert entry["InstallLocation"] == old_entry["InstallLocation"]

    assert prefix.run(str(real_installer), "/S").returncode == 0, "installed over itself"
    entry = installed_entry(prefix, folder)

    cli = f"{entry['InstallLocation']}\\{product.CLI_NAME}.exe"
    result = prefix.run(cli, "--version")
    assert result.returncode == 0, result.stderr[-2000:]
    assert app.__version__ in result.stdout

    uninstaller = entry["QuietUninstallString"].rsplit(" ", 1)[0].strip('"')
    assert prefix.run(uninstaller, "/S").returncode == 0
    assert prefix.uninstall_entry() is None
    assert not folder.exists(), sorted(p.name for p in folder.iterdir())
    assert not (prefix.start_menu_programs / f"{PRODUCT}.lnk").exists()
    for path in user_files:
        assert path.is_file(), f"{path.name} was kept"
