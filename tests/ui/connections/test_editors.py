"""The URL list, trust and proxy editors, the row delegate and the check results."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from app.api.certificates import CertificateInfo
from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ServerUnavailableError,
    TlsError,
    TlsErrorKind,
)
from app.api.models import HealthReport, HealthStatus
from app.api.settings import ProxyMode, TrustMode
from app.connections import EnvironmentTag, ProxyOptions, TlsOptions
from tests.helpers.profiles import MakeProfile
from ui.connections.connection_check import CheckOutcome, error_result, health_result
from ui.connections.connection_delegate import ConnectionItemDelegate, badge_text_colour
from ui.connections.connection_tree_model import ConnectionTreeModel
from ui.connections.proxy_editor import ProxyEditor
from ui.connections.trust_editor import NO_PIN_TEXT, TrustEditor
from ui.connections.url_list_editor import UrlListEditor

SHA = "cd" * 32


@pytest.fixture
def urls(qtbot: QtBot) -> UrlListEditor:
    editor = UrlListEditor()
    qtbot.addWidget(editor)
    return editor


def test_urls_are_normalized_and_bad_ones_marked(urls: UrlListEditor) -> None:
    urls.set_urls(["MT01.corp.local:8443", "ftp://old", "https://mt02/EkranSystem/"])
    assert urls.urls() == [
        "https://mt01.corp.local:8443/EkranSystem",
        "ftp://old",
        "https://mt02/EkranSystem",
    ]
    assert urls.invalid_rows() == {1: "Only https:// (or http://) URLs are supported, not ftp://."}
    assert urls.list.item(1).toolTip() == urls.invalid_rows()[1]


def test_an_edit_is_normalized_when_committed_and_an_emptied_row_dropped(
    urls: UrlListEditor,
) -> None:
    urls.set_urls(["mt01", "mt02"])
    changes: list[None] = []
    urls.changed.connect(lambda: changes.append(None))

    urls.list.item(0).setText("MT09:444")  # what committing an edit does
    assert urls.urls() == ["https://mt09:444/EkranSystem", "https://mt02/EkranSystem"]

    urls.list.item(1).setText("   ")
    assert urls.urls() == ["https://mt09:444/EkranSystem"]
    assert len(changes) == 2


def test_buttons_reorder_and_remove(urls: UrlListEditor) -> None:
    urls.set_urls(["a", "b", "c"])
    assert not urls.remove_button.isEnabled()
    urls.list.setCurrentRow(2)
    assert not urls.down_button.isEnabled()
    urls.up_button.click()
    assert [u.split("//")[1].split("/")[0] for u in urls.urls()] == ["a", "c", "b"]
    assert urls.list.currentRow() == 1
    urls.down_button.click()
    urls.list.setCurrentRow(0)
    assert not urls.up_button.isEnabled()
    urls.remove_button.click()
    assert [u.split("//")[1].split("/")[0] for u in urls.urls()] == ["b", "c"]


def test_add_starts_an_empty_row_that_is_dropped_if_left_empty(urls: UrlListEditor) -> None:
    urls.set_urls(["a"])
    urls.add_button.click()
    assert urls.list.count() == 2
    assert urls.list.currentRow() == 1
    assert urls.urls() == ["https://a/EkranSystem"]  # the empty row is not a URL


def test_trust_editor_pins_a_certificate_and_round_trips(qtbot: QtBot) -> None:
    editor = TrustEditor()
    qtbot.addWidget(editor)
    assert editor.mode() is TrustMode.SYSTEM
    assert editor.pin_label.text() == NO_PIN_TEXT
    assert not editor.ca_edit.isEnabled()

    certificate = CertificateInfo(
        subject="CN=a",
        issuer="CN=a",
        not_before=datetime(2025, 1, 1, tzinfo=UTC),
        not_after=datetime(2026, 1, 1, tzinfo=UTC),
        sha256=SHA,
        sans=(),
        pem="",
    )
    editor.pin(certificate)
    assert editor.mode() is TrustMode.PINNED
    assert TlsOptions(**editor.values()) == TlsOptions(mode=TrustMode.PINNED, pinned_sha256=SHA)
    assert editor.pin_label.text() == certificate.sha256_display

    editor.set_options(TlsOptions(mode=TrustMode.CA_FILE, ca_file="/etc/ca.pem"))
    assert editor.mode() is TrustMode.CA_FILE
    assert editor.ca_edit.isEnabled()
    assert TlsOptions(**editor.values()).ca_file == "/etc/ca.pem"


def test_proxy_editor_round_trips(qtbot: QtBot) -> None:
    editor = ProxyEditor()
    qtbot.addWidget(editor)
    assert not editor.url_edit.isEnabled()
    options = ProxyOptions(mode=ProxyMode.URL, url="http://proxy:3128")
    editor.set_options(options)
    assert editor.url_edit.isEnabled()
    assert ProxyOptions(**editor.values()) == options


@pytest.mark.parametrize(
    ("background", "text"),
    [("#c50f1f", "#ffffff"), ("#107c10", "#ffffff"), ("#f2c811", "#000000")],
)
def test_badge_text_reads_on_its_background(background: str, text: str) -> None:
    assert badge_text_colour(QColor(background)) == QColor(text)


def test_tagged_and_read_only_rows_are_wider(qtbot: QtBot, make_profile: MakeProfile) -> None:
    plain = make_profile(name="Same name")
    tagged = make_profile(name="Same name", tag=EnvironmentTag.PRODUCTION, read_only=True)
    model = ConnectionTreeModel()
    model.set_profiles([plain, tagged])
    delegate = ConnectionItemDelegate()
    option = QStyleOptionViewItem()
    plain_width = delegate.sizeHint(option, model.index_of(plain.id)).width()
    tagged_width = delegate.sizeHint(option, model.index_of(tagged.id)).width()
    assert tagged_width > plain_width


def test_health_results() -> None:
    url = "https://mt01/EkranSystem"
    healthy = HealthReport(url=url, http_status=200, status=HealthStatus.HEALTHY, ok=True)
    degraded = HealthReport(url=url, http_status=200, status=HealthStatus.DEGRADED, ok=True)
    unhealthy = HealthReport(url=url, http_status=503, status=HealthStatus.UNHEALTHY, ok=False)
    assert (health_result(url, healthy).outcome, health_result(url, healthy).text) == (
        CheckOutcome.OK,
        "Healthy (200)",
    )
    assert health_result(url, degraded).outcome is CheckOutcome.WARNING
    assert health_result(url, unhealthy).text == "Unhealthy (503)"


def test_error_results() -> None:
    url = "https://mt01/EkranSystem"
    pin = TlsError("replaced", kind=TlsErrorKind.PIN_MISMATCH)
    expired = TlsError("expired", kind=TlsErrorKind.EXPIRED)
    assert error_result(url, url, pin, login=False).inspectable_tls_error is pin
    assert error_result(url, url, expired, login=False).inspectable_tls_error is None
    refused = AuthenticationError("wrong", kind=AuthErrorKind.BAD_CREDENTIALS)
    login = error_result("login", url, refused, login=True)
    assert (login.outcome, login.text) == (CheckOutcome.LOGIN_FAILED, "Login failed: wrong")
    broken = ServerUnavailableError("The server failed.", status=500)
    assert error_result(url, url, broken, login=False).text == "Failed: The server failed."
