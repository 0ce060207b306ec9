"""An inline problem line under a form field: an error icon and the sentence."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from ui.icons import icon

ERROR_ICON = "conn-unreachable"


class FieldProblemLabel(QWidget):
    """Hidden while there is no problem; otherwise shows them, one sentence per line."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        size = self.fontMetrics().height()
        self.icon_label = QLabel(self)
        self.icon_label.setPixmap(icon(ERROR_ICON).pixmap(size, size))
        self.icon_label.setAccessibleName("Problem")
        self.text_label = QLabel(self)
        self.text_label.setWordWrap(True)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text_label, 1)
        self.setVisible(False)
        self._messages: tuple[str, ...] = ()

    def messages(self) -> tuple[str, ...]:
        """The problems shown now (empty while hidden)."""
        return self._messages

    def set_problems(self, messages: Sequence[str]) -> None:
        self._messages = tuple(messages)
        self.text_label.setText("\n".join(messages))
        self.setAccessibleName("; ".join(messages))
        self.setVisible(bool(messages))
