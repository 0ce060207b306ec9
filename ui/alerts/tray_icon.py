"""TrayIcon: the console in the notification area — worst state, tooltip, menu, balloons."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.alerts import Severity
from app.monitor import ConnectionState
from ui.alerts.tray_state import TrayLevel, tray_tooltip, worst_level
from ui.icons import icon

_MESSAGE_ICONS = {
    Severity.INFO: QSystemTrayIcon.MessageIcon.Information,
    Severity.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    Severity.CRITICAL: QSystemTrayIcon.MessageIcon.Critical,
}
_ACTIVATING = (
    QSystemTrayIcon.ActivationReason.Trigger,
    QSystemTrayIcon.ActivationReason.DoubleClick,
)


class TrayBackend(Protocol):
    """The part of ``QSystemTrayIcon`` the tray icon uses."""

    def setIcon(self, icon: QIcon, /) -> None: ...

    def setToolTip(self, tip: str, /) -> None: ...

    def setContextMenu(self, menu: QMenu, /) -> None: ...

    def show(self) -> None: ...

    def hide(self) -> None: ...

    def showMessage(
        self, title: str, msg: str, icon: QSystemTrayIcon.MessageIcon, msecs: int, /
    ) -> None: ...


class TrayIcon(QObject):
    """Keeps the state of every open connection and shows the worst in the tray.

    The icon is tray-ok, tray-warning or tray-error (``TrayLevel``); the tooltip names
    the connections and their states; the menu offers Show console and Quit. Without a
    system tray (``available`` False) it keeps the same state and menu but shows nothing,
    and ``show_message`` returns False, so callers can fall back to the window.

    Signals:
        show_requested(): Show console was chosen, or the icon clicked.
        quit_requested(): Quit was chosen.
        message_clicked(): the last balloon was clicked.
    """

    show_requested = Signal()
    quit_requested = Signal()
    message_clicked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trayIcon")
        self._backend: TrayBackend | None = None
        self._states: dict[str, tuple[str, ConnectionState]] = {}
        self.level = TrayLevel.OK
        self.tooltip = tray_tooltip([])
        self.menu = QMenu()
        self.menu.setObjectName("trayMenu")
        self.show_action = self._action("trayShowConsole", "&Show console", "Show console")
        self.show_action.triggered.connect(self.show_requested)
        self.menu.addSeparator()
        self.quit_action = self._action("trayQuit", "&Quit", "Quit")
        self.quit_action.triggered.connect(self.quit_requested)

    @classmethod
    def create(cls, parent: QObject | None = None) -> TrayIcon:
        """A tray icon shown in the system tray when there is one."""
        tray = cls(parent)
        if QSystemTrayIcon.isSystemTrayAvailable():
            system = QSystemTrayIcon(tray)
            system.setObjectName("systemTrayIcon")
            system.activated.connect(tray._on_system_activated)
            system.messageClicked.connect(tray.message_clicked)
            tray.set_backend(system)
        return tray

    @property
    def available(self) -> bool:
        """True when the icon is in a system tray (it can show balloons)."""
        return self._backend is not None

    def set_backend(self, backend: TrayBackend | None) -> None:
        """Show the icon through ``backend`` from now on (None: nowhere)."""
        if self._backend is not None:
            self._backend.hide()
        self._backend = backend
        if backend is not None:
            backend.setContextMenu(self.menu)
            self._refresh()
            backend.show()

    # -- state ------------------------------------------------------------------------------
    def set_state(self, connection_id: str, name: str, state: ConnectionState) -> None:
        """Record the state of a connection (IDLE removes it: it is no longer monitored).

        Every poll tells the state; the system tray is told again only when it changed."""
        if state is ConnectionState.IDLE:
            self.remove(connection_id)
            return
        if self._states.get(connection_id) == (name, state):
            return
        self._states[connection_id] = (name, state)
        self._refresh()

    def remove(self, connection_id: str) -> None:
        if self._states.pop(connection_id, None) is not None:
            self._refresh()

    def states(self) -> dict[str, tuple[str, ConnectionState]]:
        """Connection id -> (name, state) of every connection shown."""
        return dict(self._states)

    # -- messages ---------------------------------------------------------------------------
    def show_message(self, title: str, body: str, severity: Severity, msecs: int) -> bool:
        """Show a balloon (a toast on Windows 10 and later); False without a tray."""
        if self._backend is None:
            return False
        self._backend.showMessage(title, body, _MESSAGE_ICONS[severity], msecs)
        return True

    def shutdown(self) -> None:
        """Take the icon out of the tray (the console is quitting)."""
        self.set_backend(None)
        self.menu.deleteLater()

    # -- internals --------------------------------------------------------------------------
    def _action(self, name: str, text: str, accessible: str) -> QAction:
        action = QAction(text, self.menu)
        action.setObjectName(name)
        action.setProperty("accessibleName", accessible)
        self.menu.addAction(action)
        return action

    def _refresh(self) -> None:
        self.level = worst_level(state for _, state in self._states.values())
        self.tooltip = tray_tooltip(self._states.values())
        if self._backend is not None:
            self._backend.setIcon(icon(self.level.icon_name))
            self._backend.setToolTip(self.tooltip)

    def _on_system_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in _ACTIVATING:
            self.show_requested.emit()
