"""AlertCenter: the window's side of alerts — tray icon, notifications, settings, ticks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QDialog, QWidget

from app.alerts import AlertEngine, Severity
from app.monitor import ConnectionState
from ui.alerts.alert_preferences import AlertPreferences
from ui.alerts.alert_settings_dialog import AlertSettingsDialog
from ui.alerts.notifier import AlertNotifier, alert_notice
from ui.alerts.tray_icon import TrayIcon
from ui.connections.dialog_result import dialog_result
from ui.dialogs.error_details import Notice
from ui.settings import APPLICATION
from ui.tasks import TaskRunner

TICK_MS = 5_000


def hides_on_close(*, close_to_tray: bool, tray_available: bool, quitting: bool) -> bool:
    """Whether closing the window only hides it: "close to tray" is on, there is a tray to
    bring it back from, and the user is not quitting (tray menu or File > Quit)."""
    return close_to_tray and tray_available and not quitting


class AlertCenter(QObject):
    """Connects one ``AlertEngine`` to the user.

    Alerts go to an ``AlertNotifier`` (tray balloons; without a tray, ``post`` shows them
    as status-bar notices);
    the tray icon follows the state of every open connection (``set_state``); each
    connection's ``AlertSettings`` come from ``preferences`` when it opens
    (``connection_opened``) and are edited with ``edit_settings``. One timer ticks the
    engine every 5 s so that time-based alerts (connection lost, held alerts) appear
    without an event. Feeding monitor events to the engine is the session manager's job.
    """

    def __init__(
        self,
        engine: AlertEngine,
        preferences: AlertPreferences,
        runner: TaskRunner,
        post: Callable[[Notice], None],
        parent: QObject | None = None,
        *,
        tray: TrayIcon | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.preferences = preferences
        self._runner = runner
        self.tray = tray if tray is not None else TrayIcon.create(self)
        self._post = post
        self.notifier = AlertNotifier(self.tray, lambda alert: post(alert_notice(alert)), self)
        self._told_about_tray = False
        self._detach = self.notifier.attach(engine)
        self.settings_dialog: AlertSettingsDialog | None = None
        self._ticker = QTimer(self)
        self._ticker.setObjectName("alertTickTimer")
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self._on_ticker_timeout)
        self._ticker.start()

    # -- connections ------------------------------------------------------------------------
    def connection_opened(self, connection_id: str) -> None:
        """Apply the connection's stored settings (call before its first event arrives)."""
        self.engine.set_settings(connection_id, self.preferences.load(connection_id))

    def set_state(self, connection_id: str, name: str, state: ConnectionState) -> None:
        """Show a connection's state in the tray (IDLE: it is no longer monitored)."""
        self.tray.set_state(connection_id, name, state)

    # -- settings ---------------------------------------------------------------------------
    def edit_settings(self, connection_id: str, name: str, parent: QWidget) -> None:
        """Open ``AlertSettingsDialog`` for a connection; store and apply the result on OK."""
        if self.settings_dialog is not None:
            self.settings_dialog.reject()
        self._runner.start(self._edit(connection_id, name, parent), name="edit alert settings")

    async def _edit(self, connection_id: str, name: str, parent: QWidget) -> None:
        dialog = AlertSettingsDialog(name, self.preferences.load(connection_id), parent)
        self.settings_dialog = dialog
        try:
            accepted = await dialog_result(dialog) == QDialog.DialogCode.Accepted
            chosen = dialog.settings()
        finally:
            if self.settings_dialog is dialog:
                self.settings_dialog = None
            dialog.deleteLater()
        if accepted:
            self.engine.set_settings(connection_id, chosen)
            try:
                await asyncio.to_thread(self.preferences.save, connection_id, chosen)
            except OSError as error:  # applied for this run; say that it was not kept
                self._post(Notice(f"{error} They apply until the console closes.", ""))

    @property
    def close_to_tray(self) -> bool:
        return self.preferences.close_to_tray()

    def set_close_to_tray(self, enabled: bool) -> None:
        self.preferences.set_close_to_tray(enabled)

    def hides_on_close(self, *, quitting: bool) -> bool:
        """Whether closing the main window should only hide it (see ``hides_on_close``)."""
        return hides_on_close(
            close_to_tray=self.close_to_tray, tray_available=self.tray.available, quitting=quitting
        )

    def window_hidden(self) -> None:
        """Say once per run, in a balloon, that the console goes on in the tray."""
        if not self._told_about_tray:
            self._told_about_tray = True
            self.tray.show_message(
                APPLICATION,
                "Monitoring goes on. Choose Quit from this icon's menu to exit.",
                Severity.INFO,
                5_000,
            )

    # -- lifetime ---------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Stop ticking and showing alerts, and leave the tray."""
        self._ticker.stop()
        self._detach()
        self.tray.shutdown()

    def _on_ticker_timeout(self) -> None:
        self.engine.tick()
