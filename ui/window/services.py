"""WindowServices: the long-lived objects the composition root hands to the window."""

from __future__ import annotations

from dataclasses import dataclass

from app.audit import AuditLog
from app.paths import AppPaths
from ui.connections.repository import ConnectionRepository
from ui.settings import WindowSettings
from ui.tasks import TaskRunner


@dataclass(frozen=True)
class WindowServices:
    """Everything the main window needs from outside; built by ``ui.app.build_services``.

    ``keyring_problem`` says why passwords cannot be remembered (None when they can).
    """

    paths: AppPaths
    settings: WindowSettings
    runner: TaskRunner
    repository: ConnectionRepository
    audit: AuditLog | None
    keyring_problem: str | None = None
