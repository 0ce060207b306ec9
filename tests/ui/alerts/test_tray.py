"""The tray: worst state, tooltip, icon, menu and balloons — with and without a system tray."""

from __future__ import annotations

from PySide6.QtWidgets import QSystemTrayIcon

from app.alerts import Severity
from app.monitor import ConnectionState
from tests.ui.alerts.fakes import FakeTray
from ui.alerts.tray_icon import TrayIcon
from ui.alerts.tray_state import TrayLevel, level_of, tray_tooltip, worst_level
from ui.icons import icon
from ui.settings import APPLICATION


def test_levels_of_connection_states() -> None:
    assert level_of(ConnectionState.CONNECTED) is TrayLevel.OK
    assert level_of(ConnectionState.CONNECTING) is TrayLevel.OK
    assert level_of(ConnectionState.DEGRADED) is TrayLevel.WARNING
    assert level_of(ConnectionState.STALE) is TrayLevel.WARNING
    for state in (
        ConnectionState.UNREACHABLE,
        ConnectionState.AUTH_FAILED,
        ConnectionState.TLS_PROBLEM,
    ):
        assert level_of(state) is TrayLevel.ERROR
    assert worst_level([]) is TrayLevel.OK
    assert worst_level([ConnectionState.CONNECTED, ConnectionState.STALE]) is TrayLevel.WARNING
    assert [level.icon_name for level in TrayLevel] == ["tray-ok", "tray-warning", "tray-error"]


def test_tooltip_lists_connections_worst_first_and_counts_the_rest() -> None:
    assert tray_tooltip([]) == f"{APPLICATION}\nNo connection open"
    tip = tray_tooltip(
        [
            ("Staging", ConnectionState.CONNECTED),
            ("Production", ConnectionState.STALE),
            ("Lab", ConnectionState.UNREACHABLE),
            ("Branch", ConnectionState.CONNECTED),
            ("Archive", ConnectionState.CONNECTED),
        ]
    )
    assert tip.splitlines() == [
        APPLICATION,
        "Lab: Unreachable",
        "Production: Stale",
        "Archive: Connected",
        "Branch: Connected",
        "and 1 more",
    ]


def test_without_a_tray_the_state_is_kept_and_messages_are_refused() -> None:
    tray = TrayIcon()
    assert not tray.available
    tray.set_state("a", "Production", ConnectionState.DEGRADED)
    assert tray.level is TrayLevel.WARNING
    assert "Production: Degraded" in tray.tooltip
    assert not tray.show_message("Title", "Body", Severity.WARNING, 1000)
    tray.set_state("a", "Production", ConnectionState.IDLE)  # closed: no longer listed
    assert tray.states() == {}
    assert tray.level is TrayLevel.OK


def test_offscreen_has_no_system_tray() -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()
    assert not TrayIcon.create().available


def test_a_tray_shows_the_worst_icon_the_tooltip_the_menu_and_balloons() -> None:
    tray = TrayIcon()
    backend = FakeTray()
    tray.set_backend(backend)
    assert tray.available
    assert backend.visible
    assert backend.menu is tray.menu
    assert backend.icon is icon("tray-ok")
    tray.set_state("a", "Production", ConnectionState.CONNECTED)
    tray.set_state("b", "Staging", ConnectionState.AUTH_FAILED)
    assert backend.icon is icon("tray-error")
    assert backend.tooltip.splitlines()[1:] == [
        "Staging: Authentication failed",
        "Production: Connected",
    ]
    tray.remove("b")
    assert backend.icon is icon("tray-ok")
    assert tray.show_message("Title", "Body", Severity.CRITICAL, 15_000)
    assert backend.messages == [("Title", "Body", QSystemTrayIcon.MessageIcon.Critical, 15_000)]
    tray.shutdown()
    assert not backend.visible
    assert not tray.available


def test_a_poll_that_keeps_the_state_leaves_the_system_tray_alone() -> None:
    tray = TrayIcon()
    backend = FakeTray()
    tray.set_backend(backend)
    tray.set_state("a", "Production", ConnectionState.CONNECTED)
    sets = backend.icon_sets
    tray.set_state("a", "Production", ConnectionState.CONNECTED)  # the next poll
    assert backend.icon_sets == sets
    tray.set_state("a", "Production", ConnectionState.STALE)
    assert backend.icon_sets == sets + 1
    assert backend.tooltip.splitlines()[1:] == ["Production: Stale"]
    tray.set_state("a", "Payments", ConnectionState.STALE)  # renamed
    assert backend.tooltip.splitlines()[1:] == ["Payments: Stale"]


def test_menu_offers_show_console_and_quit() -> None:
    tray = TrayIcon()
    shown: list[bool] = []
    quit_: list[bool] = []
    tray.show_requested.connect(lambda: shown.append(True))
    tray.quit_requested.connect(lambda: quit_.append(True))
    names = [a.objectName() for a in tray.menu.actions() if not a.isSeparator()]
    assert names == ["trayShowConsole", "trayQuit"]
    assert tray.show_action.text() == "&Show console"
    tray.show_action.trigger()
    assert shown == [True]
    assert quit_ == []
    tray.quit_action.trigger()
    assert quit_ == [True]
