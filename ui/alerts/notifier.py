"""AlertNotifier: sums up the alert engine's alerts in tray balloons, or shows them in the
window."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

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
LISTED_IN_SUMMARY = 3
OPEN_HINT = "Click to see every event."


def message_text(alert: Alert) -> tuple[str, str]:
    """The balloon's title and body: the alert's own, with the connection's name before
    the body unless one of them already names it (several connections may be monitored).
    """
    name, title, body = alert.connection_name, alert.title, alert.body
    if name and name not in title and name not in body:
        body = f"{name}: {body}"
    return title, body


def summary_text(alerts: list[Alert]) -> tuple[str, str]:
    """One balloon for ``alerts`` (seen together): a single alert's own title and body;
    for several, their count and the first titles. Either way it ends by saying that a
    click opens the events (where each one is listed)."""
    if len(alerts) == 1:
        title, body = message_text(alerts[0])
        return title, f"{body} {OPEN_HINT}"
    names = {alert.connection_name for alert in alerts}
    where = f" in {next(iter(names))}" if len(names) == 1 and "" not in names else ""
    ordered = sorted(alerts, key=lambda alert: -alert.severity)
    listed = "; ".join(alert.title for alert in ordered[:LISTED_IN_SUMMARY])
    more = len(alerts) - LISTED_IN_SUMMARY
    if more > 0:
        listed += f"; and {more} more"
    return f"{len(alerts)} new events{where}", f"{listed}. {OPEN_HINT}"


def alert_notice(alert: Alert) -> Notice:
    """The alert as a status-bar message (where there is no tray); warnings and worse are
    marked as problems."""
    title, body = message_text(alert)
    return Notice(f"{title}. {body}", error=alert.severity >= Severity.WARNING)


class AlertNotifier(QObject):
    """Shows each alert once: in a tray balloon when the tray is available, else through
    ``fallback`` (the window's status bar). The engine has already grouped, rate-limited
    and de-duplicated them. Balloons replace each other, so the alerts raised together
    (in one turn of the event loop) share one balloon that sums them up
    (``summary_text``); clicking it opens the events pane, which lists each one.

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
        self._batch: list[Alert] = []
        self._summary_timer = QTimer(self)
        self._summary_timer.setObjectName("alertSummaryTimer")
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(0)
        self._summary_timer.timeout.connect(self.flush)

    @property
    def recent(self) -> list[Alert]:
        """The last alerts shown, oldest first."""
        return list(self._recent)

    def attach(self, engine: AlertEngine) -> Callable[[], None]:
        """Show every alert ``engine`` produces from now on; returns the detaching function."""
        return engine.subscribe(self.notify)

    def notify(self, alert: Alert) -> None:
        """Show ``alert``: through the fallback now, or in the balloon that sums up the
        alerts of this turn of the event loop (``flush`` shows it)."""
        if self._tray is not None and self._tray.available:
            self._batch.append(alert)
            self._summary_timer.start()
        else:
            self._fallback(alert)
        self._recent.append(alert)
        self.alert_shown.emit(alert)

    def flush(self) -> None:
        """Show the balloon of the alerts waiting for one (nothing when none wait)."""
        self._summary_timer.stop()
        batch, self._batch = self._batch, []
        if not batch:
            return
        title, body = summary_text(batch)
        worst = max(alert.severity for alert in batch)
        shown = self._tray is not None and self._tray.show_message(
            title, body, worst, MESSAGE_MS[worst]
        )
        if not shown:  # the tray went away meanwhile
            for alert in batch:
                self._fallback(alert)
