"""Alert settings: stored per connection in the core's store (moved there from QSettings),
edited in a dialog, applied to the engine; "close to tray" and the rule for hiding the
window on close."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.alerts import AlertEngine, AlertKind, AlertSettings
from app.alerts.settings_store import ALERT_SETTINGS_FILE, AlertSettingsStore
from app.api.errors import UnreachableError, UnreachableReason
from app.monitor import ConnectionState, MonitorStatus, StatusChanged
from tests.ui.alerts.fakes import FakeTray
from tests.ui.conftest import wait_until
from ui.alerts.alert_center import AlertCenter, hides_on_close
from ui.alerts.alert_preferences import LEGACY_PREFIX, AlertPreferences
from ui.alerts.alert_settings_dialog import (
    CHOOSABLE_KINDS,
    AlertSettingsDialog,
    kind_object_name,
)
from ui.alerts.tray_icon import TrayIcon
from ui.dialogs.error_details import Notice
from ui.tasks import TaskRunner

CONNECTION = "c0ffee00-0000-4000-8000-000000000001"


def settings_in(path: Path) -> QSettings:
    return QSettings(str(path), QSettings.Format.IniFormat)


def preferences_in(folder: Path) -> AlertPreferences:
    """Preferences over ``settings.ini`` and the core's alert settings file in ``folder``."""
    store = AlertSettingsStore(folder / ALERT_SETTINGS_FILE)
    return AlertPreferences(settings_in(folder / "settings.ini"), store)


def test_settings_are_kept_in_the_core_store_not_in_qsettings(tmp_path: Path) -> None:
    chosen = AlertSettings(
        disabled=frozenset({AlertKind.DRAINED, AlertKind.HEALTH}),
        max_per_minute=3,
        connection_lost_after_s=120.0,
    )
    preferences_in(tmp_path).save(CONNECTION, chosen)
    reader = preferences_in(tmp_path)
    assert reader.load(CONNECTION) == chosen
    assert reader.load("another-connection") == AlertSettings()
    assert AlertSettingsStore(tmp_path / ALERT_SETTINGS_FILE).load(CONNECTION) == chosen
    assert settings_in(tmp_path / "settings.ini").allKeys() == []


def test_settings_of_an_earlier_version_move_from_qsettings_to_the_store(
    tmp_path: Path,
) -> None:
    old = AlertSettings(disabled=frozenset({AlertKind.OFFLINE}), max_per_minute=2)
    kept = AlertSettings(flap_count=9)
    legacy = settings_in(tmp_path / "settings.ini")
    legacy.setValue(f"{LEGACY_PREFIX}/{CONNECTION}", old.to_json())
    legacy.setValue(f"{LEGACY_PREFIX}/already-moved", AlertSettings().to_json())
    legacy.setValue(f"{LEGACY_PREFIX}/damaged", "{not json")
    legacy.setValue("tray/close_to_tray", True)
    legacy.sync()
    store = AlertSettingsStore(tmp_path / ALERT_SETTINGS_FILE)
    store.save("already-moved", kept)  # what the store has wins

    preferences = preferences_in(tmp_path)

    assert preferences.load(CONNECTION) == old
    assert preferences.load("already-moved") == kept
    assert preferences.load("damaged") == AlertSettings()
    after = settings_in(tmp_path / "settings.ini")
    assert after.allKeys() == ["tray/close_to_tray"]  # the other values moved out
    assert preferences.close_to_tray()
    assert AlertSettingsStore(tmp_path / ALERT_SETTINGS_FILE).connection_ids() == [
        "already-moved",
        CONNECTION,
    ]


def test_close_to_tray_is_off_until_switched_on(tmp_path: Path) -> None:
    preferences = preferences_in(tmp_path)
    assert not preferences.close_to_tray()
    preferences.set_close_to_tray(True)
    del preferences  # QSettings writes on destruction
    assert preferences_in(tmp_path).close_to_tray()


@pytest.mark.parametrize(
    ("close_to_tray", "tray_available", "quitting", "hides"),
    [
        (True, True, False, True),
        (True, True, True, False),
        (True, False, False, False),
        (False, True, False, False),
    ],
)
def test_the_window_hides_only_with_the_setting_a_tray_and_no_quit(
    close_to_tray: bool, tray_available: bool, quitting: bool, hides: bool
) -> None:
    assert (
        hides_on_close(
            close_to_tray=close_to_tray, tray_available=tray_available, quitting=quitting
        )
        is hides
    )


