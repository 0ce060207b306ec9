"""StaleBanner: shown only when the data cannot be refreshed, with an up-to-date message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ConsoleError,
    TlsError,
    TlsErrorKind,
    UnreachableError,
    UnreachableReason,
)
from app.monitor import ConnectionState, MonitorStatus
from tests.ui.cluster.support import NOW, FakeClock
from ui.cluster.stale_banner import BannerSeverity, StaleBanner

URL = "https://as-01.example.test/EkranSystem"
UNREACHABLE = UnreachableError(
    "The endpoint as-01.example.test is unreachable.",
    reason=UnreachableReason.REFUSED,
    detail="ConnectError: [Errno 111] Connection refused",
    url=URL,
)


def stale(clock: FakeClock) -> MonitorStatus:
    return MonitorStatus(
        ConnectionState.STALE,
        URL,
        last_success_at=clock() - timedelta(seconds=40),
        next_attempt_at=clock() + timedelta(seconds=8),
        error=UNREACHABLE,
        failures=3,
    )


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def banner(qtbot: QtBot, clock: FakeClock) -> StaleBanner:
    banner = StaleBanner(clock=clock)
    qtbot.addWidget(banner)
    return banner


def test_identity_and_hidden_at_first(banner: StaleBanner) -> None:
    assert banner.objectName() == "staleBanner"
    assert banner.isHidden()
    assert banner.severity is None


@pytest.mark.parametrize(
    "state",
    [
        ConnectionState.IDLE,
        ConnectionState.CONNECTING,
        ConnectionState.CONNECTED,
        ConnectionState.DEGRADED,
    ],
)
def test_hidden_while_data_is_fresh(
    banner: StaleBanner, clock: FakeClock, state: ConnectionState
) -> None:
    banner.set_status(stale(clock))
    assert not banner.isHidden()
    banner.set_status(MonitorStatus(state, URL, last_success_at=NOW))
    assert banner.isHidden()
    assert banner.severity is None


def test_stale_is_a_warning_with_age_error_and_retry_time(
    banner: StaleBanner, clock: FakeClock
) -> None:
    banner.set_status(stale(clock))
    assert not banner.isHidden()
    assert banner.severity is BannerSeverity.WARNING
    assert banner.message == (
        "Last update 40 s ago; The endpoint as-01.example.test is unreachable; retrying in 8 s"
    )
    title = banner.findChild(QLabel, "staleBannerTitle")
    assert title is not None
    assert title.text() == "Stale"


def test_unreachable_without_data_is_a_warning(banner: StaleBanner) -> None:
    banner.set_status(MonitorStatus(ConnectionState.UNREACHABLE, URL, error=UNREACHABLE))
    assert banner.severity is BannerSeverity.WARNING
    assert banner.message.startswith("No update yet; The endpoint")


@pytest.mark.parametrize(
    ("state", "error"),
    [
        (
            ConnectionState.AUTH_FAILED,
            AuthenticationError(
                "The user name or password was rejected.",
                kind=AuthErrorKind.BAD_CREDENTIALS,
                url=URL,
            ),
        ),
        (
            ConnectionState.TLS_PROBLEM,
            TlsError(
                "The certificate is not trusted.",
                kind=TlsErrorKind.UNTRUSTED_ISSUER,
                detail="CERTIFICATE_VERIFY_FAILED",
                url=URL,
            ),
        ),
    ],
)
def test_problems_that_need_the_user_are_errors(
    banner: StaleBanner, state: ConnectionState, error: ConsoleError
) -> None:
    banner.set_status(MonitorStatus(state, URL, error=error))
    assert banner.severity is BannerSeverity.ERROR
    assert "check the connection settings, then retry" in banner.message


def test_message_counts_up_every_second_while_visible(
    banner: StaleBanner, clock: FakeClock, qtbot: QtBot
) -> None:
    banner.set_status(stale(clock))
    banner.show()
    clock.advance(5)
    qtbot.waitUntil(lambda: banner.message.startswith("Last update 45 s ago"), timeout=5000)
    assert banner.message.endswith("retrying in 3 s")


def test_retry_button_emits_retry_requested(banner: StaleBanner, qtbot: QtBot) -> None:
    banner.set_status(MonitorStatus(ConnectionState.UNREACHABLE, URL, error=UNREACHABLE))
    retry = banner.findChild(QPushButton, "staleBannerRetryButton")
    assert retry is not None
    with qtbot.waitSignal(banner.retry_requested, timeout=1000):
        qtbot.mouseClick(retry, Qt.MouseButton.LeftButton)


def test_details_toggle_shows_the_technical_detail(banner: StaleBanner, qtbot: QtBot) -> None:
    banner.set_status(MonitorStatus(ConnectionState.UNREACHABLE, URL, error=UNREACHABLE))
    banner.show()
    details = banner.findChild(QLabel, "staleBannerDetails")
    toggle = banner.findChild(QPushButton, "staleBannerDetailsButton")
    assert details is not None
    assert toggle is not None
    assert not details.isVisible()
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert details.isVisible()
    assert "Connection refused" in details.text()
    assert URL in details.text()
    assert details.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    qtbot.mouseClick(toggle, Qt.MouseButton.LeftButton)
    assert not details.isVisible()


def test_details_toggle_is_hidden_without_detail(banner: StaleBanner) -> None:
    error = AuthenticationError("Rejected.", kind=AuthErrorKind.BAD_CREDENTIALS)
    banner.set_status(MonitorStatus(ConnectionState.AUTH_FAILED, URL, error=error))
    toggle = banner.findChild(QPushButton, "staleBannerDetailsButton")
    assert toggle is not None
    assert toggle.isHidden()
