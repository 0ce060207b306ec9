"""FocusReturn: after any dialog of the window closes, the keyboard is back on the table."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QWindow
from PySide6.QtWidgets import QApplication, QWidget

_WATCHED = "_focusReturnWatched"


class FocusReturn(QObject):
    """Puts the keyboard focus on ``target()`` whenever ``window`` gets it back from one
    of its own dialogs (isolate, version, health, connection, message boxes…), instead of
    wherever Qt would put it (often the load graph's controls).

    It follows ``QGuiApplication.focusWindowChanged`` (no event filter, so no cost per
    event): a focused window whose transient parent is the window's is a dialog; when it
    hides, the table takes the focus. Popups (menus) do not count, and nothing happens
    while another modal dialog is still open.
    """

    def __init__(self, window: QWidget, target: Callable[[], QWidget]) -> None:
        super().__init__(window)
        self._window = window
        self._target = target
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.focusWindowChanged.connect(self._on_app_focus_window_changed)

    def _on_app_focus_window_changed(self, focused: QWindow | None) -> None:
        own = self._window.windowHandle()
        if focused is None or own is None or focused == own:
            return
        if focused.type() == Qt.WindowType.Popup or focused.property(_WATCHED):
            return
        parent: QWindow | None = focused.transientParent()  # None for a top-level window
        while parent is not None and parent != own:
            parent = parent.transientParent()
        if parent is None:
            return
        # A dialog of the window: when it hides, the table gets the focus back (by then
        # Qt has given it to the window again, or will on activation).
        focused.setProperty(_WATCHED, True)
        focused.visibleChanged.connect(self._on_dialog_visible_changed)

    def _on_dialog_visible_changed(self, visible: bool) -> None:
        if not visible:
            QTimer.singleShot(0, self, self._focus_target)

    def _focus_target(self) -> None:
        if QApplication.activeModalWidget() is not None:
            return
        target = self._target()
        if target.isVisible() and target.isEnabled():
            target.setFocus(Qt.FocusReason.OtherFocusReason)
