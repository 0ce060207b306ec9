"""Texts of the Downloads table: sizes, rates, time left and percentages.

Sizes follow Windows Explorer: 1 KB is 1,024 bytes, and the next unit starts at 1,000
of the previous one, so texts stay short ("1.0 GB", not "1001.4 MB"); one decimal from
KB up. Every function returns an empty string for a value that is unknown.
"""

from __future__ import annotations

import math

_UNITS = ("KB", "MB", "GB", "TB")
_STEP = 1024
_NEXT_UNIT_AT = 1000


def format_size(size: int | None) -> str:
    """``0 bytes``, ``1 byte``, ``999 bytes``, ``1.0 KB``, ``120.5 MB``, ``1.0 GB``…"""
    if size is None or size < 0:
        return ""
    if size < _NEXT_UNIT_AT:
        return "1 byte" if size == 1 else f"{size} bytes"
    value = float(size)
    unit = _UNITS[0]
    for unit in _UNITS:
        value /= _STEP
        if round(value, 1) < _NEXT_UNIT_AT or unit == _UNITS[-1]:
            break
    return f"{value:.1f} {unit}"


def format_size_progress(done: int | None, total: int | None) -> str:
    """``120.5 MB of 1.0 GB``; just the done size when the total is unknown."""
    if done is None:
        return ""
    if total is None:
        return format_size(done)
    return f"{format_size(done)} of {format_size(total)}"


def format_rate(bytes_per_second: float | None) -> str:
    """``12.3 MB/s``; empty while no bytes have been measured."""
    if bytes_per_second is None or not math.isfinite(bytes_per_second) or bytes_per_second <= 0:
        return ""
    return f"{format_size(round(bytes_per_second))}/s"


def format_eta(seconds: float | None) -> str:
    """Time left as ``m:ss`` (``0:07``, ``1:05``) or ``h:mm:ss`` from an hour on.

    Seconds round up, so the text says ``0:01`` until the very end.
    """
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return ""
    whole = math.ceil(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def format_percent(fraction: float | None) -> str:
    """``45 %`` (rounded down, so ``100 %`` only when complete); empty when unknown."""
    if fraction is None or not math.isfinite(fraction):
        return ""
    clamped = min(1.0, max(0.0, fraction))
    return f"{math.floor(clamped * 100 + 1e-9)} %"  # 1e-9: 0.29 * 100 is 28.999…
