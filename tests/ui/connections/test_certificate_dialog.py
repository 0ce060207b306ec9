"""CertificateDialog: what a trust decision needs, and the trust button."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.api.certificates import CertificateInfo
from ui.connections.certificate_dialog import (
    TRUST_WARNING,
    CertificateDialog,
    grouped_fingerprint,
)

NOW = datetime(2025, 6, 1, tzinfo=UTC)
SHA = "0123456789abcdef" * 4


def _certificate(**changes: Any) -> CertificateInfo:
    certificate = CertificateInfo(
        subject="CN=mt01.corp.example",
        issuer="CN=Corp Issuing CA",
        not_before=NOW - timedelta(days=30),
        not_after=NOW + timedelta(days=300),
        sha256=SHA,
        sans=("mt01.corp.example", "10.0.0.5"),
        pem="-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    )
    return replace(certificate, **changes)


def _dialog(
    qtbot: QtBot, certificate: CertificateInfo, problem: str | None = None
) -> CertificateDialog:
    dialog = CertificateDialog(
        certificate, "mt01.corp.example:443", problem=problem, clock=lambda: NOW
    )
    qtbot.addWidget(dialog)
    return dialog


def _text(dialog: CertificateDialog, name: str) -> str:
    label = dialog.findChild(QLabel, name)
    assert label is not None, name
    return label.text()


def test_grouped_fingerprint_is_two_lines_of_colon_separated_pairs() -> None:
    grouped = grouped_fingerprint(SHA)
    lines = grouped.split("\n")
    assert len(lines) == 2
    assert lines[0] == "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF"
    assert grouped.replace("\n", ":").replace(":", "").lower() == SHA


def test_shows_the_facts_and_the_warning(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, _certificate(), problem="The certificate was issued by an unknown CA.")
    assert dialog.objectName() == "certificateDialog"
    texts = {
        name: _text(dialog, name)
        for name in (
            "certificateHost",
            "certificateSubject",
            "certificateIssuer",
            "validFrom",
            "validTo",
            "certificateNames",
            "certificateFingerprint",
            "certificateProblem",
            "trustWarning",
        )
    }
    assert texts["certificateHost"] == "mt01.corp.example:443"
    assert texts["certificateSubject"] == "CN=mt01.corp.example"
    assert texts["certificateIssuer"] == "CN=Corp Issuing CA"
    assert texts["validFrom"] == "2025-05-02 00:00 UTC"
    assert texts["validTo"] == "2026-03-28 00:00 UTC"
    assert texts["certificateNames"] == "mt01.corp.example, 10.0.0.5"
    assert texts["certificateFingerprint"] == grouped_fingerprint(SHA)
    assert texts["certificateProblem"] == "The certificate was issued by an unknown CA."
    assert texts["trustWarning"] == TRUST_WARNING
    assert dialog.validity_label is None


def test_self_signed_is_said(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, _certificate(issuer="CN=mt01.corp.example"))
    assert _text(dialog, "certificateIssuer").endswith("(self-signed)")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"not_after": NOW - timedelta(days=1)}, "This certificate expired on 2025-05-31"),
        ({"not_before": NOW + timedelta(days=2)}, "This certificate is not valid until 2025-06-03"),
    ],
)
def test_validity_problems_are_warned_about(
    qtbot: QtBot, changes: dict[str, Any], expected: str
) -> None:
    dialog = _dialog(qtbot, _certificate(**changes))
    assert dialog.validity_label is not None
    assert dialog.validity_label.text().startswith(expected)


def test_copy_puts_the_fingerprint_on_the_clipboard(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, _certificate())
    QGuiApplication.clipboard().clear()
    copy = dialog.findChild(QPushButton, "copyFingerprint")
    assert copy is not None
    copy.click()
    assert QGuiApplication.clipboard().text() == _certificate().sha256_display


def test_trust_button_accepts(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot, _certificate())
    dialog.open()
    assert dialog.trust_button.text().replace("&", "") == "Trust for this connection"
    dialog.trust_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
