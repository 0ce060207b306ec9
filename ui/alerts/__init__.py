"""Alerts in the window: the tray icon, notifications and per-connection alert settings.

Each name is imported when first asked for: the window paints before the alert engine,
the tray and their dialogs are loaded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from ui.alerts.alert_center import AlertCenter, hides_on_close
    from ui.alerts.alert_preferences import AlertPreferences
    from ui.alerts.alert_settings_dialog import AlertSettingsDialog
    from ui.alerts.notifier import AlertNotifier
    from ui.alerts.tray_icon import TrayIcon
    from ui.alerts.tray_state import TrayLevel

_MODULES = {
    "AlertCenter": "ui.alerts.alert_center",
    "AlertNotifier": "ui.alerts.notifier",
    "AlertPreferences": "ui.alerts.alert_preferences",
    "AlertSettingsDialog": "ui.alerts.alert_settings_dialog",
    "TrayIcon": "ui.alerts.tray_icon",
    "TrayLevel": "ui.alerts.tray_state",
    "hides_on_close": "ui.alerts.alert_center",
}

__all__ = [
    "AlertCenter",
    "AlertNotifier",
    "AlertPreferences",
    "AlertSettingsDialog",
    "TrayIcon",
    "TrayLevel",
    "hides_on_close",
]


__getattr__ = lazy_exports(globals(), _MODULES)
