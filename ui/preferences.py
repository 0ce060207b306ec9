"""Preferences: the console-wide choices of the Preferences dialog, kept in QSettings.

Appearance (light, dark or the system's), the poll interval new connections start
with and the folder log downloads start in. Getters tolerate missing or damaged values
(the defaults). Per-connection alert switches and "close to the notification area"
are ``AlertPreferences``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.connections.values import (
    DEFAULT_POLL_INTERVAL_S,
    MAX_POLL_INTERVAL_S,
    MIN_POLL_INTERVAL_S,
)
from ui.theme import Appearance

_APPEARANCE = "preferences/appearance"
_POLL_INTERVAL = "preferences/default_poll_interval_s"
_DOWNLOAD_FOLDER = "preferences/download_folder"


class Preferences:
    """Typed access to the preference values in the console's QSettings."""

    def __init__(self, settings: QSettings) -> None:
        self._settings = settings

    def appearance(self) -> Appearance:
        """The chosen colour scheme (default: the system's)."""
        value = self._settings.value(_APPEARANCE)
        try:
            return Appearance(str(value))
        except ValueError:
            return Appearance.SYSTEM

    def set_appearance(self, appearance: Appearance) -> None:
        self._settings.setValue(_APPEARANCE, appearance.value)

    def default_poll_interval_s(self) -> float:
        """The poll interval a new connection starts with, in seconds."""
        value = self._settings.value(_POLL_INTERVAL)
        try:
            seconds = float(str(value))
        except ValueError:
            return DEFAULT_POLL_INTERVAL_S
        if not MIN_POLL_INTERVAL_S <= seconds <= MAX_POLL_INTERVAL_S:
            return DEFAULT_POLL_INTERVAL_S
        return seconds

    def set_default_poll_interval_s(self, seconds: float) -> None:
        bounded = min(max(seconds, MIN_POLL_INTERVAL_S), MAX_POLL_INTERVAL_S)
        self._settings.setValue(_POLL_INTERVAL, bounded)

    def download_folder(self) -> Path | None:
        """The folder log downloads start in, or None (then the last one used)."""
        value = self._settings.value(_DOWNLOAD_FOLDER)
        return Path(value) if isinstance(value, str) and value else None

    def set_download_folder(self, folder: Path | None) -> None:
        if folder is None:
            self._settings.remove(_DOWNLOAD_FOLDER)
        else:
            self._settings.setValue(_DOWNLOAD_FOLDER, str(folder))
