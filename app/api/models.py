"""Immutable models of the Management Tool API replies (contract v1).

Unknown fields are ignored and an unknown server status reads as ``UNKNOWN``, so a
newer Management Tool does not break the console. Validation happens in
``app.api.replies``, which turns a failure into a ``ProtocolError``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from app.api.states import HealthStatus as HealthStatus
from app.api.states import ServerStatus as ServerStatus


class _Reply(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Isolation(_Reply):
    """Why and since when a server is out of the load balancer's rotation."""

    since: datetime | None = None
    by: str | None = None
    reason: str | None = None


MAX_PERMISSIONS = 100
"""Entries of a token reply's ``permissions`` the console reads; a longer list is ignored."""

MAX_CLIENTS = 10**9
"""Clients a server can plausibly report (exclusive bound); anything else is not understood."""


class Server(_Reply):
    id: str
    name: str
    address: str
    status: ServerStatus
    clients: int = Field(ge=0, lt=MAX_CLIENTS)
    version: str | None = None
    isolation: Isolation | None = None
    last_seen: datetime
    management_url: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> ServerStatus:
        return ServerStatus.parse(value)

    @field_validator("clients", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pydantic would read true as 1
            raise ValueError("a count, not true or false")
        return value


class ClusterInfo(_Reply):
    name: str
    generated_at: datetime


class ClusterReply(_Reply):
    """The body of ``GET /api/v1/cluster``.

    Server ids are unique: a reply listing one twice is not understood, since an action
    on that id could reach either server.
    """

    cluster: ClusterInfo
    servers: tuple[Server, ...]

    @field_validator("servers")
    @classmethod
    def _unique_ids(cls, servers: tuple[Server, ...]) -> tuple[Server, ...]:
        seen: set[str] = set()
        for server in servers:
            if server.id in seen:
                raise ValueError("a server id is listed twice")
            seen.add(server.id)
        return servers


class ClusterSnapshot(_Reply):
    """The cluster as one endpoint reported it.

    ``etag`` is the validator sent back as ``If-None-Match``; ``source_url`` is the
    base URL of the endpoint that answered; ``received_at`` is when (UTC) the reply
    arrived. ``changed`` is False when the endpoint answered 304 Not Modified: the
    cluster and servers are then those of the previous snapshot.
    """

    cluster: ClusterInfo
    servers: tuple[Server, ...]
    etag: str | None
    received_at: datetime
    source_url: str
    changed: bool = True

    def server(self, server_id: str) -> Server | None:
        """The server with this id, or None."""
        return next((s for s in self.servers if s.id == server_id), None)


class HealthEntry(_Reply):
    status: HealthStatus = HealthStatus.UNKNOWN
    description: str | None = None
    duration: str | None = None

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> HealthStatus:
        return HealthStatus.parse(value)


class HealthReport(_Reply):
    """What ``GET /healthcheck`` said about one endpoint's own Application Server.

    ``ok`` follows the HTTP status alone (2xx); ``status`` comes from the body when it
    has one, else from the HTTP status (Healthy for 2xx, Unhealthy otherwise).
    """

    url: str
    http_status: int
    status: HealthStatus
    entries: Mapping[str, HealthEntry] = Field(default_factory=dict)
    total_duration: str | None = None
    ok: bool
    body: str | None = None  # the body reduced to safe text (health-only connections)
    response_ms: float | None = None  # from the request to the end of the body

    @property
    def isolated(self) -> bool:
        """True when the report carries an ``isolation`` entry (a running, isolated server)."""
        return "isolation" in self.entries


class HealthBody(_Reply):
    """The JSON body of a health report, when there is one."""

    status: HealthStatus = HealthStatus.UNKNOWN
    total_duration: str | None = Field(default=None, alias="totalDuration")
    entries: Mapping[str, HealthEntry] = Field(default_factory=dict)

    @field_validator("status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> HealthStatus:
        return HealthStatus.parse(value)


class VersionInfo(_Reply):
    """The version an Application Server reported live."""

    model_config = ConfigDict(frozen=True, extra="ignore", coerce_numbers_to_str=True)

    version: str
    build: str | None = None
    released: date | None = None


class TokenGrant(_Reply):
    """A bearer token; ``access_token`` is a ``SecretStr`` so it never shows in a repr."""

    access_token: SecretStr
    token_type: str = "Bearer"
    expires_in: float = Field(gt=0, allow_inf_nan=False)
    permissions: frozenset[str] | None = None
    """What the account may do (``cluster.read``, ``servers.manage``); None when the
    Management Tool did not say. A malformed list counts as not said."""

    @field_validator("permissions", mode="before")
    @classmethod
    def _permission_words(cls, value: Any) -> frozenset[str] | None:
        if not isinstance(value, list) or len(value) > MAX_PERMISSIONS:
            return None
        if not all(isinstance(item, str) and len(item) <= 100 for item in value):
            return None
        return frozenset(value)

    @field_validator("expires_in", mode="before")
    @classmethod
    def _not_a_boolean(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a number of seconds, not true or false")
        return value


class Problem(_Reply):
    """An RFC 9457 problem document (``application/problem+json``)."""

    type: str = "about:blank"
    title: str | None = None
    status: int | None = None
    detail: str | None = None