def test_dialog_shows_and_returns_the_settings(qtbot: QtBot) -> None:
    initial = AlertSettings(
        disabled=frozenset({AlertKind.DRAINED}), connection_lost_after_s=90.0, flap_count=5
    )
    dialog = AlertSettingsDialog("Production", initial)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Alerts for Production"
    assert AlertKind.SUPPRESSED not in dialog.kind_boxes
    assert set(dialog.kind_boxes) == set(CHOOSABLE_KINDS)
    assert not dialog.kind_boxes[AlertKind.DRAINED].isChecked()
    assert dialog.kind_boxes[AlertKind.OFFLINE].isChecked()
    assert dialog.lost_after.value() == 90
    assert dialog.settings() == initial
    offline = dialog.findChild(QWidget, kind_object_name(AlertKind.OFFLINE))
    assert offline is dialog.kind_boxes[AlertKind.OFFLINE]
    dialog.kind_boxes[AlertKind.OFFLINE].setChecked(False)
    dialog.kind_boxes[AlertKind.DRAINED].setChecked(True)
    dialog.lost_after.setValue(300)
    dialog.per_minute.setValue(2)
    assert dialog.settings() == AlertSettings(
        disabled=frozenset({AlertKind.OFFLINE}),
        connection_lost_after_s=300.0,
        max_per_minute=2,
        flap_count=5,
    )
    dialog.kind_boxes[AlertKind.CONNECTION_LOST].setChecked(False)
    assert not dialog.lost_after.isEnabled()


@pytest.fixture
def center(tmp_path: Path) -> AlertCenter:
    engine = AlertEngine()
    preferences = preferences_in(tmp_path)
    posted: list[Notice] = []
    return AlertCenter(engine, preferences, TaskRunner(), posted.append, tray=TrayIcon())


async def test_edited_settings_are_stored_and_applied(center: AlertCenter, qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    center.connection_opened(CONNECTION)
    assert center.engine.settings(CONNECTION) == AlertSettings()
    center.edit_settings(CONNECTION, "Production", parent)
    await wait_until(lambda: center.settings_dialog is not None)
    dialog = center.settings_dialog
    assert dialog is not None
    dialog.kind_boxes[AlertKind.BACK_ONLINE].setChecked(False)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    await wait_until(lambda: center.settings_dialog is None)
    expected = AlertSettings(disabled=frozenset({AlertKind.BACK_ONLINE}))
    assert center.engine.settings(CONNECTION) == expected  # applied at once
    await wait_until(lambda: center.preferences.load(CONNECTION) == expected)  # saved off the loop

    center.edit_settings(CONNECTION, "Production", parent)
    await wait_until(lambda: center.settings_dialog is not None)
    dialog = center.settings_dialog
    assert dialog is not None
    assert not dialog.kind_boxes[AlertKind.BACK_ONLINE].isChecked()  # as stored
    dialog.kind_boxes[AlertKind.OFFLINE].setChecked(False)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    await wait_until(lambda: center.settings_dialog is None)
    assert center.preferences.load(CONNECTION) == expected  # cancelled: unchanged


def test_stored_settings_apply_when_a_connection_opens(center: AlertCenter) -> None:
    stored = AlertSettings(disabled=frozenset({AlertKind.HEALTH}))
    center.preferences.save(CONNECTION, stored)
    center.connection_opened(CONNECTION)
    assert center.engine.settings(CONNECTION) == stored


def test_the_center_ticks_the_engine_so_a_lost_connection_is_reported(
    tmp_path: Path,
) -> None:
    now = [datetime(2026, 11, 25, 13, 50, tzinfo=UTC)]
    engine = AlertEngine(clock=lambda: now[0])
    posted: list[Notice] = []
    preferences = preferences_in(tmp_path)
    center = AlertCenter(engine, preferences, TaskRunner(), posted.append, tray=TrayIcon())
    ticker = center.findChild(QTimer, "alertTickTimer")
    assert ticker is not None
    assert ticker.isActive()
    assert ticker.interval() == 5_000
    error = UnreachableError("The server did not answer.", reason=UnreachableReason.TIMEOUT)
    stale = MonitorStatus(ConnectionState.STALE, error=error, failures=3)
    engine.feed(CONNECTION, "Production", StatusChanged(stale))
    assert posted == []
    now[0] += timedelta(seconds=61)
    ticker.timeout.emit()  # what the timer does every 5 s
    assert [a.kind for a in center.notifier.recent] == [AlertKind.CONNECTION_LOST]
    assert len(posted) == 1  # no tray: shown in the status bar
    assert posted[0].message.startswith("Lost connection to Production. No answer for 61 s")
    assert posted[0].error
    center.shutdown()
    assert not ticker.isActive()


def test_hiding_on_close_needs_the_setting_and_a_tray(center: AlertCenter) -> None:
    assert not center.hides_on_close(quitting=False)
    center.set_close_to_tray(True)
    assert not center.hides_on_close(quitting=False)  # no tray to come back from
    center.tray.set_backend(FakeTray())
    assert center.hides_on_close(quitting=False)
    assert not center.hides_on_close(quitting=True)


def test_hiding_the_window_is_explained_once_in_a_balloon(center: AlertCenter) -> None:
    backend = FakeTray()
    center.tray.set_backend(backend)
    center.window_hidden()
    center.window_hidden()
    assert len(backend.messages) == 1
    assert "Quit" in backend.messages[0][1]
