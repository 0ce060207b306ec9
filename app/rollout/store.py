"""Saved runs: one versioned JSON file per connection in the data folder, written
atomically after every step, and a lock file so that one run per connection goes on at a
time (across the window and any number of command lines).

Layout: ``<data>/rollouts/<key>.json`` and ``<key>.lock``, where ``key`` is the
connection's id (or any safe name the caller derives, e.g. for an ad hoc connection).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

from app.connections.atomic import remove_leftover_temp_files, write_atomically
from app.connections.filelock import InterProcessLock, LockTimeoutError
from app.paths import AppPaths
from app.rollout.state import RolloutState

log = logging.getLogger(__name__)

FOLDER = "rollouts"
_SAFE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class RolloutStoreError(Exception):
    """A saved run cannot be read or written; ``str()`` is the one-line explanation."""


class RolloutBusyError(RolloutStoreError):
    """Another console or command line is running the maintenance of this connection."""


def ad_hoc_key(urls: Sequence[str], username: str) -> str:
    """A stable key for a connection that is not saved (same URLs and user, same key)."""
    digest = hashlib.sha256("\n".join([username, *urls]).encode("utf-8")).hexdigest()
    return f"adhoc-{digest[:24]}"


class RolloutStore:
    """Reads and writes the saved runs under ``paths.data_dir``."""

    def __init__(self, paths: AppPaths) -> None:
        self.folder = paths.data_dir / FOLDER

    def path_for(self, key: str) -> Path:
        if not _SAFE_KEY.match(key):
            key = "key-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        return self.folder / f"{key}.json"

    def load(self, key: str) -> RolloutState | None:
        """The saved run of ``key``, or None when there is none.

        ``RolloutStoreError`` when the file is damaged or of another format: it is left
        in place for the admin to look at, never overwritten silently.
        """
        path = self.path_for(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise RolloutStoreError(f"The saved run {path} cannot be read: {error}") from error
        try:
            return RolloutState.from_data(json.loads(raw))
        except ValueError as error:
            log.warning("damaged saved run %s: %s", path, error)
            raise RolloutStoreError(
                f"The saved run {path} is damaged or from another version; "
                "delete it to start a new run."
            ) from error

    def save(self, key: str, state: RolloutState) -> None:
        """Replace the saved run of ``key`` atomically; ``RolloutStoreError`` on failure."""
        path = self.path_for(key)
        data = json.dumps(state.to_data(), ensure_ascii=False, indent=1).encode("utf-8")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_atomically(path, data)
        except OSError as error:
            raise RolloutStoreError(
                f"The run's state cannot be saved to {path}: {error}"
            ) from error

    def delete(self, key: str) -> None:
        """Forget the saved run of ``key`` (nothing happens when there is none)."""
        try:
            self.path_for(key).unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            raise RolloutStoreError(f"The saved run cannot be deleted: {error}") from error

    def lock(self, key: str) -> RolloutLock:
        """The lock that makes this the only run of ``key``; use it with ``with``."""
        return RolloutLock(self.path_for(key))


class RolloutLock:
    """Held while a run of one connection is driven; ``RolloutBusyError`` when another
    process (or another driver in this one) holds it. Released by the OS if the holder
    dies, so a crash never blocks the next run."""

    def __init__(self, state_path: Path) -> None:
        self._state_path = state_path
        self._lock = InterProcessLock(state_path.with_suffix(".lock"), timeout_s=0.0)
        self._held = False

    def acquire(self) -> None:
        try:
            self._state_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._lock.acquire()
        except LockTimeoutError:
            raise RolloutBusyError(
                "A rolling maintenance of this connection is already running in another "
                "console or command line."
            ) from None
        except OSError as error:
            raise RolloutStoreError(f"The run cannot be locked: {error}") from error
        self._held = True
        remove_leftover_temp_files(self._state_path)

    def release(self) -> None:
        self._held = False
        self._lock.release()

    @property
    def held(self) -> bool:
        return self._held

    def __enter__(self) -> RolloutLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
