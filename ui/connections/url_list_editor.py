"""The list of a connection's Management Tool URLs: add, remove, reorder, edit in place."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.urls import InvalidUrlError, normalize_base_url
from ui.icons import icon

URL_HINT = "A Management Tool address, for example mt01.corp.local or https://mt01:8443/EkranSystem"


class UrlListEditor(QWidget):
    """Edits an ordered list of URLs; the first is tried first.

    Each URL is normalized (``normalize_base_url``) when its edit is committed; a URL
    that cannot be normalized keeps its text and is marked with an error icon and its
    reason as tooltip. Empty rows are dropped.

    Signals:
        changed(): the list or one of its URLs changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setObjectName("urlList")
        self.list.setAccessibleName("Management Tool URLs")
        self.list.setToolTip(URL_HINT)
        self.list.setEditTriggers(
            QListWidget.EditTrigger.DoubleClicked
            | QListWidget.EditTrigger.EditKeyPressed
            | QListWidget.EditTrigger.AnyKeyPressed
        )
        rows = 4
        self.list.setMinimumHeight(self.list.fontMetrics().height() * (rows + 1))
        self.list.itemChanged.connect(self._on_list_item_changed)
        self.list.currentRowChanged.connect(self._update_buttons)
        self.list.itemDelegate().closeEditor.connect(self._on_editor_closed)

        self.add_button = self._button("&Add", "addUrl", "Add a Management Tool URL", "add")
        self.remove_button = self._button(
            "Remove", "removeUrl", "Remove the selected URL", "remove"
        )
        self.up_button = self._button("Move up", "moveUrlUp", "Try this URL earlier", None)
        self.down_button = self._button("Move down", "moveUrlDown", "Try this URL later", None)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))

        buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._update_buttons()

    # -- values ----------------------------------------------------------------------------
    def urls(self) -> list[str]:
        """The URLs as shown (normalized where possible), in order, without empty rows."""
        texts = (self.list.item(row).text().strip() for row in range(self.list.count()))
        return [text for text in texts if text]

    def set_urls(self, urls: Iterable[str]) -> None:
        """Replace the list; each URL is normalized as if it had been typed."""
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for url in urls:
                self._append(url)
        finally:
            self.list.blockSignals(False)
        self._update_buttons()
        self.changed.emit()

    def add_url(self, text: str) -> None:
        """Append one URL as if it had been typed."""
        self.list.blockSignals(True)
        try:
            self._append(text)
        finally:
            self.list.blockSignals(False)
        self._update_buttons()
        self.changed.emit()

    def invalid_rows(self) -> dict[int, str]:
        """Row -> reason for every URL that could not be normalized."""
        problems: dict[int, str] = {}
        for row in range(self.list.count()):
            reason = self.list.item(row).data(Qt.ItemDataRole.UserRole)
            if isinstance(reason, str) and reason:
                problems[row] = reason
        return problems

    # -- internals -------------------------------------------------------------------------
    def _button(self, text: str, name: str, tip: str, icon_name: str | None) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        if icon_name is not None:
            button.setIcon(icon(icon_name))
        return button

    def _append(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(self.list)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setText(text)
        self._normalize(item)
        return item

    def _normalize(self, item: QListWidgetItem) -> None:
        text = item.text().strip()
        if not text:
            self._mark(item, None)
            return
        try:
            normalized = normalize_base_url(text)
        except InvalidUrlError as exc:
            self._mark(item, str(exc))
            return
        if normalized != item.text():
            item.setText(normalized)
        self._mark(item, None)

    @staticmethod
    def _mark(item: QListWidgetItem, reason: str | None) -> None:
        item.setData(Qt.ItemDataRole.UserRole, reason or "")
        item.setIcon(icon("conn-unreachable") if reason else icon("connection"))
        item.setToolTip(reason or URL_HINT)

    def _on_list_item_changed(self, item: QListWidgetItem) -> None:
        self.list.blockSignals(True)
        try:
            if not item.text().strip():
                self.list.takeItem(self.list.row(item))
            else:
                self._normalize(item)
        finally:
            self.list.blockSignals(False)
        self._update_buttons()
        self.changed.emit()

    def _on_editor_closed(self, *_: object) -> None:
        """Drop a row left empty (for example after Add, then Esc)."""
        for row in reversed(range(self.list.count())):
            if not self.list.item(row).text().strip():
                self.list.takeItem(row)
        self._update_buttons()

    def _on_add_clicked(self) -> None:
        self.list.blockSignals(True)
        try:
            item = self._append("")
        finally:
            self.list.blockSignals(False)
        self.list.setCurrentItem(item)
        self.list.editItem(item)

    def _on_remove_clicked(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self._update_buttons()
            self.changed.emit()

    def _move(self, step: int) -> None:
        row = self.list.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.list.count():
            return
        self.list.blockSignals(True)
        try:
            item = self.list.takeItem(row)
            self.list.insertItem(target, item)
        finally:
            self.list.blockSignals(False)
        self.list.setCurrentRow(target)
        self._update_buttons()
        self.changed.emit()

    def _update_buttons(self, *_: object) -> None:
        row = self.list.currentRow()
        count = self.list.count()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < count - 1)
