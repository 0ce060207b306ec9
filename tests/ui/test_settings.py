"""WindowSettings: the window's settings follow a portable home (EKRAN_CONSOLE_HOME)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.paths import HOME_ENV_VAR, AppPaths
from ui.settings import SETTINGS_FILE, WindowSettings


def test_a_console_home_holds_the_window_settings(tmp_path: Path) -> None:
    paths = AppPaths.default({HOME_ENV_VAR: str(tmp_path / "home")}).ensure()
    settings = WindowSettings.for_paths(paths)
    settings.set_geometry(QByteArray(b"geometry"))
    settings.set_last_connection_id("c-1")
    settings.sync()

    ini = tmp_path / "home" / "config" / SETTINGS_FILE
    assert Path(settings.qsettings.fileName()) == ini
    assert settings.qsettings.format() is QSettings.Format.IniFormat
    assert ini.is_file()
    again = WindowSettings.in_file(ini)
    assert again.geometry() == QByteArray(b"geometry")
    assert again.last_connection_id() == "c-1"


def test_without_a_console_home_the_settings_are_in_the_platform_place() -> None:
    paths = AppPaths.default({})
    assert not paths.portable
    settings = WindowSettings.for_paths(paths)
    assert settings.qsettings.format() is QSettings.Format.NativeFormat
    assert settings.qsettings.organizationName() == "Ekran System"
