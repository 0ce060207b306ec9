"""A throw-away 64-bit Wine prefix to run the Windows installer in, headless.

Wine's own folders are kept inside the prefix's temporary home, so nothing touches the
real user's files; menu integration (winemenubuilder) and the Mono/Gecko prompts are off.
"""

from __future__ import annotations

import getpass
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

WINE_TIMEOUT_S = 600
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\EkranClusterConsole"
_REG_VALUE = re.compile(r"^\s{4}(\S+)\s{4}(REG_\w+)\s{4}(.*)$")


@dataclass(frozen=True)
class WinePrefix:
    """One prefix (``path``) with its own home folder; run programs with ``run``."""

    path: Path
    home: Path

    @classmethod
    def create(cls, root: Path) -> WinePrefix:
        prefix = cls(root / "prefix", root / "home")
        prefix.home.mkdir(parents=True, exist_ok=True)
        prefix.command(["wineboot", "--init"])
        return prefix

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
        env.update(
            WINEPREFIX=str(self.path),
            HOME=str(self.home),
            WINEDEBUG="-all",
            WINEDLLOVERRIDES="winemenubuilder.exe=d;mscoree=;mshtml=",
        )
        return env

    def command(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run a Wine program, then wait until every process it started has ended."""
        result = subprocess.run(
            args,
            env=self.env(),
            capture_output=True,
            text=True,
            errors="replace",
            timeout=WINE_TIMEOUT_S,
            check=False,
        )
        # NSIS uninstallers copy themselves and relaunch: wait for the copy too.
        subprocess.run(["wineserver", "-w"], env=self.env(), timeout=WINE_TIMEOUT_S, check=False)
        return result

    def run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.command(["wine", program, *args])

    def stop(self) -> None:
        subprocess.run(["wineserver", "-k"], env=self.env(), timeout=60, check=False)

    # -- folders, as Windows paths resolve inside the prefix ------------------------
    @property
    def user_dir(self) -> Path:
        return self.path / "drive_c" / "users" / getpass.getuser()

    @property
    def local_appdata(self) -> Path:
        return self.user_dir / "AppData" / "Local"

    @property
    def roaming_appdata(self) -> Path:
        return self.user_dir / "AppData" / "Roaming"

    @property
    def start_menu_programs(self) -> Path:
        return self.roaming_appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs"

    @property
    def common_start_menu_programs(self) -> Path:
        return (
            self.path
            / "drive_c"
            / "ProgramData"
            / "Microsoft"
            / "Windows"
            / "Start Menu"
            / "Programs"
        )

    @property
    def desktop(self) -> Path:
        return self.user_dir / "Desktop"

    @property
    def program_files(self) -> Path:
        return self.path / "drive_c" / "Program Files"

    def unix_path(self, windows_path: str) -> Path:
        """``C:\\users\\...`` inside this prefix."""
        drive, _, rest = windows_path.partition(":")
        if drive.upper() != "C":
            raise ValueError(f"not a path on drive C: {windows_path!r}")
        return self.path / "drive_c" / Path(*rest.strip("\\").split("\\"))

    def uninstall_entry(self, hive: str = "HKCU") -> dict[str, str] | None:
        """The installer's "Installed apps" values in ``hive``, or None when absent."""
        result = self.command(["wine", "reg", "query", f"{hive}\\{UNINSTALL_KEY}"])
        if result.returncode != 0:
            return None
        values = {}
        for line in result.stdout.splitlines():
            match = _REG_VALUE.match(line)
            if match:
                values[match.group(1)] = match.group(3).strip()
        return values
