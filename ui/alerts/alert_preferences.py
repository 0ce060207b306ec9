"""AlertPreferences: per-connection alert settings and "close to tray", in QSettings."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSettings

from app.alerts import AlertSettings, AlertSettingsError

log = logging.getLogger(__name__)

_PREFIX = "alerts/"
_CLOSE_TO_TRAY = "tray/close_to_tray"


class AlertPreferences:
    """Typed access to the alert values kept in the console's QSettings.

    Each connection's ``AlertSettings`` is stored as JSON under ``alerts/<connection id>``.
    Getters tolerate missing or damaged values (defaults, with a log line).
    """

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def load(self, connection_id: str) -> AlertSettings:
        """The connection's settings; the defaults when none (or no usable ones) are stored."""
        value = self._settings.value(_PREFIX + connection_id)
        if not isinstance(value, str) or not value:
            return AlertSettings()
        try:
            return AlertSettings.from_json(value)
        except AlertSettingsError as error:
            log.warning("alert settings of %s ignored: %s", connection_id, error)
            return AlertSettings()

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
