"""ConnectionRepository: the window's access to saved connections and their passwords."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.connections import (
    ConnectionStore,
    ConnectionStoreError,
    LoadResult,
    ProfileValidationError,
    TransferError,
)
from app.connections.naming import unique_name
from app.credentials import CredentialError, CredentialStore, Secret
from app.removal import ConnectionRemoval
from ui.connections.saved_passwords import SavedPasswords
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.connections import ConnectionProfile

T = TypeVar("T")

_EXPECTED_ERRORS = (ConnectionStoreError, TransferError, ProfileValidationError)


def sorted_profiles(profiles: Iterable[ConnectionProfile]) -> list[ConnectionProfile]:
    """Profiles in display order: by folder, then by name (case-insensitive)."""
    return sorted(profiles, key=lambda p: (p.group.casefold(), p.name.casefold(), p.id))


def _plural(count: int) -> str:
    return f"{count} connection" if count == 1 else f"{count} connections"


class ConnectionRepository(QObject):
    """Saved connections, transient (in-memory) connections and their passwords.

    Every file and keyring operation runs in a worker thread inside a task started on
    the ``TaskRunner``; changes are applied one at a time, and after each one the saved
    list is read back from disk (so changes made by the command line show up too).
    Methods that change something return the task (or None while the runner is shutting
    down); awaiting it gives the changed profile, or None when the change failed.

    Passwords never leave this object except to the caller that asked for them; they
    are not logged and not kept in memory, except those given to
    ``set_transient_password``.

    Signals:
        connections_changed(list): every known profile (saved and transient), sorted by
            folder, then name.
        problem_reported(str): one line about something that went wrong but did not stop
            the operation (a damaged file that was recovered, a keyring failure).
        operation_failed(str): one line saying why a requested change was not made.
        operation_completed(str): one line confirming an import or export.
        connection_removed(str): the id of a connection deleted here; its password, alert
            settings and load history are gone already (``ConnectionRemoval``), and
            nothing has run on the event loop in between.
    """

    connections_changed = Signal(list)
    connection_removed = Signal(str)
    problem_reported = Signal(str)
    operation_failed = Signal(str)
    operation_completed = Signal(str)

    def __init__(
        self,
        store: ConnectionStore,
        credentials: CredentialStore,
        runner: TaskRunner,
        removal: ConnectionRemoval,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._credentials = credentials
        self._removal = removal
        self._passwords = SavedPasswords(credentials)
        self._runner = runner
        self._saved: list[ConnectionProfile] = []
        self._transient: dict[str, ConnectionProfile] = {}
        self._transient_passwords: dict[str, Secret] = {}
        self._reported_load_problems: set[str] = set()
        self._lock = asyncio.Lock()

    # -- reading -------------------------------------------------------------------------
    @property
    def keyring_available(self) -> bool:
        """False when there is no usable system keyring: passwords are asked every time."""
        return self._credentials.available

    def profiles(self) -> list[ConnectionProfile]:
        """The last known profiles, saved and transient, in display order."""
        return sorted_profiles([*self._saved, *self._transient.values()])

    def profile(self, connection_id: str) -> ConnectionProfile | None:
        return self._transient.get(connection_id) or next(
            (p for p in self._saved if p.id == connection_id), None
        )

    def groups(self) -> list[str]:
        """Every folder path in use, including parent folders ("A" for "A/B"), sorted."""
        paths: set[str] = set()
        for profile in self.profiles():
            parts = profile.group_parts
            paths.update("/".join(parts[: depth + 1]) for depth in range(len(parts)))
        return sorted(paths, key=str.casefold)

    def is_transient(self, connection_id: str) -> bool:
        return connection_id in self._transient

    # -- changing saved connections ----------------------------------------------------
    def reload(self) -> asyncio.Task[Any] | None:
        """Read the saved connections again and report every load problem."""
        self._reported_load_problems.clear()
        return self._start("reload connections", lambda: (None, []))

    def add(
        self, profile: ConnectionProfile, password: Secret | None
    ) -> asyncio.Task[ConnectionProfile | None] | None:
        """Save a new connection; ``password`` goes to the keyring if it is to be remembered.

        Adding a profile with the id of a transient one saves that transient connection.
        """
        transient_password = self._transient_passwords.get(profile.id)
        secret = password or transient_password

        def work() -> tuple[ConnectionProfile, list[str]]:
            return self._store.add(profile), self._passwords.after_add(profile, secret)

        def after(saved: ConnectionProfile) -> None:
            self._transient.pop(saved.id, None)
            self._transient_passwords.pop(saved.id, None)

        return self._start(f"add connection {profile.name}", work, after=after)

    def update(
        self,
        profile: ConnectionProfile,
        password: Secret | None,
        *,
        forget_password: bool = False,
    ) -> asyncio.Task[ConnectionProfile | None] | None:
        """Save changes to a connection and its password.

        ``password`` None keeps the stored password (moved along if the user name
        changed). The stored password is deleted when ``forget_password`` is set or the
        profile no longer remembers it. Updating a transient connection saves it.
        """
        if self.is_transient(profile.id):
            return self.add(profile, password)
        previous = self.profile(profile.id)

        def work() -> tuple[ConnectionProfile, list[str]]:
            saved = self._store.update(profile)
            notes = self._passwords.after_update(
                previous, profile, password, forget=forget_password
            )
            return saved, notes

        return self._start(f"update connection {profile.name}", work)

    def duplicate(
        self, profile: ConnectionProfile
    ) -> asyncio.Task[ConnectionProfile | None] | None:
        """Save a copy named "<name> (copy)"; the copy has no stored password."""
        if self.is_transient(profile.id):
            copy = profile.with_changes(
                id=str(uuid.uuid4()),
                name=unique_name(profile.name, "copy", (p.name for p in self.profiles())),
            )
            return self._start(
                f"duplicate connection {profile.name}", lambda: (self._store.add(copy), [])
            )
        return self._start(
            f"duplicate connection {profile.name}",
            lambda: (self._store.duplicate(profile.id), []),
        )

    def remove(self, profile: ConnectionProfile) -> asyncio.Task[ConnectionProfile | None] | None:
        """Delete a connection with its password, alert settings and load history (the
        core's ``ConnectionRemoval``, as the command line does); a transient connection
        is dropped with its alert settings and history."""
        if self.is_transient(profile.id):
            self._transient.pop(profile.id)
            self._transient_passwords.pop(profile.id, None)
            self._emit_changed()
            return self._runner.start(
                self._forget_transient(profile), name=f"remove connection {profile.name}"
            )
        return self._runner.start(
            self._remove_saved(profile), name=f"remove connection {profile.name}"
        )

    async def _remove_saved(self, profile: ConnectionProfile) -> ConnectionProfile | None:
        async with self._lock:
            try:
                report = await self._removal.remove(profile.id)
            except _EXPECTED_ERRORS as exc:
                self.operation_failed.emit(str(exc))
                await self._read_back()
                return None
            if report is not None:
                # No await between the removal's last step and this signal: see the class.
                self.connection_removed.emit(report.profile.id)
                for problem in report.problems:
                    self.problem_reported.emit(problem)
            await self._read_back()
            return None if report is None else report.profile

    async def _forget_transient(self, profile: ConnectionProfile) -> ConnectionProfile:
        problems = await self._removal.forget(profile.id)
        self.connection_removed.emit(profile.id)
        for problem in problems:
            self.problem_reported.emit(problem)
        return profile

    def import_file(self, path: Path) -> asyncio.Task[int | None] | None:
        """Add the connections of an export file (ids and names made unique)."""

        def work() -> tuple[int, list[str]]:
            from app.connections import import_connections  # pydantic: in this worker thread

            existing = self._load_checked().profiles
            result = import_connections(path, existing)
            self._store.add_many(result.profiles)  # one write: every entry or none
            return len(result.profiles), list(result.problems)

        def after(count: int) -> None:
            if count:
                self.operation_completed.emit(f"Imported {_plural(count)} from {path.name}.")
            else:
                self.operation_completed.emit(f"No connections were imported from {path.name}.")

        return self._start(f"import connections from {path.name}", work, after=after)

    def export_file(
        self, path: Path, profiles: Iterable[ConnectionProfile]
    ) -> asyncio.Task[int | None] | None:
        """Write ``profiles`` to an export file (never with passwords)."""
        from app.connections import export_connections  # pydantic: loaded with the profiles

        chosen = list(profiles)

        def after(count: int) -> None:
            self.operation_completed.emit(
                f"Exported {_plural(count)} to {path.name} (passwords are not exported)."
            )

        return self._start(
            f"export connections to {path.name}",
            lambda: (export_connections(chosen, path), []),
            after=after,
            reload=False,
        )

    # -- transient connections -------------------------------------------------------------
    def add_transient(self, profile: ConnectionProfile) -> None:
        """Show a connection that is kept in memory only (for example the demo cluster)."""
        self._transient[profile.id] = profile
        self._emit_changed()

    def save_transient(
        self, connection_id: str, password: Secret | None = None
    ) -> asyncio.Task[ConnectionProfile | None] | None:
        """Save a transient connection; without ``password`` its in-memory one is used.

        Raises ``KeyError`` when ``connection_id`` is not a transient connection.
        """
        profile = self._transient.get(connection_id)
        if profile is None:
            raise KeyError(connection_id)
        return self.add(profile, password)

    def set_transient_password(self, connection_id: str, password: Secret) -> None:
        """Keep a transient connection's password in memory (never written anywhere).

        Raises ``KeyError`` when ``connection_id`` is not a transient connection.
        """
        if connection_id not in self._transient:
            raise KeyError(connection_id)
        self._transient_passwords[connection_id] = password

    # -- passwords -------------------------------------------------------------------------
    async def get_password(self, profile: ConnectionProfile) -> Secret | None:
        """The remembered password: in memory for a transient connection, else the keyring.

        None when none is stored or the keyring is unavailable (a keyring failure is
        reported through ``problem_reported``).
        """
        if profile.id in self._transient_passwords:
            return self._transient_passwords[profile.id]
        credentials = self._credentials
        if not credentials.available or self.is_transient(profile.id):
            return None
        try:
            return await asyncio.to_thread(credentials.get, profile)
        except CredentialError as exc:
            self.problem_reported.emit(str(exc))
            return None

    async def remember_password(self, profile: ConnectionProfile, password: Secret) -> bool:
        """Store the password (in memory for a transient connection) and mark the saved
        profile as remembering it. Returns False when it could not be stored."""
        if self.is_transient(profile.id):
            self.set_transient_password(profile.id, password)
            return True
        credentials = self._credentials
        if not credentials.available:
            return False
        try:
            await asyncio.to_thread(credentials.set, profile, password)
        except CredentialError as exc:
            self.problem_reported.emit(str(exc))
            return False
        current = self.profile(profile.id)
        if current is not None and not current.remember_password:
            task = self._start(
                f"remember password of {profile.name}",
                lambda: (self._store.update(current.with_changes(remember_password=True)), []),
            )
            if task is not None:
                await task
        return True

    # -- internals -----------------------------------------------------------------------
    def _start(
        self,
        name: str,
        work: Callable[[], tuple[T, list[str]]],
        *,
        after: Callable[[T], None] | None = None,
        reload: bool = True,
    ) -> asyncio.Task[T | None] | None:
        coroutine = self._run(work, after, reload)
        return self._runner.start(coroutine, name=name)

    async def _run(
        self,
        work: Callable[[], tuple[T, list[str]]],
        after: Callable[[T], None] | None,
        reload: bool,
    ) -> T | None:
        async with self._lock:
            try:
                value, notes = await asyncio.to_thread(work)
            except _EXPECTED_ERRORS as exc:
                self.operation_failed.emit(str(exc))
                await self._read_back()
                return None
            for note in notes:
                self.problem_reported.emit(note)
            if after is not None:
                after(value)
            if reload:
                await self._read_back()
            return value

    async def _read_back(self) -> None:
        try:
            loaded = await asyncio.to_thread(self._store.load)
        except ConnectionStoreError as exc:
            self.operation_failed.emit(str(exc))
            return
        for problem in loaded.problems:
            if problem not in self._reported_load_problems:
                self._reported_load_problems.add(problem)
                self.problem_reported.emit(problem)
        self._saved = list(loaded.profiles)
        for saved in self._saved:
            self._transient.pop(saved.id, None)
        self._emit_changed()

    def _load_checked(self) -> LoadResult:
        loaded = self._store.load()
        if not loaded.can_save:
            raise ConnectionStoreError(loaded.problems[-1])
        return loaded

    def _emit_changed(self) -> None:
        self.connections_changed.emit(self.profiles())
