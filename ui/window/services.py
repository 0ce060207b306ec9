"""WindowServices: the long-lived objects the composition root hands to the window."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from app.alerts.settings_store import AlertSettingsStore
from app.audit import AuditLog
from app.credentials import CredentialStore
from app.paths import AppPaths
from app.removal import OpenHistory
from ui.connections.repository import ConnectionRepository
from ui.settings import WindowSettings
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from app.alerts import AlertEngine
    from app.history import HistoryStore, OpenedHistory

T = TypeVar("T")


class OnFirstUse(Generic[T]):
    """A value made by ``make`` on the first ``get``: once, in whichever thread asks first
    (another thread asking meanwhile waits for the same value).

    The window paints before numpy, the load history file and the alert rules are loaded:
    they are made right after the first paint (the history in a worker thread), or
    earlier when something needs them.
    """

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._value: T | None = None
        self._made = False
        self._lock = threading.Lock()

    @classmethod
    def of(cls, value: T) -> OnFirstUse[T]:
        """One that is made already."""
        made = cls(lambda: value)
        made.get()
        return made

    @property
    def made(self) -> bool:
        return self._made

    def peek(self) -> T | None:
        """The value if it was made (after a make in progress ends), else None."""
        with self._lock:
            return self._value if self._made else None

    def get(self) -> T:
        """The value (made now, possibly blocking, if it was not yet)."""
        with self._lock:
            if not self._made:
                self._value = self._make()
                self._made = True
            return self._value  # type: ignore[return-value]  # made above


def history_in_memory() -> OpenedHistory:
    """A load history kept in memory only (no file)."""
    from app.history import HistoryStore, OpenedHistory  # numpy

    return OpenedHistory(HistoryStore(), None)


def new_alert_engine() -> AlertEngine:
    from app.alerts import AlertEngine  # the rules, and the API's models with them

    return AlertEngine()


class HistoryOnFirstUse:
    """Drops a removed connection's load history from the window's history (a
    ``HistoryEraser``), opening it first, in a worker thread, if it was not yet."""

    def __init__(self, opened: OnFirstUse[OpenedHistory]) -> None:
        self._opened = opened

    async def erase(self, connection_id: str) -> str | None:
        opened = await asyncio.to_thread(self._opened.get)
        return await OpenHistory(opened.store).erase(connection_id)


@dataclass(frozen=True)
class WindowServices:
    """Everything the main window needs from outside; built by ``ui.app.build_services``.

    ``credentials`` keeps the saved connections' passwords (a ``DeferredCredentialStore``
    looks for the keyring when first used; the window asks it, off its thread, after its
    first paint, and says so when passwords cannot be remembered). ``opened_history`` is
    the load history of every open connection (in memory only unless the composition
    root opens it on a file), with one line about a problem with that file; ``engine``
    makes the ``AlertEngine`` that turns monitor events into notifications. Both are
    made on first use (``history``, ``alerts``). ``alert_settings`` keeps each
    connection's alert settings (shared with the command line).
    """

    paths: AppPaths
    settings: WindowSettings
    runner: TaskRunner
    repository: ConnectionRepository
    audit: AuditLog | None
    alert_settings: AlertSettingsStore
    credentials: CredentialStore
    opened_history: OnFirstUse[OpenedHistory] = field(
        default_factory=lambda: OnFirstUse(history_in_memory)
    )
    engine: OnFirstUse[AlertEngine] = field(default_factory=lambda: OnFirstUse(new_alert_engine))

    @property
    def history(self) -> HistoryStore:
        """The load history (opened now, blocking, if it was not yet)."""
        return self.opened_history.get().store

    @property
    def history_notice(self) -> str | None:
        """One line about a problem with the history file, or None."""
        return self.opened_history.get().notice

    @property
    def alerts(self) -> AlertEngine:
        """The alert engine (made now if it was not yet)."""
        return self.engine.get()
