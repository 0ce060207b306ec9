"""The window's entry to rolling maintenance: its menu action and how a run's messages
reach the status bar's messages and the notification area."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from app.alerts import Severity
from app.rollout import MessageKind, RolloutMessage
from ui.dialogs.error_details import Notice

NOTIFIED = {
    MessageKind.INSTRUCTION: Severity.WARNING,
    MessageKind.PAUSED: Severity.CRITICAL,
    MessageKind.FINISHED: Severity.INFO,
    MessageKind.ABORTED: Severity.WARNING,
}
"""Messages that also show as a notification: the admin has something to do or know."""


def rollout_action(window: QWidget) -> QAction:
    """Server > Rolling maintenance… (also in the connections' context menu)."""
    action = QAction("Rolling &maintenance…", window)
    action.setObjectName("actionRollingMaintenance")
    action.setProperty("accessibleName", "Rolling maintenance")
    tip = "Upgrade or patch the whole cluster one server at a time, guided and resumable"
    action.setStatusTip(tip)
    action.setToolTip(tip)
    window.addAction(action)
    return action


def message_notice(connection_name: str, message: RolloutMessage) -> Notice:
    """The status bar's line for a run's message (drain progress is not posted)."""
    return Notice(
        f"{connection_name}: {message.text}",
        error=message.kind is MessageKind.PAUSED,
    )
