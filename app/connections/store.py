"""The saved connections file (``connections.json`` in the configuration folder).

Every read and write holds an inter-process lock, so the window and the command line can
change connections at the same time without losing each other's change. Writes are
atomic and keep the previous file as ``connections.json.bak``. A damaged file is never
overwritten: it is set aside as ``connections.json.corrupt-<timestamp>`` and, when
possible, the backup takes its place. All methods block; call them off the UI thread.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.connections.atomic import remove_leftover_temp_files, write_atomically
from app.connections.document import (
    STORE_FORMAT,
    DocumentError,
    NewerDocumentError,
    ParsedDocument,
    parse_document,
    render_document,
)
from app.connections.errors import (
    ConnectionStoreError,
    DuplicateProfileError,
    NewerFormatError,
    ProfileNotFoundError,
    ReadOnlyFolderError,
    StoreLockTimeoutError,
)
from app.connections.filelock import DEFAULT_TIMEOUT_S, InterProcessLock, LockTimeoutError
from app.connections.naming import unique_name
from app.connections.setaside import set_aside_copy, set_aside_file
from app.paths import AppPaths

if TYPE_CHECKING:
    from app.connections.model import ConnectionProfile

log = logging.getLogger(__name__)

CONNECTIONS_FILE = "connections.json"


@dataclass(frozen=True)
class LoadResult:
    """The saved connections in order, and plain-language notes about anything wrong.

    ``can_save`` is False when saving would destroy data this version cannot keep (a
    file from a newer version, ``newer_format``, or one that could not be read); the
    last problem then says why.
    """

    profiles: list[ConnectionProfile]
    problems: list[str] = field(default_factory=list)
    can_save: bool = True
    newer_format: bool = False


class ConnectionStore:
    """Load and save the connections of one user (see the module docstring for guarantees)."""

    def __init__(self, paths: AppPaths, *, lock_timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = paths.config_dir / CONNECTIONS_FILE
        self.backup_path = self.path.with_name(CONNECTIONS_FILE + ".bak")
        self._lock_path = self.path.with_name(CONNECTIONS_FILE + ".lock")
        self._lock_timeout_s = lock_timeout_s

    def __repr__(self) -> str:
        return f"ConnectionStore({str(self.path)!r})"

    def load(self) -> LoadResult:
        """Read the connections, repairing from the backup if the file is damaged.

        A missing file means no connections (and no problem). Never raises for bad
        content or a folder that cannot be written (read-only, not creatable: the file
        is read without the lock, ``can_save`` is False and the last problem says why);
        only ``StoreLockTimeoutError`` when another process holds the lock too long.
        """
        try:
            with self._locked():
                return self._load_locked()
        except ReadOnlyFolderError as error:
            # Nothing is written through this console in a folder it cannot write, so
            # reading without the lock is safe; changes fail with ``error``'s message.
            log.info("%s", error)
            result = self._load_locked()
            problems = [*result.problems, str(error)]
            return LoadResult(result.profiles, problems, can_save=False,
                              newer_format=result.newer_format)  # fmt: skip

    def save(self, profiles: Iterable[ConnectionProfile]) -> None:
        """Replace the saved connections with ``profiles`` (in this order).

        Raises ``NewerFormatError`` when the file on disk is from a newer version,
        ``DuplicateProfileError`` when two profiles share an id, ``ConnectionStoreError``
        when the file cannot be read or written.
        """
        with self._locked():
            self._save_locked(list(profiles))

    def get(self, connection_id: str) -> ConnectionProfile | None:
        """The saved connection with this id, or None."""
        return next((p for p in self.load().profiles if p.id == connection_id), None)

    def add(self, profile: ConnectionProfile) -> ConnectionProfile:
        """Append ``profile``; raises ``DuplicateProfileError`` if its id is already saved."""
        with self._locked():
            profiles = self._load_for_change()
            if any(p.id == profile.id for p in profiles):
                raise DuplicateProfileError(f'The connection "{profile.name}" is already saved.')
            self._save_locked([*profiles, profile])
        return profile

    def add_many(self, profiles: Iterable[ConnectionProfile]) -> list[ConnectionProfile]:
        """Append all of ``profiles`` in one write: either every one is saved or none is.

        Raises ``DuplicateProfileError`` if an id is already saved (or given twice) and
        ``ConnectionStoreError`` if the file cannot be written; the saved file is then
        unchanged.
        """
        added = list(profiles)
        with self._locked():
            saved = self._load_for_change()
            known = {p.id for p in saved}
            for profile in added:
                if profile.id in known:
                    raise DuplicateProfileError(
                        f'The connection "{profile.name}" is already saved; nothing was added.'
                    )
                known.add(profile.id)
            self._save_locked([*saved, *added])
        return added

    def update(self, profile: ConnectionProfile) -> ConnectionProfile:
        """Replace the saved connection with the same id; ``ProfileNotFoundError`` if gone."""
        with self._locked():
            profiles = self._load_for_change()
            index = self._index_of(profiles, profile.id, profile.name)
            profiles[index] = profile
            self._save_locked(profiles)
        return profile

    def remove(self, connection_id: str) -> ConnectionProfile | None:
        """Delete the connection with this id; returns it, or None if it was not saved."""
        with self._locked():
            profiles = self._load_for_change()
            kept = [p for p in profiles if p.id != connection_id]
            if len(kept) == len(profiles):
                return None
            self._save_locked(kept)
        return next(p for p in profiles if p.id == connection_id)

    def duplicate(self, connection_id: str) -> ConnectionProfile:
        """Save a copy with a new id and a "(copy)" name right after the original.

        The copy has no stored password: passwords are keyed by connection id.
        """
        with self._locked():
            profiles = self._load_for_change()
            index = self._index_of(profiles, connection_id, None)
            original = profiles[index]
            copy = original.with_changes(
                id=str(uuid.uuid4()),
                name=unique_name(original.name, "copy", (p.name for p in profiles)),
            )
            profiles.insert(index + 1, copy)
            self._save_locked(profiles)
        return copy

    @contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock = InterProcessLock(self._lock_path, timeout_s=self._lock_timeout_s)
            lock.acquire()
        except LockTimeoutError:
            raise StoreLockTimeoutError(
                "Another Ekran Cluster Console process is busy with the saved connections; "
                "try again."
            ) from None
        except OSError as exc:
            raise ReadOnlyFolderError(
                f"The configuration folder {self.path.parent} cannot be written "
                f"({exc.strerror}); saved connections can be used but not changed."
            ) from None
        try:
            yield
        finally:
            lock.release()

    @staticmethod
    def _index_of(profiles: list[ConnectionProfile], connection_id: str, name: str | None) -> int:
        for index, profile in enumerate(profiles):
            if profile.id == connection_id:
                return index
        what = f'The connection "{name}"' if name else "The connection"
        raise ProfileNotFoundError(f"{what} is no longer saved; it may have been removed.")

    def _load_for_change(self) -> list[ConnectionProfile]:
        result = self._load_locked()
        for problem in result.problems:
            log.warning("%s", problem)
        if not result.can_save:
            error = NewerFormatError if result.newer_format else ConnectionStoreError
            raise error(result.problems[-1])
        return list(result.profiles)

    def _load_locked(self) -> LoadResult:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return LoadResult(profiles=[])
        except OSError as exc:
            problem = f"{self.path} could not be read ({exc.strerror}); changes cannot be saved."
            return LoadResult(profiles=[], problems=[problem], can_save=False)
        try:
            document = parse_document(data, STORE_FORMAT)
        except NewerDocumentError as exc:
            problem = (
                f"{self.path.name} was written by a newer version of Ekran Cluster Console "
                f"({exc}); update this console to see and change these connections."
            )
            return LoadResult(profiles=[], problems=[problem], can_save=False, newer_format=True)
        except DocumentError as exc:
            return self._recover(str(exc))
        return self._accept(document, data, problems=[])

    def _accept(self, document: ParsedDocument, data: bytes, problems: list[str]) -> LoadResult:
        can_save = True
        if document.skipped:
            try:
                kept = f"The original entry is kept in {set_aside_copy(self.path, data).name}."
            except OSError as exc:
                kept = f"A copy could not be kept ({exc.strerror}), so changes cannot be saved."
                can_save = False
            problems.extend(
                f"{entry.describe()} was skipped: {entry.reason} {kept}"
                for entry in document.skipped
            )
        if document.is_newer:
            problems.append(
                f"{self.path.name} was written by a newer version of Ekran Cluster Console "
                f"(format version {document.version}); changes cannot be saved until this "
                "console is updated."
            )
            can_save = False
        return LoadResult(
            document.profiles, problems, can_save=can_save, newer_format=document.is_newer
        )

    def _recover(self, reason: str) -> LoadResult:
        try:
            aside = set_aside_file(self.path).name
        except OSError as exc:
            problem = (
                f"{self.path.name} is damaged ({reason}) and could not be set aside "
                f"({exc.strerror}); changes cannot be saved."
            )
            return LoadResult(profiles=[], problems=[problem], can_save=False)
        damaged = f"{self.path.name} was damaged ({reason}) and was set aside as {aside}"
        try:
            backup = self.backup_path.read_bytes()
            document = parse_document(backup, STORE_FORMAT)
        except FileNotFoundError:
            problem = f"{damaged}; there is no backup, so no connections are loaded."
            return LoadResult(profiles=[], problems=[problem])
        except (OSError, DocumentError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) else str(exc)
            problem = (
                f"{damaged}; the backup {self.backup_path.name} is not usable either ({detail}), "
                "so no connections are loaded."
            )
            return LoadResult(profiles=[], problems=[problem])
        restored = f"{damaged}; the connections were restored from {self.backup_path.name}."
        try:
            write_atomically(self.path, backup)
        except OSError as exc:
            restored += f" (The restored list could not be written yet: {exc.strerror}.)"
        log.warning("%s", restored)
        return self._accept(document, backup, problems=[restored])

    def _save_locked(self, profiles: list[ConnectionProfile]) -> None:
        ids = [p.id for p in profiles]
        if len(set(ids)) != len(ids):
            raise DuplicateProfileError("Two connections have the same id; nothing was saved.")
        try:
            remove_leftover_temp_files(self.path)
            self._back_up_current()
            write_atomically(self.path, render_document(profiles, STORE_FORMAT))
        except OSError as exc:
            raise ConnectionStoreError(
                f"The connections could not be saved to {self.path} ({exc.strerror})."
            ) from None

    def _back_up_current(self) -> None:
        """Copy the current file to the backup; set it aside instead if it is damaged."""
        try:
            current = self.path.read_bytes()
        except FileNotFoundError:
            return
        try:
            is_newer = parse_document(current, STORE_FORMAT).is_newer
        except NewerDocumentError:
            is_newer = True
        except DocumentError as exc:
            aside = set_aside_file(self.path)
            log.warning("%s was damaged (%s); set aside as %s", self.path.name, exc, aside.name)
            return
        if is_newer:
            raise NewerFormatError(
                f"{self.path.name} was written by a newer version of Ekran Cluster Console; "
                "it is not overwritten. Update this console to change connections."
            )
        write_atomically(self.backup_path, current)
