"""Window state kept between runs, in QSettings ("Ekran System" / "Ekran Cluster Console").

Under a portable home (``EKRAN_CONSOLE_HOME``, a demo run) the settings are the INI file
``window.ini`` in its config folder instead of the platform's native place.
Only layout and convenience values live here (geometry, splitter sizes, the last
connection, the last download folder); connections and passwords have their own stores.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.paths import AppPaths

ORGANIZATION = "Ekran System"
APPLICATION = "Ekran Cluster Console"
"""The application's name in QSettings and, as is, its title for people."""
SETTINGS_FILE = "window.ini"
"""The settings file inside a portable home's config folder."""

_GEOMETRY = "window/geometry"
_WINDOW_STATE = "window/state"
_SPLITTER = "window/splitter"
_CLUSTER_HEADER = "cluster/header"
_LAST_CONNECTION = "connections/last"
_DOWNLOAD_FOLDER = "downloads/folder"


class WindowSettings:
    """Typed access to the console's QSettings; every getter tolerates missing or bad values."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    @classmethod
    def default(cls) -> WindowSettings:
        """The user's settings in the platform's native place (the registry on Windows)."""
        return cls(QSettings(ORGANIZATION, APPLICATION))

    @classmethod
    def for_paths(cls, paths: AppPaths) -> WindowSettings:
        """``window.ini`` in the config folder of a portable home, else ``default()``."""
        if paths.portable:
            return cls.in_file(paths.config_dir / SETTINGS_FILE)
        return cls.default()

    @classmethod
    def in_file(cls, path: Path) -> WindowSettings:
        """Settings kept in one INI file (tests, portable installs)."""
        return cls(QSettings(str(path), QSettings.Format.IniFormat))

    @property
    def qsettings(self) -> QSettings:
        return self._settings

    def sync(self) -> None:
        """Write pending changes to permanent storage."""
        self._settings.sync()

    # -- layout -----------------------------------------------------------------------
    def geometry(self) -> QByteArray | None:
        return self._bytes(_GEOMETRY)

    def set_geometry(self, value: QByteArray) -> None:
        self._settings.setValue(_GEOMETRY, value)

    def window_state(self) -> QByteArray | None:
        return self._bytes(_WINDOW_STATE)

    def set_window_state(self, value: QByteArray) -> None:
        self._settings.setValue(_WINDOW_STATE, value)

    def splitter_state(self) -> QByteArray | None:
        return self._bytes(_SPLITTER)

    def set_splitter_state(self, value: QByteArray) -> None:
        self._settings.setValue(_SPLITTER, value)

    def cluster_header_state(self) -> QByteArray | None:
        return self._bytes(_CLUSTER_HEADER)

    def set_cluster_header_state(self, value: QByteArray) -> None:
        self._settings.setValue(_CLUSTER_HEADER, value)

    # -- convenience ----------------------------------------------------------------------
    def last_connection_id(self) -> str | None:
        """The id of the connection that was current when the window closed."""
        value = self._settings.value(_LAST_CONNECTION)
        return value if isinstance(value, str) and value else None

    def set_last_connection_id(self, connection_id: str | None) -> None:
        if connection_id:
            self._settings.setValue(_LAST_CONNECTION, connection_id)
        else:
            self._settings.remove(_LAST_CONNECTION)

    def last_download_folder(self) -> Path | None:
        """The folder chosen for the last logs download (it may no longer exist)."""
        value = self._settings.value(_DOWNLOAD_FOLDER)
        return Path(value) if isinstance(value, str) and value else None

    def set_last_download_folder(self, folder: Path) -> None:
        self._settings.setValue(_DOWNLOAD_FOLDER, str(folder))

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._settings.value(key)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        if isinstance(value, bytes) and value:
            return QByteArray(value)
        return None
