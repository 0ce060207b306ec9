"""Compile ``installer.nsi`` around a frozen folder with makensis."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import product

WINDOWS_NSIS_DIRS = ("ProgramFiles(x86)", "ProgramFiles")
"""Environment variables of the folders the NSIS installer (and Chocolatey) install into."""


class InstallerError(Exception):
    """The installer could not be compiled; the message is one line."""


@dataclass(frozen=True)
class InstallerInputs:
    """What the installer is built from and where it goes."""

    payload: Path
    icon: Path
    out_file: Path
    version: str
    gui_exe: str
    cli_exe: str

    @classmethod
    def for_payload(cls, payload: Path, icon: Path, out_dir: Path, version: str) -> InstallerInputs:
        """Inputs for ``payload``: Windows executables if it holds ``ekran-console.exe``."""
        windows = (payload / product.exe_name(product.GUI_NAME, windows=True)).is_file()
        return cls(
            payload=payload,
            icon=icon,
            out_file=out_dir / product.installer_name(version, windows_payload=windows),
            version=version,
            gui_exe=product.exe_name(product.GUI_NAME, windows=windows),
            cli_exe=product.exe_name(product.CLI_NAME, windows=windows),
        )

    def defines(self) -> dict[str, str]:
        """The ``-D`` defines ``installer.nsi`` expects."""
        quad = ".".join(str(n) for n in product.windows_version(self.version))
        return {
            "VERSION": self.version,
            "VERSION_QUAD": quad,
            "PAYLOAD": str(self.payload.resolve()),
            "APP_ICON": str(self.icon.resolve()),
            "OUTFILE": str(self.out_file.resolve()),
            "GUI_EXE": self.gui_exe,
            "CLI_EXE": self.cli_exe,
        }


def find_makensis() -> Path | None:
    """makensis on PATH, or in the default NSIS folder on Windows; None if absent."""
    found = shutil.which("makensis")
    if found:
        return Path(found)
    for variable in WINDOWS_NSIS_DIRS:
        base = os.environ.get(variable)
        if base and (Path(base) / "NSIS" / "makensis.exe").is_file():
            return Path(base) / "NSIS" / "makensis.exe"
    return None


def makensis_command(makensis: Path, inputs: InstallerInputs) -> list[str]:
    """The makensis command line: quiet, warnings as errors, the script read as UTF-8.

    ``-`` options work with makensis on every platform (``/`` only on Windows).
    """
    defines = [f"-D{name}={value}" for name, value in inputs.defines().items()]
    options = ["-V2", "-WX", "-INPUTCHARSET", "UTF8"]
    return [str(makensis), *options, *defines, str(product.NSIS_SCRIPT)]


def compile_installer(inputs: InstallerInputs, makensis: Path | None = None) -> Path:
    """Run makensis; returns the installer's path. Warnings count as errors (``-WX``)."""
    tool = makensis or find_makensis()
    if tool is None:
        raise InstallerError(
            "makensis was not found: install NSIS (apt-get install nsis, choco install nsis)"
        )
    if not (inputs.payload / inputs.gui_exe).is_file():
        raise InstallerError(f"the frozen folder {inputs.payload} has no {inputs.gui_exe}")
    inputs.out_file.parent.mkdir(parents=True, exist_ok=True)
    inputs.out_file.unlink(missing_ok=True)
    result = subprocess.run(makensis_command(tool, inputs), check=False)
    if result.returncode != 0 or not inputs.out_file.is_file():
        raise InstallerError(f"makensis failed with exit code {result.returncode}")
    return inputs.out_file
