"""A password or token that never shows its value by accident."""

from __future__ import annotations

import hmac
from typing import Any, NoReturn

MASK = "***"


class Secret:
    """Holds a secret string; ``str``, ``repr`` and f-strings show ``***``.

    The value is only available through ``reveal()``, so it reaches a log, an exception
    or a file only when code asks for it by name. Secrets compare in constant time,
    are not hashable and refuse to be pickled.
    """

    __slots__ = ("_value",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("A secret must be text.")
        self._value = value

    def reveal(self) -> str:
        """The secret itself; pass it straight to where it is needed and nowhere else."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, format_spec: str) -> str:
        return MASK

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("A Secret cannot be pickled.")
