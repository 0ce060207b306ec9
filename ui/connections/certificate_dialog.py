"""CertificateDialog: inspect a server certificate and decide whether to trust it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.api.certificates import CertificateInfo
from ui.icons import icon

TRUST_WARNING = (
    "Only trust this certificate if you verified its fingerprint with the server's administrator."
)


def grouped_fingerprint(sha256: str) -> str:
    """``AB:CD:…`` in two lines of 16 byte pairs, easy to compare by eye."""
    pairs = [sha256[i : i + 2].upper() for i in range(0, len(sha256), 2)]
    return "\n".join(":".join(pairs[i : i + 16]) for i in range(0, len(pairs), 16))


def validity_warning(certificate: CertificateInfo, now: datetime) -> str | None:
    """ "This certificate expired on …" / "… is not valid until …", or None while valid."""
    if now > certificate.not_after:
        return f"This certificate expired on {_when(certificate.not_after)}."
    if now < certificate.not_before:
        return f"This certificate is not valid until {_when(certificate.not_before)}."
    return None


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _selectable(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CertificateDialog(QDialog):
    """Shows a certificate's subject, issuer, validity, names and SHA-256 fingerprint.

    Accepting ("Trust for this connection") means the user trusts exactly this
    certificate (``certificate.sha256``) for one connection. Open it with ``open()``.
    """

    def __init__(
        self,
        certificate: CertificateInfo,
        host: str,
        *,
        problem: str | None = None,
        clock: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.certificate = certificate
        self.setObjectName("certificateDialog")
        self.setWindowTitle("Server certificate")
        self.setAccessibleName(f"Certificate of {host}")
        now = (clock or (lambda: datetime.now(UTC)))()

        layout = QVBoxLayout(self)
        if problem:
            layout.addLayout(self._icon_row("conn-tls-problem", problem, "certificateProblem"))

        form = QFormLayout()
        form.addRow("Server:", _selectable(host, self, "certificateHost"))
        form.addRow("Issued to:", _selectable(certificate.subject, self, "certificateSubject"))
        issuer = certificate.issuer + (" (self-signed)" if certificate.self_signed else "")
        form.addRow("Issued by:", _selectable(issuer, self, "certificateIssuer"))
        form.addRow("Valid from:", _selectable(_when(certificate.not_before), self, "validFrom"))
        form.addRow("Valid to:", _selectable(_when(certificate.not_after), self, "validTo"))
        names = ", ".join(certificate.sans) or "(none)"
        form.addRow("Names:", _selectable(names, self, "certificateNames"))
        layout.addLayout(form)

        warning = validity_warning(certificate, now)
        self.validity_label: QLabel | None = None
        if warning:
            self.validity_label = _selectable(warning, self, "validityWarning")
            layout.addLayout(self._icon_row("conn-degraded", self.validity_label))

        layout.addWidget(QLabel("SHA-256 fingerprint:", self))
        layout.addLayout(self._fingerprint_row())
        layout.addLayout(self._icon_row("conn-tls-problem", TRUST_WARNING, "trustWarning"))

        buttons = QDialogButtonBox(self)
        self.trust_button = buttons.addButton(
            "&Trust for this connection", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.trust_button.setObjectName("trustCertificate")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)

    def _icon_row(self, icon_name: str, text: str | QLabel, name: str = "") -> QHBoxLayout:
        """An icon before a text, so that a warning is never told by colour alone."""
        row = QHBoxLayout()
        size = self.fontMetrics().height()
        glyph = QLabel(self)
        glyph.setPixmap(icon(icon_name).pixmap(size, size))
        glyph.setAccessibleName("Warning")
        row.addWidget(glyph, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(text if isinstance(text, QLabel) else _selectable(text, self, name), 1)
        return row

    def _fingerprint_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.fingerprint_label = _selectable(
            grouped_fingerprint(self.certificate.sha256), self, "certificateFingerprint"
        )
        self.fingerprint_label.setWordWrap(False)
        self.fingerprint_label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.fingerprint_label.setAccessibleName("SHA-256 fingerprint")
        row.addWidget(self.fingerprint_label, 1)
        copy = QPushButton("&Copy", self)
        copy.setObjectName("copyFingerprint")
        copy.setToolTip("Copy the fingerprint to the clipboard")
        copy.clicked.connect(self._on_copy_clicked)
        row.addWidget(copy, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _on_copy_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.certificate.sha256_display)
