"""The window's menu action for rolling maintenance (the panel and its controller are
built after the window's first paint)."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget


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
