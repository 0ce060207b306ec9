"""System tools the frozen-build tests need (makensis, wine), installed on demand.

On Debian-like Linux as root, a missing tool is installed with apt-get (nsis takes a
few seconds; wine64 without recommended packages about twenty); elsewhere the tests
that need it are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess

APT_TIMEOUT_S = 1800


def ensure_tool(tool: str, packages: list[str]) -> str | None:
    """The path of ``tool``, installing ``packages`` first when missing and possible."""
    found = shutil.which(tool)
    if found or not can_install():
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    if subprocess.run(install, env=env, check=False, timeout=APT_TIMEOUT_S).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, timeout=APT_TIMEOUT_S)
        subprocess.run(install, env=env, check=False, timeout=APT_TIMEOUT_S)
    return shutil.which(tool)


def can_install() -> bool:
    return os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get") is not None
