"""AlertPreferences: per-connection alert settings (the core's store) and "close to tray"."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings

from app.alerts import AlertSettings, AlertSettingsError
from app.alerts.settings_store import AlertSettingsStore

log = logging.getLogger(__name__)

LEGACY_PREFIX = "alerts"
"""Earlier versions kept each connection's settings as JSON under ``alerts/<id>`` here."""
_DEFAULTS = "alert_defaults"
_CLOSE_TO_TRAY = "tray/close_to_tray"


class AlertPreferences:
    """The window's alert preferences.

    Each connection's ``AlertSettings`` live in ``AlertSettingsStore`` (shared with the
    command line, so that removing a connection anywhere removes them); "close to tray"
    and the defaults for connections without settings of their own (Preferences) are
    window preferences and stay in QSettings. Settings an earlier version kept in
    QSettings are moved to the store when this object is built (what the store already
    has wins) and then removed from QSettings.
    """

    def __init__(self, settings: QSettings, store: AlertSettingsStore) -> None:
        self._settings = settings
        self.store = store
        self._move_legacy_settings()

    def load(self, connection_id: str) -> AlertSettings:
        """The connection's settings; ``defaults()`` when none (or no usable ones) are stored."""
        return self.store.find(connection_id) or self.defaults()

    def defaults(self) -> AlertSettings:
        """The settings of connections that have none of their own (Preferences)."""
        return self._read(_DEFAULTS) or AlertSettings()

    def set_defaults(self, settings: AlertSettings) -> None:
        self._settings.setValue(_DEFAULTS, settings.to_json())

    def _read(self, key: str) -> AlertSettings | None:
        value = self._settings.value(key)
        if not isinstance(value, str) or not value:
            return None
        try:
            return AlertSettings.from_json(value)
        except AlertSettingsError as error:
            log.warning("alert settings %s ignored: %s", key, error)
            return None

    def save(self, connection_id: str, settings: AlertSettings) -> None:
        """Store a connection's settings (blocks on the disk: call it off the window's
        thread); ``AlertSettingsWriteError`` when they cannot be written."""
        self.store.save(connection_id, settings)

    def close_to_tray(self) -> bool:
        """Whether closing the window keeps the console running in the tray (default off)."""
        value = self._settings.value(_CLOSE_TO_TRAY)
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.lower() == "true"

    def set_close_to_tray(self, enabled: bool) -> None:
        self._settings.setValue(_CLOSE_TO_TRAY, enabled)

    def _move_legacy_settings(self) -> None:
        self._settings.beginGroup(LEGACY_PREFIX)
        try:
            keys = self._settings.childKeys()
            values = {key: self._settings.value(key) for key in keys}
        finally:
            self._settings.endGroup()
        if not keys:
            return
        legacy: dict[str, AlertSettings] = {}
        for key, value in values.items():
            try:
                legacy[key] = AlertSettings.from_json(value if isinstance(value, str) else "")
            except AlertSettingsError as error:
                log.warning("alert settings of %s not moved: %s", key, error)
        try:
            self.store.add_missing(legacy)
        except OSError as error:  # kept in QSettings; tried again at the next start
            log.warning("alert settings not moved to %s: %s", self.store.path, error)
            return
        for key in keys:
            self._settings.remove(f"{LEGACY_PREFIX}/{key}")
        log.info("moved the alert settings of %d connection(s) to %s", len(legacy), self.store.path)
