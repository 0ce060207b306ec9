"""Per-connection alert settings, kept as JSON next to the connection."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any, Self

from app.alerts.model import AlertKind


class AlertSettingsError(ValueError):
    """Settings read from JSON are not valid; the message says which value, in plain words."""


@dataclass(frozen=True)
class AlertSettings:
    """How alerts behave for one connection.

    ``disabled`` kinds produce no alert (the engine still follows the state, so switching
    a kind back on does not replay the past). At most ``max_per_minute`` alerts are
    shown per connection in any 60 s; the rest are summed up in one later alert. A server
    going offline more than ``flap_count`` times within ``flap_window_s`` is "flapping":
    one alert, then none about it going offline or online until it has stayed put for
    ``flap_window_s``. A connection whose polls fail for ``connection_lost_after_s``
    raises "connection lost", and "recovered" when polls succeed again.
    """

    disabled: frozenset[AlertKind] = field(default_factory=frozenset)
    max_per_minute: int = 6
    flap_count: int = 3
    flap_window_s: float = 600.0
    connection_lost_after_s: float = 60.0

    def __post_init__(self) -> None:
        if self.max_per_minute < 1:
            raise AlertSettingsError("The alert limit must be at least 1 per minute.")
        if self.flap_count < 1:
            raise AlertSettingsError("The flapping count must be at least 1.")
        if not self.flap_window_s > 0:
            raise AlertSettingsError("The flapping window must be longer than 0 seconds.")
        if not self.connection_lost_after_s >= 0:
            raise AlertSettingsError("The connection-lost delay cannot be negative.")
        if AlertKind.SUPPRESSED in self.disabled:
            raise AlertSettingsError("The rate-limit summary cannot be switched off.")

    def enabled(self, kind: AlertKind) -> bool:
        return kind not in self.disabled

    def with_kind(self, kind: AlertKind, enabled: bool) -> Self:
        """A copy with ``kind`` switched on or off."""
        disabled = self.disabled - {kind} if enabled else self.disabled | {kind}
        return replace(self, disabled=frozenset(disabled))

    def to_dict(self) -> dict[str, Any]:
        return {
            "disabled": sorted(kind.value for kind in self.disabled),
            "max_per_minute": self.max_per_minute,
            "flap_count": self.flap_count,
            "flap_window_s": self.flap_window_s,
            "connection_lost_after_s": self.connection_lost_after_s,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, data: object) -> Self:
        """Settings from ``to_dict()`` output; missing keys take their defaults.

        Unknown keys and unknown alert kinds (from a newer console) are ignored. Raises
        ``AlertSettingsError`` for a value of the wrong type or out of range.
        """
        if not isinstance(data, dict):
            raise AlertSettingsError("Alert settings must be a JSON object.")
        known = {kind.value: kind for kind in AlertKind}
        values: dict[str, Any] = {}
        if "disabled" in data:
            names = data["disabled"]
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise AlertSettingsError("The switched-off alert kinds must be a list of names.")
            values["disabled"] = frozenset(known[n] for n in names if n in known)
        for key in ("max_per_minute", "flap_count"):
            if key in data:
                values[key] = _number(data[key], key, integer=True)
        for key in ("flap_window_s", "connection_lost_after_s"):
            if key in data:
                values[key] = float(_number(data[key], key, integer=False))
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> Self:
        try:
            data = json.loads(text)
        except ValueError:
            raise AlertSettingsError("Alert settings are not valid JSON.") from None
        return cls.from_dict(data)


def _number(value: object, key: str, *, integer: bool) -> int | float:
    wanted = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted):
        kind = "a whole number" if integer else "a number"
        raise AlertSettingsError(f"The alert setting {key!r} must be {kind}.")
    return value
