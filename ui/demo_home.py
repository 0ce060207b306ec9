"""DemoHome: a throw-away home for a demo run, apart from the user's own files.

``ekran-console --demo`` (and ``--smoke``) keep everything the run writes (the console's
settings, load history, audit trail and log, and the simulator's CA, certificates and
log) under one temporary folder, removed when the console ends. The user's connections,
history and settings are neither shown nor changed.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.paths import AppPaths

DEMO_FOLDER_PREFIX = "ekran-demo-"
REMOVE_RETRY_S = 3.0


@dataclass(frozen=True)
class DemoHome:
    """One temporary folder: ``console/`` is the console's home, ``simulator/`` the
    simulator's working folder (it holds the demo CA's private key)."""

    root: Path

    @classmethod
    def create(cls, parent: Path | None = None) -> DemoHome:
        """A new, private folder in the system's temporary folder (or ``parent``)."""
        return cls(Path(tempfile.mkdtemp(prefix=DEMO_FOLDER_PREFIX, dir=parent)))

    @property
    def paths(self) -> AppPaths:
        """The console's folders, all under ``console/`` (portable: settings too)."""
        return AppPaths.under(self.root / "console")

    @property
    def simulator_dir(self) -> Path:
        return self.root / "simulator"

    def remove(self, within_s: float = REMOVE_RETRY_S) -> bool:
        """Delete the folder; True once it is gone.

        Retries for ``within_s`` seconds: on Windows a file a process that is ending
        still holds open (a log) cannot be deleted until that process is gone.
        """
        return remove_folder(self.root, within_s)


def remove_folder(folder: Path, within_s: float = REMOVE_RETRY_S) -> bool:
    """``shutil.rmtree`` retried briefly while files in it are still held open; True once
    ``folder`` no longer exists. Blocks: call it from a worker thread on the event loop."""
    deadline = time.monotonic() + within_s
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
