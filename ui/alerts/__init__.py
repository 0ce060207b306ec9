"""Alerts in the window: the tray icon, notifications and per-connection alert settings."""

from ui.alerts.alert_center import AlertCenter, hides_on_close
from ui.alerts.alert_preferences import AlertPreferences
from ui.alerts.alert_settings_dialog import AlertSettingsDialog
from ui.alerts.notifier import AlertNotifier
from ui.alerts.tray_icon import TrayIcon
from ui.alerts.tray_state import TrayLevel

__all__ = [
    "AlertCenter",
    "AlertNotifier",
    "AlertPreferences",
    "AlertSettingsDialog",
    "TrayIcon",
    "TrayLevel",
    "hides_on_close",
]
