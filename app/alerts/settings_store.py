"""AlertSettingsStore: each connection's ``AlertSettings`` in one file both front ends share.

File: ``alert-settings.json`` in the configuration folder, next to the saved connections::

    {"format": "ekran-console/alert-settings", "version": 1,
     "connections": {"<connection id>": {<AlertSettings.to_dict()>}, ...}}

Every change reads the file again and writes it whole (atomically, under an
inter-process lock), so the window and the command line never undo each other's change.
Readers tolerate a missing, damaged or newer file: its connections get the defaults, with
a log line; a file from a newer version is never overwritten.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.alerts.settings import AlertSettings, AlertSettingsError
from app.connections.atomic import remove_leftover_temp_files, write_atomically
from app.connections.filelock import InterProcessLock, LockTimeoutError
from app.paths import AppPaths

log = logging.getLogger(__name__)

ALERT_SETTINGS_FILE = "alert-settings.json"
FORMAT = "ekran-console/alert-settings"
VERSION = 1
LOCK_TIMEOUT_S = 10.0


class AlertSettingsWriteError(OSError):
    """The alert settings could not be saved; ``str()`` is one line naming the file."""


class AlertSettingsStore:
    """Per-connection alert settings on disk, cached in memory after the first read.

    ``load`` serves from the cache (the file is read once, on first use); ``save``,
    ``remove`` and ``add_missing`` re-read the file under the lock, change it, write it
    and refresh the cache. They block on the disk: the window calls them off its thread.
    Thread-safe.
    """

    def __init__(self, path: Path, *, lock_timeout_s: float = LOCK_TIMEOUT_S) -> None:
        self.path = path
        self._lock_path = path.with_name(path.name + ".lock")
        self._lock_timeout_s = lock_timeout_s
        self._cache: dict[str, Any] | None = None
        self._newer = False
        self._mutex = threading.Lock()

    @classmethod
    def in_config_dir(cls, paths: AppPaths) -> AlertSettingsStore:
        """The store of the console whose folders are ``paths``."""
        return cls(paths.config_dir / ALERT_SETTINGS_FILE)

    def __repr__(self) -> str:
        return f"AlertSettingsStore({str(self.path)!r})"

    # -- reading ----------------------------------------------------------------------------
    def load(self, connection_id: str) -> AlertSettings:
        """The connection's settings; the defaults when none (or no usable ones) are stored."""
        return self.find(connection_id) or AlertSettings()

    def find(self, connection_id: str) -> AlertSettings | None:
        """The connection's own settings; None when none (or no usable ones) are stored."""
        with self._mutex:
            if self._cache is None:
                self._cache = self._read()
            data = self._cache.get(connection_id)
        if data is None:
            return None
        try:
            return AlertSettings.from_dict(data)
        except AlertSettingsError as error:
            log.warning("alert settings of %s ignored: %s", connection_id, error)
            return None

    def connection_ids(self) -> list[str]:
        """Every connection with stored settings (read again from the file), sorted."""
        with self._mutex:
            self._cache = self._read()
            return sorted(self._cache)

    # -- changing ---------------------------------------------------------------------------
    def save(self, connection_id: str, settings: AlertSettings) -> None:
        """Store one connection's settings; ``AlertSettingsWriteError`` if that fails."""
        self._change(lambda entries: entries.__setitem__(connection_id, settings.to_dict()))

    def remove(self, connection_id: str) -> None:
        """Forget a connection's settings (it was deleted); nothing to do when none are stored."""
        if self.path.exists():
            self._change(lambda entries: entries.pop(connection_id, None))

    def add_missing(self, settings: Mapping[str, AlertSettings]) -> None:
        """Store each of ``settings`` unless the file already has that connection (one write).

        Used to move settings kept elsewhere by earlier versions; what is stored wins.
        """

        def keep_stored(entries: dict[str, Any]) -> None:
            for key, value in settings.items():
                entries.setdefault(key, value.to_dict())

        if settings:
            self._change(keep_stored)

    # -- internals --------------------------------------------------------------------------
    def _change(self, change: Callable[[dict[str, Any]], object]) -> None:
        with self._mutex:
            try:
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                with InterProcessLock(self._lock_path, timeout_s=self._lock_timeout_s):
                    remove_leftover_temp_files(self.path)
                    entries = self._read()
                    if self._newer:
                        raise AlertSettingsWriteError(
                            f"The alert settings in {self.path} were written by a newer "
                            "version of the console; they are not changed."
                        )
                    change(entries)
                    write_atomically(self.path, _render(entries))
            except LockTimeoutError:
                raise AlertSettingsWriteError(
                    f"Another console process is busy with {self.path}; try again."
                ) from None
            except AlertSettingsWriteError:
                raise
            except OSError as error:
                reason = error.strerror or type(error).__name__
                raise AlertSettingsWriteError(
                    f"The alert settings could not be saved in {self.path.parent} ({reason})."
                ) from error
            self._cache = entries

    def _read(self) -> dict[str, Any]:
        """The file's entries; empty (with a log line) when it is missing or unusable."""
        self._newer = False
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as error:
            log.warning("alert settings not read from %s: %s", self.path, error)
            return {}
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            log.warning("alert settings in %s ignored: not a valid JSON document", self.path)
            return {}
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            log.warning("alert settings in %s ignored: not an alert settings file", self.path)
            return {}
        version = document.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
            self._newer = True
        entries = document.get("connections")
        if not isinstance(entries, dict):
            log.warning("alert settings in %s ignored: no list of connections", self.path)
            return {}
        return {str(key): value for key, value in entries.items()}


def _render(entries: Mapping[str, Any]) -> bytes:
    document = {"format": FORMAT, "version": VERSION, "connections": dict(sorted(entries.items()))}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
