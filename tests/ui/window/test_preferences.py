"""The Preferences dialog: shown values, saved values, and what the window applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QMenu
from pytestqt.qtbot import QtBot

from app.alerts import AlertKind
from app.alerts.settings_store import ALERT_SETTINGS_FILE, AlertSettingsStore
from app.connections.values import DEFAULT_POLL_INTERVAL_S
from tests.ui.window.conftest import MakeWindow
from ui.alerts import AlertPreferences
from ui.preferences import Preferences
from ui.theme import Appearance, apply_appearance, is_dark
from ui.window.preferences_dialog import PreferencesDialog


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_defaults_and_damaged_values(qsettings: QSettings) -> None:
    preferences = Preferences(qsettings)
    assert preferences.appearance() is Appearance.SYSTEM
    assert preferences.default_poll_interval_s() == DEFAULT_POLL_INTERVAL_S
    assert preferences.download_folder() is None
    qsettings.setValue("preferences/appearance", "purple")
    qsettings.setValue("preferences/default_poll_interval_s", "-4")
    assert preferences.appearance() is Appearance.SYSTEM
    assert preferences.default_poll_interval_s() == DEFAULT_POLL_INTERVAL_S


def test_dialog_saves_every_value_and_they_persist(
    qtbot: QtBot, qsettings: QSettings, tmp_path: Path
) -> None:
    store = AlertSettingsStore(tmp_path / ALERT_SETTINGS_FILE)
    dialog = PreferencesDialog(Preferences(qsettings), AlertPreferences(qsettings, store))
    qtbot.addWidget(dialog)
    assert dialog.appearance_buttons[Appearance.SYSTEM].isChecked()
    dialog.appearance_buttons[Appearance.DARK].click()
    dialog.poll_spin.setValue(5.0)
    dialog.alert_checks[AlertKind.HEALTH].setChecked(False)
    dialog.close_to_tray_check.setChecked(True)
    dialog.folder_edit.setText(str(tmp_path / "logs"))
    dialog.accept()
    qsettings.sync()

    reread = QSettings(qsettings.fileName(), QSettings.Format.IniFormat)
    preferences, alerts = Preferences(reread), AlertPreferences(reread, store)
    assert preferences.appearance() is Appearance.DARK
    assert preferences.default_poll_interval_s() == 5.0
    assert preferences.download_folder() == tmp_path / "logs"
    assert alerts.close_to_tray()
    assert not alerts.defaults().enabled(AlertKind.HEALTH)
    assert alerts.defaults().enabled(AlertKind.OFFLINE)
    # a connection without settings of its own follows the defaults
    assert not alerts.load("some-connection").enabled(AlertKind.HEALTH)

    again = PreferencesDialog(preferences, alerts)
    qtbot.addWidget(again)
    assert again.appearance_buttons[Appearance.DARK].isChecked()
    assert again.poll_spin.value() == 5.0
    assert not again.alert_checks[AlertKind.HEALTH].isChecked()


async def test_window_applies_the_preferences(make_window: MakeWindow, qapp: QApplication) -> None:
    platform = QPalette(qapp.palette())
    window = make_window()
    file_menu = window.menuBar().findChild(QMenu, "menuFile")
    assert file_menu is not None
    assert window.preferences_action in file_menu.actions()
    try:
        window.preferences_action.trigger()
        dialog = window.preferences_dialog
        assert dialog is not None
        assert dialog.isVisible()
        dialog.appearance_buttons[Appearance.DARK].click()
        dialog.poll_spin.setValue(7.5)
        dialog.close_to_tray_check.setChecked(window.alerts.tray.available)
        dialog.accept()
        assert is_dark(qapp.palette())
        assert window.window_actions.close_to_tray.isChecked() == window.alerts.tray.available

        window.connections_pane.commands.add.trigger()
        connection_dialog = window.connections_pane.connection_dialog
        assert connection_dialog is not None
        assert connection_dialog.form.poll_spin.value() == 7.5
        connection_dialog.reject()

        window.preferences_action.trigger()
        dialog = window.preferences_dialog
        assert dialog is not None
        dialog.appearance_buttons[Appearance.SYSTEM].click()
        dialog.accept()
        assert qapp.palette() == platform
    finally:
        apply_appearance(qapp, Appearance.SYSTEM)
