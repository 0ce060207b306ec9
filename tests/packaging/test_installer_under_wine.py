"""The Windows installer's own logic, run silently under 64-bit Wine.

The payload is the Linux frozen folder (the Windows one comes from the Windows
workflow), so this checks what the installer does: where it installs, the Start menu
shortcut, the "Installed apps" entry, upgrading in place, and an uninstaller that keeps
the user's saved connections unless asked otherwise. Opt-in like the frozen build.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nsis
import product
import pytest

import app
from tests.packaging.frozen import requires_frozen_build
from tests.packaging.tools import ensure_tool
from tests.packaging.wine import WinePrefix

pytestmark = requires_frozen_build

PRODUCT = product.PRODUCT_NAME
OLD_VERSION = "0.0.9"
OBSOLETE_FILE = "obsolete-in-newer-versions.txt"
USER_DATA = Path("Ekran System") / "EkranClusterConsole"


@pytest.fixture(scope="module")
def wine() -> str:
    """wine (64-bit), installed with apt-get when missing and possible; else skipped."""
    found = ensure_tool("wine", ["wine", "wine64"])
    if found is None or ensure_tool("wineserver", ["wine64"]) is None:
        pytest.skip("wine is missing and cannot be installed here (needs root and apt-get)")
    return found


@pytest.fixture
def prefix(wine: str, tmp_path: Path, measurements: dict[str, str]) -> Iterator[WinePrefix]:
    started = time.monotonic()
    created = WinePrefix.create(tmp_path / "wine")
    measurements.setdefault("wine: new prefix", f"{time.monotonic() - started:.1f} s")
    yield created
    created.stop()


@pytest.fixture(scope="module")
def icon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("icon") / product.ICON_FILE_NAME
    command = [sys.executable, str(product.PACKAGING_DIR / "app_icon.py")]
    subprocess.run([*command, str(product.APP_ICON_SVG), str(out)], check=True, timeout=120)
    return out


def small_installer(makensis: str, icon: Path, folder: Path, version: str) -> Path:
    """An installer around a stand-in folder (fast to compile), with a file only it has."""
    payload = folder / "payload"
    (payload / "_internal").mkdir(parents=True)
    (payload / "_internal" / OBSOLETE_FILE).write_text("from an older version\n")
    for name in (product.GUI_NAME, product.CLI_NAME):
        (payload / name).write_text("stand-in executable\n")
    inputs = nsis.InstallerInputs.for_payload(payload, icon, folder, version)
    return nsis.compile_installer(inputs, Path(makensis))


def save_user_data(prefix: WinePrefix) -> list[Path]:
    """A saved connection and a log in the user's folders, as the console would leave them."""
    files = [
        prefix.roaming_appdata / USER_DATA / "connections.json",
        prefix.local_appdata / USER_DATA / "Logs" / "console.log",
    ]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"connections": []}\n')
    return files


def test_silent_install_upgrades_in_place_and_uninstall_keeps_saved_connections(
    frozen_installer: Path,
    makensis: str,
    icon: Path,
    prefix: WinePrefix,
    tmp_path: Path,
    measurements: dict[str, str],
) -> None:
    user_files = save_user_data(prefix)
    old = small_installer(makensis, icon, tmp_path / "old", OLD_VERSION)
    assert prefix.run(str(old), "/S").returncode == 0
    old_entry = prefix.uninstall_entry()
    assert old_entry is not None
    assert old_entry["DisplayVersion"] == OLD_VERSION

    started = time.monotonic()
    assert prefix.run(str(frozen_installer), "/S").returncode == 0
    measurements["wine: silent install"] = f"{time.monotonic() - started:.1f} s"

    entry = prefix.uninstall_entry()
    assert entry is not None
    folder = prefix.local_appdata / "Programs" / PRODUCT
    assert prefix.unix_path(entry["InstallLocation"]) == folder
    assert entry["InstallLocation"] == old_entry["InstallLocation"]
    assert entry["DisplayName"] == PRODUCT
    assert entry["DisplayVersion"] == app.__version__
    assert entry["Publisher"] == product.COMPANY_NAME
    assert entry["DisplayIcon"].endswith(f"\\{product.GUI_NAME}")
    assert int(entry["EstimatedSize"], 16) > 0
    assert entry["QuietUninstallString"] == f'"{entry["InstallLocation"]}\\uninstall.exe" /S'
    assert (entry["NoModify"], entry["NoRepair"]) == ("0x1", "0x1")
    for name in (product.GUI_NAME, product.CLI_NAME, "uninstall.exe"):
        assert (folder / name).is_file()
    assert (folder / "_internal" / "resources" / "icons" / "app.svg").is_file()
    assert not (folder / "_internal" / OBSOLETE_FILE).exists(), "the upgrade replaced old files"
    assert (prefix.start_menu_programs / f"{PRODUCT}.lnk").is_file()
    assert not (prefix.desktop / f"{PRODUCT}.lnk").exists(), "no desktop shortcut unless asked"

    started = time.monotonic()
    uninstaller = entry["QuietUninstallString"].rsplit(" ", 1)[0].strip('"')
    assert prefix.run(uninstaller, "/S").returncode == 0
    measurements["wine: silent uninstall"] = f"{time.monotonic() - started:.1f} s"

    assert prefix.uninstall_entry() is None
    assert not folder.exists()
    assert not (prefix.start_menu_programs / f"{PRODUCT}.lnk").exists()
    for path in user_files:
        assert path.is_file(), f"{path.name} was kept"


def test_desktop_shortcut_on_request_and_user_data_removed_on_request(
    makensis: str, icon: Path, prefix: WinePrefix, tmp_path: Path
) -> None:
    user_files = save_user_data(prefix)
    installer = small_installer(makensis, icon, tmp_path / "setup", app.__version__)
    assert prefix.run(str(installer), "/S", "/DESKTOP").returncode == 0
    assert (prefix.desktop / f"{PRODUCT}.lnk").is_file()
    entry = prefix.uninstall_entry()
    assert entry is not None
    uninstaller = f"{entry['InstallLocation']}\\uninstall.exe"
    assert prefix.run(uninstaller, "/S", "/REMOVEUSERDATA").returncode == 0
    assert not (prefix.desktop / f"{PRODUCT}.lnk").exists()
    for path in user_files:
        assert not path.exists()
    assert not (prefix.roaming_appdata / "Ekran System").exists()


def test_all_users_install_goes_to_program_files_and_the_machine_registry(
    makensis: str, icon: Path, prefix: WinePrefix, tmp_path: Path
) -> None:
    installer = small_installer(makensis, icon, tmp_path / "setup", app.__version__)
    assert prefix.run(str(installer), "/S", "/ALLUSERS").returncode == 0
    entry = prefix.uninstall_entry("HKLM")
    assert entry is not None, "Wine runs programs as an administrator"
    assert prefix.uninstall_entry("HKCU") is None
    folder = prefix.program_files / PRODUCT
    assert prefix.unix_path(entry["InstallLocation"]) == folder
    assert (folder / product.GUI_NAME).is_file()
    assert (prefix.common_start_menu_programs / f"{PRODUCT}.lnk").is_file()
    assert prefix.run(f"{entry['InstallLocation']}\\uninstall.exe", "/S").returncode == 0
    assert prefix.uninstall_entry("HKLM") is None
    assert not folder.exists()
