"""WindowStatusBar: after each poll only the time of the last update is shown afresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pytestqt.qtbot import QtBot

from app.connections import ConnectionProfile
from app.monitor import ConnectionState, MonitorStatus
from tests.helpers.profiles import MakeProfile, profile_factory
from ui.window.status_bar import WindowStatusBar

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def make_profile() -> MakeProfile:
    return profile_factory()


@pytest.fixture
def bar(qtbot: QtBot) -> WindowStatusBar:
    bar = WindowStatusBar()
    qtbot.addWidget(bar)
    return bar


def connected(seconds: float, url: str = "https://a.example:8443") -> MonitorStatus:
    return MonitorStatus(
        ConnectionState.CONNECTED, active_url=url, last_success_at=NOW + timedelta(seconds=seconds)
    )


def test_a_poll_that_changes_only_the_time_redraws_only_the_time(
    bar: WindowStatusBar, make_profile: MakeProfile, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile: ConnectionProfile = make_profile()
    bar.show_connection(profile, connected(0))
    states: list[ConnectionState] = []
    show_state = bar.state_label.show_state
    monkeypatch.setattr(
        bar.state_label, "show_state", lambda state: (states.append(state), show_state(state))
    )

    bar.show_connection(profile, connected(1))
    assert states == []  # the state's icon and words were left as they were
    updated = (NOW + timedelta(seconds=1)).astimezone()
    assert bar.updated_label.text() == f"Updated {updated:%H:%M:%S}"

    bar.show_connection(profile, connected(2, url="https://b.example:8443"))
    assert bar.endpoint_label.toolTip().endswith("https://b.example:8443")
    bar.show_connection(profile, MonitorStatus(ConnectionState.STALE, last_success_at=NOW))
    assert states == [ConnectionState.CONNECTED, ConnectionState.STALE]
    assert bar.state_label.text.text() == "Stale"

    bar.show_connection(None, None)
    assert bar.updated_label.isHidden()
    assert bar.state_label.text.text() == "Not connected"
