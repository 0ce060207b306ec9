"""WindowServices: the long-lived objects the composition root hands to the window."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.alerts import AlertEngine
from app.alerts.settings_store import AlertSettingsStore
from app.audit import AuditLog
from app.history import HistoryStore
from app.paths import AppPaths
from ui.connections.repository import ConnectionRepository
from ui.settings import WindowSettings
from ui.tasks import TaskRunner


@dataclass(frozen=True)
class WindowServices:
    """Everything the main window needs from outside; built by ``ui.app.build_services``.

    ``keyring_problem`` says why passwords cannot be remembered (None when they can).
    ``history`` keeps the load history of every open connection (in memory only unless
    the composition root opened it on a file); ``history_notice`` is one line about a
    problem with that file. ``alerts`` turns monitor events into notifications;
    ``alert_settings`` keeps each connection's alert settings (shared with the command line).
    """

    paths: AppPaths
    settings: WindowSettings
    runner: TaskRunner
    repository: ConnectionRepository
    audit: AuditLog | None
    alert_settings: AlertSettingsStore
    keyring_problem: str | None = None
    history: HistoryStore = field(default_factory=HistoryStore)
    history_notice: str | None = None
    alerts: AlertEngine = field(default_factory=AlertEngine)
