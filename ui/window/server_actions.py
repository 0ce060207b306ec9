"""ServerActions: the QActions on selected Application Servers, their menu and toolbar.

``update_for`` enables, disables or hides each action for the current selection (rules
in ``ui.window.action_rules``), putting the reason in the tooltip and status tip. The
actions that change or ask the cluster are reported as ``*_requested`` signals with the
servers they apply to; copying and opening the browser happen here (nothing to wait on).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

from app.monitor import MonitorStatus
from ui.icons import icon
from ui.window.action_rules import ActionId, Availability, availability

if TYPE_CHECKING:
    from app.api.models import Server
    from app.connections import ConnectionProfile


@dataclass(frozen=True)
class _Spec:
    text: str
    accessible: str
    icon: str
    shortcut: QKeySequence.StandardKey | str | None = None  # QKeySequence needs the app


_SPECS: dict[ActionId, _Spec] = {
    ActionId.ISOLATE: _Spec("&Isolate…", "Isolate", "isolate"),
    ActionId.RETURN_TO_SERVICE: _Spec(
        "&Return to service", "Return to service", "return-to-service"
    ),
    ActionId.CHECK_VERSION: _Spec("Check &version…", "Check version", "version"),
    ActionId.DOWNLOAD_LOGS: _Spec("Download &logs…", "Download logs", "logs"),
    ActionId.HEALTH_DETAILS: _Spec("&Health details…", "Health details", "health", "Alt+Return"),
    ActionId.OPEN_IN_BROWSER: _Spec(
        "&Open Management Tool in browser", "Open Management Tool in browser", "browser"
    ),
    ActionId.COPY_NAME: _Spec("&Copy name", "Copy name", "copy", QKeySequence.StandardKey.Copy),
    ActionId.COPY_ADDRESS: _Spec("Copy &address", "Copy address", "copy"),
    ActionId.REFRESH: _Spec("Re&fresh", "Refresh", "refresh", QKeySequence.StandardKey.Refresh),
}

_MENU_LAYOUT: tuple[ActionId | None, ...] = (
    ActionId.ISOLATE,
    ActionId.RETURN_TO_SERVICE,
    None,
    ActionId.CHECK_VERSION,
    ActionId.HEALTH_DETAILS,
    ActionId.DOWNLOAD_LOGS,
    None,
    ActionId.OPEN_IN_BROWSER,
    ActionId.COPY_NAME,
    ActionId.COPY_ADDRESS,
    None,
    ActionId.REFRESH,
)

_TOOLBAR_LAYOUT: tuple[ActionId | None, ...] = (
    ActionId.REFRESH,
    None,
    ActionId.ISOLATE,
    ActionId.RETURN_TO_SERVICE,
    None,
    ActionId.CHECK_VERSION,
    ActionId.HEALTH_DETAILS,
    ActionId.DOWNLOAD_LOGS,
    ActionId.OPEN_IN_BROWSER,
)


class ServerActions(QObject):
    """The server actions of one window; ``parent`` receives their shortcuts.

    Signals (each with the servers the action applies to, skipped ones left out):
        isolate_requested(list), return_requested(list), version_requested(list),
        logs_requested(list): lists of ``Server``.
        health_requested(object): the one ``Server``.
        refresh_requested(): poll the current connection now.
    """

    isolate_requested = Signal(list)
    return_requested = Signal(list)
    version_requested = Signal(list)
    logs_requested = Signal(list)
    health_requested = Signal(object)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._actions: dict[ActionId, QAction] = {}
        self._state: dict[ActionId, Availability] = availability([], None, None)
        for action_id, spec in _SPECS.items():
            action = QAction(icon(spec.icon), spec.text, parent)
            action.setObjectName(action_id.value)
            action.setIconText(spec.accessible)
            action.setProperty("accessibleName", spec.accessible)
            if spec.shortcut is not None:
                action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(lambda _checked=False, a=action_id: self._on_triggered(a))
            parent.addAction(action)
            self._actions[action_id] = action
        self._apply()

    # -- access ----------------------------------------------------------------------------
    def action(self, action_id: ActionId) -> QAction:
        return self._actions[action_id]

    def actions(self) -> list[QAction]:
        return list(self._actions.values())

    def availability(self, action_id: ActionId) -> Availability:
        return self._state[action_id]

    # -- state -----------------------------------------------------------------------------
    def update_for(
        self,
        selection: Sequence[Server],
        profile: ConnectionProfile | None,
        status: MonitorStatus | None,
        *,
        isolation_refusal: str | None = None,
    ) -> None:
        """Enable, disable or hide every action for ``selection`` on ``profile``;
        ``isolation_refusal`` disables Isolate and Return with its reason."""
        self._state = availability(
            list(selection), profile, status, isolation_refusal=isolation_refusal
        )
        self._apply()

    def _apply(self) -> None:
        for action_id, action in self._actions.items():
            state = self._state[action_id]
            action.setEnabled(state.enabled)
            action.setVisible(state.visible)
            action.setToolTip(f"{action.iconText()}: {state.tip}" if state.tip else "")
            action.setStatusTip(state.tip)

    # -- menus -----------------------------------------------------------------------------
    def populate_menu(self, menu: QMenu) -> None:
        """Add the actions to ``menu`` (the window's Server menu or a context menu)."""
        for action_id in _MENU_LAYOUT:
            if action_id is None:
                menu.addSeparator()
            else:
                menu.addAction(self._actions[action_id])

    def context_menu(self, parent: QWidget) -> QMenu:
        """A new context menu for the selection; the caller pops it up."""
        menu = QMenu(parent)
        menu.setObjectName("serverContextMenu")
        menu.setAccessibleName("Server actions")
        menu.setToolTipsVisible(True)
        self.populate_menu(menu)
        return menu

    def build_toolbar(self, parent: QWidget) -> QToolBar:
        toolbar = QToolBar("Server", parent)
        toolbar.setObjectName("serverToolbar")
        toolbar.setAccessibleName("Server actions")
        for action_id in _TOOLBAR_LAYOUT:
            if action_id is None:
                toolbar.addSeparator()
            else:
                toolbar.addAction(self._actions[action_id])
        return toolbar

    # -- triggering ------------------------------------------------------------------------
    def _on_triggered(self, action_id: ActionId) -> None:
        state = self._state[action_id]
        if not state.enabled:
            return
        targets = list(state.targets)
        if action_id is ActionId.ISOLATE:
            self.isolate_requested.emit(targets)
        elif action_id is ActionId.RETURN_TO_SERVICE:
            self.return_requested.emit(targets)
        elif action_id is ActionId.CHECK_VERSION:
            self.version_requested.emit(targets)
        elif action_id is ActionId.DOWNLOAD_LOGS:
            self.logs_requested.emit(targets)
        elif action_id is ActionId.HEALTH_DETAILS:
            self.health_requested.emit(targets[0])
        elif action_id is ActionId.REFRESH:
            self.refresh_requested.emit()
        elif action_id is ActionId.OPEN_IN_BROWSER and state.url:
            QDesktopServices.openUrl(QUrl(state.url))
        elif action_id is ActionId.COPY_NAME:
            QGuiApplication.clipboard().setText("\n".join(s.name for s in targets))
        elif action_id is ActionId.COPY_ADDRESS:
            QGuiApplication.clipboard().setText("\n".join(s.address for s in targets))
