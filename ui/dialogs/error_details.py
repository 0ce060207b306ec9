"""ErrorDetailsDialog: the recent problems, each with its technical detail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ui.icons import icon


@dataclass(frozen=True)
class Notice:
    """One message shown in the status bar: ``message`` for people, ``detail`` for support.

    ``detail`` must already be free of secrets (see ``app.logsetup.redact``).
    """

    message: str
    detail: str = ""
    error: bool = True
    when: datetime = field(default_factory=datetime.now)


class ErrorDetailsDialog(QDialog):
    """Lists ``notices`` newest first; the selected one's detail shows below, copyable."""

    def __init__(self, notices: Sequence[Notice], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorDetailsDialog")
        self.setWindowTitle("Messages")
        self.setAccessibleName("Messages")
        self._notices = list(reversed(notices))

        self.list = QListWidget(self)
        self.list.setObjectName("messageList")
        self.list.setAccessibleName("Recent messages")
        style = self.style()
        for notice in self._notices:
            badge = (
                style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                if notice.error
                else icon("info")
            )
            item = QListWidgetItem(badge, f"{notice.when:%H:%M:%S}  {notice.message}")
            item.setToolTip(notice.message)
            self.list.addItem(item)
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("messageDetail")
        self.detail.setAccessibleName("Technical detail")
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        copy = QPushButton(icon("copy"), "&Copy details", self)
        copy.setObjectName("copyMessageDetail")
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self._on_copy_clicked)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(buttons)

        self.list.currentRowChanged.connect(self._on_list_current_row_changed)
        if self._notices:
            self.list.setCurrentRow(0)
        metrics = self.fontMetrics()
        self.resize(metrics.averageCharWidth() * 100, metrics.height() * 24)

    def _on_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._notices):
            notice = self._notices[row]
            self.detail.setPlainText(
                f"{notice.message}\n\n{notice.detail}" if notice.detail else notice.message
            )
        else:
            self.detail.clear()

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.detail.toPlainText())
