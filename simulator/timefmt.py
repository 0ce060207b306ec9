"""Time and date formatting for API bodies."""

from __future__ import annotations

import datetime as dt


def rfc3339(moment: dt.datetime) -> str:
    """``2025-03-12T10:15:02Z``: UTC, whole seconds; a naive time is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def full_date(value: dt.date | str) -> str:
    """An RFC 3339 full-date (``2024-11-18``) from a date, a datetime or a date string."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
