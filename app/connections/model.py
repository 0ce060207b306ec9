"""A saved connection to one cluster: its Management Tool URLs, user, trust and display options.

``ConnectionProfile`` is immutable and always valid: building one from bad values raises
``ProfileValidationError`` whose message names the field in plain words. It holds no
password; passwords live in the system keyring (``app.credentials``).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.api.settings import EndpointSettings, ProxyMode, ProxySetting, TlsTrust, TrustMode
from app.api.urls import InvalidUrlError, normalize_base_url
from app.connections.errors import FieldProblem, ProfileValidationError
from app.connections.messages import profile_error_from
from app.connections.values import (
    DEFAULT_HEALTH_ONLY_INTERVAL_S,
    DEFAULT_POLL_INTERVAL_S,
    MAX_CAPACITY,
    MAX_GROUP_CHARS,
    MAX_NAME_CHARS,
    MAX_NOTES_CHARS,
    MAX_POLL_INTERVAL_S,
    MAX_USERNAME_CHARS,
    MIN_POLL_INTERVAL_S,
    AuthMode,
    ConnectionKindName,
    EnvironmentTag,
)

_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")  # not text: a JSON "\\ud800" or undecodable bytes
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_PROXY_SCHEMES = ("http", "https")


def _single_line(value: str, label: str) -> str:
    if _CONTROL_CHARS.search(value):
        raise ValueError(f"{label} must not contain line breaks or control characters.")
    return _text(value, label)


def _text(value: str, label: str) -> str:
    """``value`` unless it holds a lone surrogate (which no file can store as UTF-8)."""
    if not value.isascii() and _SURROGATES.search(value):
        raise ValueError(f"{label} contains characters that are not valid text.")
    return value


class TlsOptions(BaseModel):
    """Certificate trust of a connection; only the setting matching ``mode`` is used.

    ``pinned_sha256`` accepts upper case and ``:``/space separators and is stored as
    64 lowercase hex digits.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    mode: TrustMode = TrustMode.SYSTEM
    ca_file: str | None = None
    pinned_sha256: str | None = None

    @field_validator("ca_file")
    @classmethod
    def _check_ca_file(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return _single_line(value.strip(), "The CA certificate file")

    @field_validator("pinned_sha256")
    @classmethod
    def _check_pin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[\s:]", "", value).lower()
        if not digits:
            return None
        if not _SHA256_HEX.fullmatch(digits):
            raise ValueError(
                "The pinned certificate fingerprint must be a SHA-256 hash: 64 hexadecimal digits."
            )
        return digits

    @model_validator(mode="after")
    def _check_mode(self) -> Self:
        if self.mode is TrustMode.CA_FILE and self.ca_file is None:
            raise ValueError("Choose a CA certificate file, or trust the system's certificates.")
        if self.mode is TrustMode.PINNED and self.pinned_sha256 is None:
            raise ValueError("A pinned certificate needs its SHA-256 fingerprint.")
        return self

    def to_trust(self) -> TlsTrust:
        """The client-side trust setting, carrying only what ``mode`` uses."""
        return TlsTrust(
            mode=self.mode,
            ca_file=Path(self.ca_file) if self.mode is TrustMode.CA_FILE and self.ca_file else None,
            pinned_sha256=self.pinned_sha256 if self.mode is TrustMode.PINNED else None,
        )


class ProxyOptions(BaseModel):
    """Proxy of a connection. A proxy URL never carries a user name or password."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    mode: ProxyMode = ProxyMode.SYSTEM
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        text = value.strip()
        parts = urlsplit(text)
        try:
            host = parts.hostname
            parts.port  # noqa: B018  (raises on a bad port)
        except ValueError:
            host = None
        if parts.scheme.lower() not in _PROXY_SCHEMES or not host or " " in text:
            raise ValueError("The proxy URL must look like http://proxy.example.com:8080.")
        if parts.username or parts.password:
            raise ValueError("The proxy URL must not contain a user name or password.")
        return _text(text, "The proxy URL")

    @model_validator(mode="after")
    def _check_mode(self) -> Self:
        if self.mode is ProxyMode.URL and self.url is None:
            raise ValueError("Enter the proxy URL, or use the system proxy or no proxy.")
        return self

    def to_setting(self) -> ProxySetting:
        """The client-side proxy setting, with the URL only when ``mode`` is ``URL``."""
        return ProxySetting(mode=self.mode, url=self.url if self.mode is ProxyMode.URL else None)


class ConnectionProfile(BaseModel):
    """One saved connection. Immutable; construct with keyword arguments or ``from_data``.

    Every constructor raises ``ProfileValidationError`` (never a raw pydantic error).
    Unknown keys are ignored so files from newer versions still load. ``urls`` are
    normalized Management Tool base URLs, tried in order, without duplicates.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    name: str
    group: str = ""
    tag: EnvironmentTag = EnvironmentTag.NONE
    read_only: bool = False
    kind: ConnectionKindName = ConnectionKindName.API
    urls: tuple[str, ...]
    username: str = Field(default="", validate_default=True)
    auth_mode: AuthMode = AuthMode.PASSWORD
    tls: TlsOptions = Field(default_factory=TlsOptions)
    proxy: ProxyOptions = Field(default_factory=ProxyOptions)
    poll_interval_s: float = DEFAULT_POLL_INTERVAL_S
    notes: str = ""
    remember_password: bool = False
    url_pins: dict[str, str] = Field(default_factory=dict)
    capacity: int | None = None
    """Clients one Application Server should carry at most ("Clients per server"); None:
    not set. The isolate projection warns when a server would carry more."""

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise profile_error_from(exc) from None

    @classmethod
    def from_data(cls, data: Any) -> ConnectionProfile:
        """Build from a decoded JSON object; anything but a mapping is rejected."""
        if not isinstance(data, dict) or not all(isinstance(key, str) for key in data):
            raise ProfileValidationError([FieldProblem("", "The entry is not a connection.")])
        return cls(**data)

    def to_data(self) -> dict[str, Any]:
        """A JSON-ready dict that ``from_data`` turns back into an equal profile."""
        return self.model_dump(mode="json")

    def with_changes(self, **changes: Any) -> ConnectionProfile:
        """A validated copy with some fields replaced (the id is kept unless given)."""
        return ConnectionProfile(**{**self.model_dump(), **changes})

    @property
    def health_only(self) -> bool:
        """True for a connection that reads each server's healthcheck and nothing else."""
        return self.kind is ConnectionKindName.HEALTH_ONLY

    def trust_for(self, url: str) -> TlsTrust:
        """The TLS trust of one URL: its own pinned certificate, else the connection's."""
        pin = self.url_pins.get(url)
        if pin is not None:
            return TlsTrust(mode=TrustMode.PINNED, pinned_sha256=pin)
        return self.tls.to_trust()

    @property
    def allows_isolation(self) -> bool:
        """False for read-only connections: isolation is hidden and refused."""
        return not self.read_only

    @property
    def group_parts(self) -> tuple[str, ...]:
        """The folder path split into its levels; ``()`` at top level."""
        return tuple(self.group.split("/")) if self.group else ()

    def endpoint_settings(self) -> EndpointSettings:
        """What the API client needs to reach this cluster (everything but the password)."""
        return EndpointSettings(
            urls=self.urls,
            username=self.username,
            trust=self.tls.to_trust(),
            proxy=self.proxy.to_setting(),
        )

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise ValueError("The connection id is not valid.") from None

    @field_validator("name")
    @classmethod
    def _check_name(cls, value: str) -> str:
        name = value.strip()
        if not name:
            raise ValueError("Name is required.")
        if len(name) > MAX_NAME_CHARS:
            raise ValueError(f"Name must be at most {MAX_NAME_CHARS} characters.")
        return _single_line(name, "Name")

    @field_validator("group")
    @classmethod
    def _check_group(cls, value: str) -> str:
        group = "/".join(part.strip() for part in value.split("/") if part.strip())
        if len(group) > MAX_GROUP_CHARS:
            raise ValueError(f"Folder must be at most {MAX_GROUP_CHARS} characters.")
        return _single_line(group, "Folder")

    @field_validator("urls")
    @classmethod
    def _check_urls(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        typed = [text for text in value if text.strip()]
        if not typed:
            raise ValueError("Add at least one Management Tool URL.")
        urls: list[str] = []
        for position, text in enumerate(typed, start=1):
            try:
                url = normalize_base_url(_text(text, "The Management Tool URL"))
            except InvalidUrlError as exc:
                prefix = f"URL {position}: " if len(typed) > 1 else ""
                raise ValueError(f"{prefix}{exc}") from None
            if url in urls:
                raise ValueError(f"The URL {url} is listed twice.")
            urls.append(url)
        return tuple(urls)

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        """A health-only connection polls every 10 s unless told otherwise."""
        if (
            isinstance(data, dict)
            and data.get("kind") in (ConnectionKindName.HEALTH_ONLY, "health_only")
            and data.get("poll_interval_s") is None
        ):
            return {**data, "poll_interval_s": DEFAULT_HEALTH_ONLY_INTERVAL_S}
        return data

    @model_validator(mode="after")
    def _check_kind(self) -> Self:
        unknown = [url for url in self.url_pins if url not in self.urls]
        if unknown:
            raise ValueError(f"A pinned certificate is given for {unknown[0]}, not in the URLs.")
        return self

    @field_validator("url_pins", mode="before")
    @classmethod
    def _check_url_pins(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        pins: dict[str, str] = {}
        for url, pin in value.items():
            try:
                key = normalize_base_url(str(url))
            except InvalidUrlError as exc:
                raise ValueError(f"Pinned certificate of {url}: {exc}") from None
            digits = re.sub(r"[\s:]", "", str(pin)).lower()
            if not _SHA256_HEX.fullmatch(digits):
                raise ValueError(
                    f"The pinned certificate of {key} must be a SHA-256 hash: 64 hexadecimal "
                    "digits."
                )
            pins[key] = digits
        return pins

    @field_validator("username")
    @classmethod
    def _check_username(cls, value: str, info: ValidationInfo) -> str:
        username = value.strip()
        health_only = info.data.get("kind") is ConnectionKindName.HEALTH_ONLY
        if not username and not health_only:
            raise ValueError("User name is required.")
        if username and health_only:
            raise ValueError("A health-only connection has no user name: it never signs in.")
        if len(username) > MAX_USERNAME_CHARS:
            raise ValueError(f"User name must be at most {MAX_USERNAME_CHARS} characters.")
        return _single_line(username, "User name")

    @field_validator("poll_interval_s")
    @classmethod
    def _check_poll_interval(cls, value: float) -> float:
        if not MIN_POLL_INTERVAL_S <= value <= MAX_POLL_INTERVAL_S:
            raise ValueError("Poll interval must be between 0.5 s and 1 hour.")
        return value

    @field_validator("capacity", mode="before")
    @classmethod
    def _check_capacity(cls, value: Any) -> Any:
        if value is None or value == 0:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Clients per server must be a whole number.")
        if not 0 < value < MAX_CAPACITY:
            raise ValueError("Clients per server must be a positive number.")
        return value

    @field_validator("notes")
    @classmethod
    def _check_notes(cls, value: str) -> str:
        if len(value) > MAX_NOTES_CHARS:
            raise ValueError(f"Notes must be at most {MAX_NOTES_CHARS} characters.")
        return _text(value, "Notes")
