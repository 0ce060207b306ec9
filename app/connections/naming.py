"""Names for copies and imports that do not clash with existing connection names."""

from __future__ import annotations

from collections.abc import Iterable

from app.connections.values import MAX_NAME_CHARS


def unique_name(base: str, marker: str, taken: Iterable[str]) -> str:
    """``base`` if free, else ``"base (marker)"``, ``"base (marker 2)"``, ... .

    Names compare case-insensitively; the base is shortened so the result stays within
    the name length limit.
    """
    return unique_name_among(base, marker, {name.casefold() for name in taken})


def unique_name_among(base: str, marker: str, used: set[str]) -> str:
    """``unique_name`` against names already case-folded into ``used`` (left unchanged).

    For many names in a row (an import), keep one set and add each accepted name to it,
    instead of folding every taken name again for each new one.
    """
    if base.casefold() not in used:
        return base
    number = 1
    while True:
        suffix = f" ({marker})" if number == 1 else f" ({marker} {number})"
        candidate = base[: MAX_NAME_CHARS - len(suffix)].rstrip() + suffix
        if candidate.casefold() not in used:
            return candidate
        number += 1
