"""The window's entry to rolling maintenance: its menu action and how a run's messages
reach the status bar's messages and the notification area."""

from __future__ import annotations

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


def message_notice(connection_name: str, message: RolloutMessage) -> Notice:
    """The status bar's line for a run's message (drain progress is not posted)."""
    return Notice(
        f"{connection_name}: {message.text}",
        error=message.kind is MessageKind.PAUSED,
    )
