"""The plain values of a saved connection: its environment tag, kind, sign-in mode and
the limits of its fields. Imported without pydantic (``ConnectionProfile`` validates
with it), so that a window can show a tag or a default before the model is loaded."""

from __future__ import annotations

from enum import StrEnum

MAX_NAME_CHARS = 100
MAX_GROUP_CHARS = 200
MAX_USERNAME_CHARS = 256
MAX_NOTES_CHARS = 4000
MIN_POLL_INTERVAL_S = 0.5
MAX_POLL_INTERVAL_S = 3600.0
DEFAULT_POLL_INTERVAL_S = 2.0
DEFAULT_HEALTH_ONLY_INTERVAL_S = 10.0
MAX_CAPACITY = 10**9


class EnvironmentTag(StrEnum):
    """What kind of environment a connection reaches; shown as a coloured label."""

    NONE = "none"
    PRODUCTION = "production"
    STAGING = "staging"
    TEST = "test"
    DEVELOPMENT = "development"

    @property
    def label(self) -> str:
        """Display name ("Production"); empty for ``NONE``."""
        return "" if self is EnvironmentTag.NONE else self.value.capitalize()

    @property
    def colour(self) -> str:
        """Display colour as ``#rrggbb``."""
        return _TAG_COLOURS[self]


_TAG_COLOURS: dict[EnvironmentTag, str] = {
    EnvironmentTag.NONE: "#8a8886",
    EnvironmentTag.PRODUCTION: "#c50f1f",
    EnvironmentTag.STAGING: "#da7b00",
    EnvironmentTag.TEST: "#0f6cbd",
    EnvironmentTag.DEVELOPMENT: "#107c10",
}


class ConnectionKindName(StrEnum):
    """Which kind of connection a profile opens (see ``app.kinds``)."""

    API = "api"  # the console's Management Tool API (docs/management-api.md)
    HEALTH_ONLY = "health_only"  # each server's own healthcheck; no credentials

    @property
    def label(self) -> str:
        return "Health only" if self is ConnectionKindName.HEALTH_ONLY else "API"


class AuthMode(StrEnum):
    """How the console signs in to the Management Tool."""

    PASSWORD = "password"
