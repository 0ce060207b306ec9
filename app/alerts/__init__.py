"""Alerts: the changes in monitored clusters worth telling the user about.

``AlertEngine`` is fed monitor events per connection and produces ``Alert`` values,
grouped, de-duplicated, rate-limited and filtered by each connection's ``AlertSettings``.
The values and settings are imported with the package; the engine (its rules need the
API's models) when first asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.alerts.model import Alert, AlertKind, Severity
from app.alerts.settings import AlertSettings, AlertSettingsError
from app.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from app.alerts.engine import AlertEngine

__all__ = ["Alert", "AlertEngine", "AlertKind", "AlertSettings", "AlertSettingsError", "Severity"]


__getattr__ = lazy_exports(globals(), {"AlertEngine": "app.alerts.engine"})
