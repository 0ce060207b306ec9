"""A stand-in for QSystemTrayIcon, and alerts to show."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app.alerts import Alert, AlertKind, Severity


class FakeTray:
    """Records what the tray icon was told (a ``TrayBackend``)."""

    def __init__(self) -> None:
        self.icon: QIcon | None = None
        self.icon_sets = 0
        self.tooltip = ""
        self.menu: QMenu | None = None
        self.visible = False
        self.messages: list[tuple[str, str, QSystemTrayIcon.MessageIcon, int]] = []

    def setIcon(self, icon: QIcon, /) -> None:
        self.icon = icon
        self.icon_sets += 1

    def setToolTip(self, tip: str, /) -> None:
        self.tooltip = tip

    def setContextMenu(self, menu: QMenu, /) -> None:
        self.menu = menu

    def show(self) -> None:
        self.visible = True

    def hide(self) -> None:
        self.visible = False

    def showMessage(
        self, title: str, msg: str, icon: QSystemTrayIcon.MessageIcon, msecs: int, /
    ) -> None:
        self.messages.append((title, msg, icon, msecs))


def alert(
    kind: AlertKind = AlertKind.OFFLINE,
    severity: Severity = Severity.CRITICAL,
    title: str = "EKRAN-AS02 went offline",
    body: str = "Seen in Production.",
    connection_name: str = "Production",
) -> Alert:
    return Alert(
        kind,
        severity,
        "c0ffee00-0000-4000-8000-000000000001",
        connection_name,
        ("as-02",),
        ("EKRAN-AS02",),
        title,
        body,
        datetime(2026, 11, 25, 13, 50, tzinfo=UTC),
    )
