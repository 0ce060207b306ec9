"""Plain-language texts of a run: drain progress and durations."""

from __future__ import annotations

from datetime import datetime


def duration_text(seconds: float) -> str:
    """ "45 s", "3 min", "1 h 20 min"."""
    seconds = max(0, round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60} min"


def clients_text(count: int) -> str:
    return f"{count} Client" if count == 1 else f"{count} Clients"


def drain_rate(start: int, left: int, since: datetime, now: datetime) -> float | None:
    """Clients moved away per minute so far, or None before any moved."""
    elapsed = (now - since).total_seconds()
    moved = start - left
    if elapsed <= 0 or moved <= 0:
        return None
    return moved * 60.0 / elapsed


def drain_text(name: str, start: int, left: int, since: datetime, now: datetime) -> str:
    """ "EKRAN-AS02: 12 Clients left of 40, 8 a minute, about 2 min to go"."""
    text = f"{name}: {clients_text(left)} left of {start}"
    rate = drain_rate(start, left, since, now)
    if rate is None:
        return text
    return f"{text}, {rate:.0f} a minute, about {duration_text(left * 60.0 / rate)} to go"
