"""Certificate trust of a connection: system certificates, a CA file, or one pinned certificate."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QWidget,
)

from app.api.certificates import CertificateInfo
from app.api.settings import TrustMode
from app.connections import TlsOptions
from ui.connections.dialog_result import dispose_dialog

NO_PIN_TEXT = "No certificate is trusted yet: use Inspect… or Test connection."


def _display_fingerprint(sha256: str) -> str:
    digits = sha256.upper()
    return ":".join(digits[i : i + 2] for i in range(0, len(digits), 2))


class TrustEditor(QWidget):
    """Radio buttons for the trust mode, with the CA file and the pinned fingerprint.

    The pinned fingerprint is never typed: it comes from a certificate the user
    inspected and trusted (``pin``).

    Signals:
        changed(): the mode, the CA file or the pinned fingerprint changed.
        inspect_requested(): the user wants to inspect the server's certificate.
    """

    changed = Signal()
    inspect_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pinned: str | None = None
        self.system_radio = QRadioButton("&System certificates", self)
        self.system_radio.setObjectName("trustSystem")
        self.system_radio.setToolTip("Trust the certificates Windows trusts (recommended)")
        self.ca_radio = QRadioButton("CA certificate &file:", self)
        self.ca_radio.setObjectName("trustCaFile")
        self.ca_radio.setToolTip("Trust certificates issued by the CA in this file")
        self.pinned_radio = QRadioButton("T&rusted certificate:", self)
        self.pinned_radio.setObjectName("trustPinned")
        self.pinned_radio.setToolTip(
            "Trust exactly one certificate, identified by its SHA-256 fingerprint"
        )
        self.group = QButtonGroup(self)
        for mode, radio in self._radios().items():
            self.group.addButton(radio)
            radio.toggled.connect(self._on_mode_toggled)
            radio.setProperty("trustMode", mode.value)

        self.ca_edit = QLineEdit(self)
        self.ca_edit.setObjectName("caFileEdit")
        self.ca_edit.setAccessibleName("CA certificate file")
        self.ca_edit.setPlaceholderText("Path of a PEM or DER CA certificate")
        self.ca_edit.textChanged.connect(self.changed)
        self.browse_button = QPushButton("&Browse…", self)
        self.browse_button.setObjectName("browseCaFile")
        self.browse_button.setToolTip("Choose the CA certificate file")
        self.browse_button.clicked.connect(self._on_browse_clicked)

        self.pin_label = QLabel(NO_PIN_TEXT, self)
        self.pin_label.setObjectName("pinnedFingerprint")
        self.pin_label.setAccessibleName("Trusted certificate fingerprint")
        self.pin_label.setWordWrap(True)
        self.inspect_button = QPushButton("&Inspect…", self)
        self.inspect_button.setObjectName("inspectServerCertificate")
        self.inspect_button.setToolTip("Fetch and show the certificate of the first URL")
        self.inspect_button.clicked.connect(self.inspect_requested)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.system_radio, 0, 0, 1, 3)
        grid.addWidget(self.ca_radio, 1, 0)
        grid.addWidget(self.ca_edit, 1, 1)
        grid.addWidget(self.browse_button, 1, 2)
        grid.addWidget(self.pinned_radio, 2, 0)
        grid.addWidget(self.pin_label, 2, 1)
        grid.addWidget(self.inspect_button, 2, 2)
        grid.setColumnStretch(1, 1)
        self._file_dialog: QFileDialog | None = None
        self.system_radio.setChecked(True)

    # -- values ----------------------------------------------------------------------------
    def mode(self) -> TrustMode:
        for mode, radio in self._radios().items():
            if radio.isChecked():
                return mode
        return TrustMode.SYSTEM

    def pinned_sha256(self) -> str | None:
        return self._pinned

    def values(self) -> dict[str, Any]:
        """The ``tls`` field of a profile, for ``ConnectionProfile`` to validate."""
        return {
            "mode": self.mode(),
            "ca_file": self.ca_edit.text().strip() or None,
            "pinned_sha256": self._pinned,
        }

    def set_options(self, options: TlsOptions) -> None:
        self.ca_edit.setText(options.ca_file or "")
        self._set_pin(options.pinned_sha256)
        self._radios()[options.mode].setChecked(True)
        self._update_enabled()

    def pin(self, certificate: CertificateInfo) -> None:
        """Trust exactly ``certificate`` and switch to "Trusted certificate"."""
        self._set_pin(certificate.sha256)
        self.pinned_radio.setChecked(True)
        self.changed.emit()

    # -- internals -------------------------------------------------------------------------
    def _radios(self) -> dict[TrustMode, QRadioButton]:
        return {
            TrustMode.SYSTEM: self.system_radio,
            TrustMode.CA_FILE: self.ca_radio,
            TrustMode.PINNED: self.pinned_radio,
        }

    def _set_pin(self, sha256: str | None) -> None:
        self._pinned = sha256
        if sha256:
            self.pin_label.setText(_display_fingerprint(sha256))
            self.pin_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.pin_label.setToolTip("SHA-256 fingerprint of the trusted certificate")
        else:
            self.pin_label.setText(NO_PIN_TEXT)
            self.pin_label.setFont(self.font())
            self.pin_label.setToolTip("")

    def _update_enabled(self) -> None:
        ca = self.mode() is TrustMode.CA_FILE
        self.ca_edit.setEnabled(ca)
        self.browse_button.setEnabled(ca)

    def _on_mode_toggled(self, checked: bool) -> None:
        if checked:
            self._update_enabled()
            self.changed.emit()

    def _on_browse_clicked(self) -> None:
        dispose_dialog(self._file_dialog)
        dialog = QFileDialog(self, "Choose the CA certificate file")
        dialog.setObjectName("caFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Certificates (*.pem *.crt *.cer *.der)", "All files (*)"])
        dialog.fileSelected.connect(self.ca_edit.setText)
        self._file_dialog = dialog
        dialog.open()
