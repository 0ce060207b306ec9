"""Removing a saved connection and everything the console keeps about it.

The one removal both front ends call (``ekran-console-cli connections remove`` and the
window's Delete): the saved profile, its password in the keyring, its alert settings and
its load history. Once the profile is gone the rest is done whatever fails on the way;
what may be left behind is reported, one line per problem.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.alerts.settings_store import AlertSettingsStore
from app.connections import ConnectionStore
from app.credentials import CredentialError, CredentialStore
from app.paths import AppPaths

if TYPE_CHECKING:
    from app.connections import ConnectionProfile
    from app.history import HistoryStore


class HistoryEraser(Protocol):
    """Drops one connection's load history; returns a one-line problem, or None."""

    async def erase(self, connection_id: str) -> str | None: ...


class OpenHistory:
    """The window's load history, open for the whole run (call on the event loop's thread)."""

    def __init__(self, store: HistoryStore) -> None:
        self.store = store

    async def erase(self, connection_id: str) -> str | None:
        self.store.forget(connection_id)  # in memory now; the file through its writer
        return None


class HistoryFile:
    """The load history file, opened for one removal and closed again (the command line).

    A missing file is not created; a file this version cannot change (damaged, newer)
    is handled as at start-up and its notice returned.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    async def erase(self, connection_id: str) -> str | None:
        return await asyncio.to_thread(self._erase, connection_id)

    def _erase(self, connection_id: str) -> str | None:
        from app.history import HistoryStore  # numpy: only when there is a history to change

        if not self.path.exists():
            return None
        opened = HistoryStore.open(self.path, load_s=None)
        try:
            opened.store.forget(connection_id)
        finally:
            opened.store.close()
        return opened.notice


@dataclass(frozen=True)
class RemovalReport:
    """What a removal did.

    ``password_removed`` is True when a saved password was found and deleted, False when
    there was none (or no keyring), None when the keyring failed; ``problems`` are one line
    each about what may be left behind (the profile itself is always gone).
    """

    profile: ConnectionProfile
    password_removed: bool | None
    problems: list[str] = field(default_factory=list)


class ConnectionRemoval:
    """Removes saved connections with their password, alert settings and load history.

    ``history`` is the console's open history (the window: ``OpenHistory``); the command
    line passes a ``HistoryFile``. Blocking work runs in worker threads; ``history`` is
    called on the caller's thread, last, so that a window which closes the connection's
    session right after ``remove`` returns leaves no poll in between.
    """

    def __init__(
        self,
        store: ConnectionStore,
        credentials: CredentialStore,
        alert_settings: AlertSettingsStore,
        history: HistoryEraser,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self.alert_settings = alert_settings
        self.history = history

    @classmethod
    def for_files(
        cls, paths: AppPaths, store: ConnectionStore, credentials: CredentialStore
    ) -> ConnectionRemoval:
        """A removal that opens the history file when it needs it (the command line)."""
        from app.history import history_file  # numpy: not for the commands that never remove

        return cls(
            store,
            credentials,
            AlertSettingsStore.in_config_dir(paths),
            HistoryFile(history_file(paths)),
        )

    async def remove(self, connection_id: str) -> RemovalReport | None:
        """Remove the saved connection ``connection_id`` and what is kept about it.

        Returns None when no such connection is saved (nothing else is touched). Raises
        what ``ConnectionStore.remove`` raises when the profile cannot be removed; then
        nothing has changed.
        """
        profile = await asyncio.to_thread(self.store.remove, connection_id)
        if profile is None:
            return None
        problems: list[str] = []
        password_removed = await asyncio.to_thread(self._delete_password, profile, problems)
        problems += await self.forget(profile.id)
        return RemovalReport(profile, password_removed, problems)

    async def forget(self, connection_id: str) -> list[str]:
        """Drop the alert settings and load history of ``connection_id`` (also for a
        connection that was never saved); returns the problems, one line each."""
        problems: list[str] = []
        try:
            await asyncio.to_thread(self.alert_settings.remove, connection_id)
        except OSError as error:
            problems.append(f"Its alert settings may remain: {error}")
        notice = await self.history.erase(connection_id)
        if notice:
            problems.append(notice)
        return problems

    def _delete_password(self, profile: ConnectionProfile, problems: list[str]) -> bool | None:
        """Delete the connection's own keyring entry (an entry of an earlier version, shared
        by every connection with that user name, stays for them)."""
        try:
            existed = self.credentials.get(profile) is not None
            self.credentials.delete_all_for(profile.id, [profile.username])
        except CredentialError as error:
            problems.append(f"Its saved password may remain: {error}")
            return None
        return existed
