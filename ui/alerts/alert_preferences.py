"""AlertPreferences: per-connection alert settings and "close to tray", in QSettings."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings

from app.alerts import AlertSettings, AlertSettingsError

log = logging.getLogger(__name__)

_PREFIX = "alerts/"
_DEFAULTS = "alert_defaults"
_CLOSE_TO_TRAY = "tray/close_to_tray"


class AlertPreferences:
    """Typed access to the alert values kept in the console's QSettings.

    Each connection's ``AlertSettings`` is stored as JSON under ``alerts/<connection id>``.
    Getters tolerate missing or damaged values (defaults, with a log line).
    """

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def load(self, connection_id: str) -> AlertSettings:
        """The connection's settings; ``defaults()`` when none (or no usable ones) are stored."""
        return self._read(_PREFIX + connection_id) or self.defaults()

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
        self._settings.setValue(_PREFIX + connection_id, settings.to_json())

    def remove(self, connection_id: str) -> None:
        """Forget a connection's settings (the connection was deleted)."""
        self._settings.remove(_PREFIX + connection_id)

    def close_to_tray(self) -> bool:
        """Whether closing the window keeps the console running in the tray (default off)."""
        value = self._settings.value(_CLOSE_TO_TRAY)
        if isinstance(value, bool):
            return value
        return isinstance(value, str) and value.lower() == "true"

    def set_close_to_tray(self, enabled: bool) -> None:
        self._settings.setValue(_CLOSE_TO_TRAY, enabled)
