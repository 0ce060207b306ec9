"""Proxy of a connection: the system proxy, none, or a given proxy URL."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLineEdit, QRadioButton, QWidget

from app.api.settings import ProxyMode
from app.connections import ProxyOptions


class ProxyEditor(QWidget):
    """Signals:
    changed(): the mode or the URL changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.system_radio = QRadioButton("S&ystem proxy settings", self)
        self.system_radio.setObjectName("proxySystem")
        self.none_radio = QRadioButton("&No proxy", self)
        self.none_radio.setObjectName("proxyNone")
        self.url_radio = QRadioButton("Pro&xy:", self)
        self.url_radio.setObjectName("proxyUrl")
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("proxyUrlEdit")
        self.url_edit.setAccessibleName("Proxy URL")
        self.url_edit.setPlaceholderText("http://proxy.example.com:8080")
        self.url_edit.textChanged.connect(self.changed)
        group = QButtonGroup(self)
        for radio in self._radios().values():
            group.addButton(radio)
            radio.toggled.connect(self._on_mode_toggled)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.system_radio, 0, 0, 1, 2)
        grid.addWidget(self.none_radio, 1, 0, 1, 2)
        grid.addWidget(self.url_radio, 2, 0)
        grid.addWidget(self.url_edit, 2, 1)
        grid.setColumnStretch(1, 1)
        self.system_radio.setChecked(True)
        self.url_edit.setEnabled(False)

    def mode(self) -> ProxyMode:
        return next(
            (mode for mode, radio in self._radios().items() if radio.isChecked()), ProxyMode.SYSTEM
        )

    def values(self) -> dict[str, Any]:
        """The ``proxy`` field of a profile, for ``ConnectionProfile`` to validate."""
        return {"mode": self.mode(), "url": self.url_edit.text().strip() or None}

    def set_options(self, options: ProxyOptions) -> None:
        self.url_edit.setText(options.url or "")
        self._radios()[options.mode].setChecked(True)

    def _radios(self) -> dict[ProxyMode, QRadioButton]:
        return {
            ProxyMode.SYSTEM: self.system_radio,
            ProxyMode.NONE: self.none_radio,
            ProxyMode.URL: self.url_radio,
        }

    def _on_mode_toggled(self, checked: bool) -> None:
        if checked:
            self.url_edit.setEnabled(self.mode() is ProxyMode.URL)
            self.changed.emit()
