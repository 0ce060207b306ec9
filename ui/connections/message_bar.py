"""A dismissible one-line message above the connections list (icon + text, never colour alone)."""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from ui.icons import icon


class MessageKind(Enum):
    INFO = ("conn-connected", "Information")
    WARNING = ("conn-degraded", "Warning")
    ERROR = ("conn-unreachable", "Error")

    @property
    def icon_name(self) -> str:
        return self.value[0]

    @property
    def label(self) -> str:
        return self.value[1]


class MessageBar(QFrame):
    """Shows the latest message until it is dismissed or replaced; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionsMessage")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon_label = QLabel(self)
        self.text_label = QLabel(self)
        self.text_label.setObjectName("connectionsMessageText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setObjectName("dismissConnectionsMessage")
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this message")
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        margin = self.fontMetrics().height() // 4
        layout.setContentsMargins(margin, margin, margin, margin)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.kind: MessageKind | None = None
        self.setVisible(False)

    def text(self) -> str:
        return self.text_label.text() if self.kind is not None else ""

    def show_message(self, kind: MessageKind, text: str) -> None:
        size = self.fontMetrics().height()
        self.kind = kind
        self.icon_label.setPixmap(icon(kind.icon_name).pixmap(size, size))
        self.icon_label.setAccessibleName(kind.label)
        self.text_label.setText(text)
        self.setAccessibleName(f"{kind.label}: {text}")
        self.setVisible(True)

    def dismiss(self) -> None:
        self.kind = None
        self.text_label.clear()
        self.setVisible(False)
