"""Alerts: the changes in monitored clusters worth telling the user about.

``AlertEngine`` is fed monitor events per connection and produces ``Alert`` values,
grouped, de-duplicated, rate-limited and filtered by each connection's ``AlertSettings``.
"""

from app.alerts.engine import AlertEngine
from app.alerts.model import Alert, AlertKind, Severity
from app.alerts.settings import AlertSettings, AlertSettingsError

__all__ = ["Alert", "AlertEngine", "AlertKind", "AlertSettings", "AlertSettingsError", "Severity"]
