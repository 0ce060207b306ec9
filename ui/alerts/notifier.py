"""AlertNotifier: shows the alert engine's alerts as tray balloons, or in the window."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from app.alerts import Alert, AlertEngine, Severity
from ui.alerts.tray_icon import TrayIcon
from ui.dialogs.error_details import Notice

MESSAGE_MS: dict[Severity, int] = {
    Severity.INFO: 5_000,
    Severity.WARNING: 10_000,
    Severity.CRITICAL: 15_000,
}
"""How long a balloon stays up (the system may shorten or lengthen it)."""
RECENT_ALERTS = 100


def message_text(alert: Alert) -> tuple[str, str]:
    """The balloon's title and body: the alert's own, with the connection's name before
    the body unless one of them already names it (several connections may be monitored).
    """
    name, title, body = alert.connection_name, alert.title, alert.body
    if name and name not in title and name not in body:
        body = f"{name}: {body}"
    return title, body


def alert_notice(alert: Alert) -> Notice:
    """The alert as a status-bar message (where there is no tray); warnings and worse are
    marked as problems."""
    title, body = message_text(alert)
    return Notice(f"{title}. {body}", error=alert.severity >= Severity.WARNING)


class AlertNotifier(QObject):
    """Shows each alert once: as a balloon when the tray is available, else through
    ``fallback`` (the window's status bar). The engine has already grouped, rate-limited
    and de-duplicated them; this only dispatches.

    Signals:
        alert_shown(object): an ``Alert`` was shown (either way).
    """

    alert_shown = Signal(object)

    def __init__(
        self,
        tray: TrayIcon | None,
        fallback: Callable[[Alert], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        self._fallback = fallback
        self._recent: deque[Alert] = deque(maxlen=RECENT_ALERTS)

    @property
    def recent(self) -> list[Alert]:
        """The last alerts shown, oldest first."""
        return list(self._recent)

    def attach(self, engine: AlertEngine) -> Callable[[], None]:
        """Show every alert ``engine`` produces from now on; returns the detaching function."""
        return engine.subscribe(self.notify)

    def notify(self, alert: Alert) -> None:
        """Show ``alert`` now."""
        title, body = message_text(alert)
        shown = self._tray is not None and self._tray.show_message(
            title, body, alert.severity, MESSAGE_MS[alert.severity]
        )
        if not shown:
            self._fallback(alert)
        self._recent.append(alert)
        self.alert_shown.emit(alert)
