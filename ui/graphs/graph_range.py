"""The time ranges the load graph offers."""

from __future__ import annotations

from enum import IntEnum


class GraphRange(IntEnum):
    """A span of time ending now; the value is its length in seconds."""

    FIVE_MINUTES = 300
    HOUR = 3600
    DAY = 86_400
    WEEK = 604_800

    @property
    def label(self) -> str:
        """The short text in the range selector ("5 min")."""
        return _LABELS[self]

    @property
    def description(self) -> str:
        """The range in words, for tooltips and accessible text ("the last 5 minutes")."""
        return _DESCRIPTIONS[self]


_LABELS = {
    GraphRange.FIVE_MINUTES: "5 min",
    GraphRange.HOUR: "1 h",
    GraphRange.DAY: "24 h",
    GraphRange.WEEK: "7 d",
}

_DESCRIPTIONS = {
    GraphRange.FIVE_MINUTES: "the last 5 minutes",
    GraphRange.HOUR: "the last hour",
    GraphRange.DAY: "the last 24 hours",
    GraphRange.WEEK: "the last 7 days",
}
