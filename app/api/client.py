"""The async Management Tool client: one cluster, several endpoints, one session.

``ManagementClient`` speaks API contract v1 (``docs/management-api.md``) to the base
URLs of one cluster, in order, and moves to the next one when the endpoint in use
cannot be reached or its own Application Server is not serving; when all of them
fail, it tries the other servers' own endpoints named by the last snapshot. TLS errors are never
a reason to move on: they are reported. It logs in when needed, once per expired token
for all concurrent calls, and never repeats a login the server refused.

Every method raises only ``ConsoleError`` subclasses (see ``app.api.errors``) for
anything the network or the server does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Self
from urllib.parse import quote

import httpx

from app import __version__
from app.api.attempts import EndpointAttempt
from app.api.cluster_reader import ClusterReplyReader
from app.api.dispatch import BodyReply, Dispatcher
from app.api.errors import ConsoleError, ProtocolError
from app.api.exchange import Exchanger
from app.api.logstream import LogStream
from app.api.models import ClusterReply, ClusterSnapshot, HealthReport, Server, VersionInfo
from app.api.replies import parse_model
from app.api.session import PasswordSource, Session
from app.api.settings import EndpointSettings

__all__ = ["DEFAULT_MAX_JSON_BYTES", "USER_AGENT", "ManagementClient", "PasswordSource"]

USER_AGENT = f"EkranClusterConsole/{__version__}"
DEFAULT_MAX_JSON_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_RETRY_WAIT = 5.0
CLUSTER_PATH = "/api/v1/cluster"
MANAGE_SERVERS = "servers.manage"
"""The permission that isolation needs (a token reply's ``permissions``)."""


class ManagementClient:
    """Client of one cluster's Management Tools.

    ``password`` is awaited each time a login is needed; the password is never stored
    on this object nor logged, and whatever the source raises propagates unchanged.
    ``transport`` replaces the network (tests); then TLS and proxy settings do not
    apply. JSON replies larger than ``max_json_bytes`` are refused. For idempotent GETs
    answered 429 or 503 with a ``Retry-After`` of at most ``max_retry_wait`` seconds,
    the client waits once and repeats the request.

    The HTTP connection pool is created on first use inside the running event loop and
    closed by ``aclose()`` (or ``async with``); a closed client cannot be used again.
    """

    def __init__(
        self,
        settings: EndpointSettings,
        password: PasswordSource,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_json_bytes: int = DEFAULT_MAX_JSON_BYTES,
        max_retry_wait: float = DEFAULT_MAX_RETRY_WAIT,
    ) -> None:
        if not settings.urls:
            raise ValueError("EndpointSettings.urls must name at least one Management Tool")
        self._settings = settings
        self._exchanger = Exchanger(settings, transport=transport, user_agent=USER_AGENT)
        self._session = Session(
            self._exchanger, settings.username, password, max_json_bytes=max_json_bytes
        )
        self._dispatcher = Dispatcher(
            settings,
            self._exchanger,
            self._session,
            max_json_bytes=max_json_bytes,
            max_retry_wait=max_retry_wait,
        )
        self._last_snapshot: ClusterSnapshot | None = None
        self._cluster_reader = ClusterReplyReader()

    # -- state -------------------------------------------------------------------------
    @property
    def settings(self) -> EndpointSettings:
        return self._settings

    @property
    def passed_over(self) -> tuple[tuple[str, ConsoleError], ...]:
        """Endpoints calls moved away from (base URL, the error there), oldest first."""
        return tuple(self._dispatcher.passed_over)

    @property
    def last_attempts(self) -> tuple[EndpointAttempt, ...]:
        """Every endpoint the last call tried, in order, each with its own result."""
        return self._dispatcher.last_attempts

    @property
    def active_url(self) -> str:
        """The base URL in use now; it changes when a call fails over to another endpoint."""
        return self._dispatcher.active_url

    @property
    def permissions(self) -> frozenset[str] | None:
        """What the account may do, as the last login's reply said (None: not said, or not
        logged in yet); see ``MANAGE_SERVERS``."""
        return self._session.permissions

    @property
    def logged_in(self) -> bool:
        """True while the client holds a token it believes valid."""
        return self._session.token is not None

    def __repr__(self) -> str:
        return (
            f"ManagementClient(active_url={self.active_url!r}, "
            f"username={self._settings.username!r}, logged_in={self.logged_in})"
        )

    async def aclose(self) -> None:
        """Close the connection pool and forget the token."""
        self._session.forget()
        await self._exchanger.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- public calls ------------------------------------------------------------------
    async def health(self, url: str | None = None) -> HealthReport:
        """The health report of the endpoint at ``url`` (default: ``active_url``).

        No authentication and no failover: the report is about that endpoint's own
        Application Server. A 5xx is a report with ``ok=False``; transport failures raise
        ``UnreachableError`` or ``TlsError``; a 4xx raises the matching error.
        """
        return await self._dispatcher.health(url or self.active_url)

    async def login(self) -> None:
        """Log in now, with failover; the explicit way to retry after a wrong password.

        Raises ``AuthenticationError(BAD_CREDENTIALS)`` for a wrong user name or password
        and ``RateLimitedError`` while the account is locked out (no request is sent
        again before its ``Retry-After`` has passed).
        """
        await self._dispatcher.login()

    async def cluster(self) -> ClusterSnapshot:
        """The cluster snapshot, polled with ETag.

        When the endpoint answers 304, the previous snapshot is returned with
        ``changed=False`` and the current ``received_at`` and ``source_url``.

        The reply (about 240 KB for 1,000 servers) is decoded and validated on a worker
        thread, so that the event loop (the window's thread) stays free meanwhile.
        """
        previous = self._last_snapshot
        headers = {"Accept": "application/json"}
        if previous is not None and previous.etag:
            headers["If-None-Match"] = previous.etag
        reply = await self._dispatcher.call_body("GET", CLUSTER_PATH, headers=headers)
        base, now = reply.base, datetime.now(UTC)
        if reply.status == 304:
            if previous is None:
                raise ProtocolError(
                    "The Management Tool answered 'not modified' to a first request.",
                    status=304,
                    url=base,
                )
            snapshot = previous.model_copy(
                update={"changed": False, "received_at": now, "source_url": base}
            )
        else:
            body = await asyncio.to_thread(self._read_cluster, reply)
            snapshot = ClusterSnapshot(
                cluster=body.cluster,
                servers=body.servers,
                etag=reply.etag,
                received_at=now,
                source_url=base,
            )
        self._last_snapshot = snapshot
        self._dispatcher.set_cluster_urls(
            [server.management_url for server in snapshot.servers if server.management_url]
        )
        return snapshot

    def _read_cluster(self, reply: BodyReply) -> ClusterReply:
        """Decode and validate a cluster reply (on a worker thread; the reader is
        thread-safe)."""
        decoded = reply.decode()
        return self._cluster_reader.read(decoded.data, status=decoded.status, url=decoded.base)

    async def set_isolation(
        self,
        server_id: str,
        *,
        isolated: bool,
        reason: str | None = None,
        force: bool = False,
    ) -> Server:
        """Isolate a server or return it to service; returns the server after the change.

        Idempotent. ``ConflictError`` (with the server's explanation) when the server is
        offline/stopping or would be the last one serving without ``force``;
        ``AuthenticationError(FORBIDDEN)`` for an account without the permission;
        ``NotFoundError`` for an unknown id.
        """
        body = {"isolated": isolated, "reason": reason, "force": force}
        path = f"{_server_path(server_id)}/isolation"
        reply = await self._dispatcher.call_json(
            "POST", path, headers={"Accept": "application/json"}, json_body=body
        )
        return parse_model(Server, reply.data, status=reply.status, url=reply.base + path)

    async def version(self, server_id: str) -> VersionInfo:
        """The version the server reports live; ``ServerUnavailableError`` when it is not
        running, ``NotFoundError`` for an unknown id."""
        path = f"{_server_path(server_id)}/version"
        reply = await self._dispatcher.call_json(
            "GET", path, headers={"Accept": "application/json"}
        )
        return parse_model(VersionInfo, reply.data, status=reply.status, url=reply.base + path)

    @asynccontextmanager
    async def stream_logs(
        self, server_id: str, *, offset: int = 0, if_range: str | None = None
    ) -> AsyncIterator[LogStream]:
        """Open the server's log archive, from ``offset`` when resuming.

        With ``offset`` > 0 the request carries ``Range: bytes=offset-`` and, if given,
        ``If-Range: if_range``; a 200 reply (``LogStream.offset`` 0) means the archive
        changed and starts over. ``RangeNotSatisfiableError`` (with ``total_size``) when
        ``offset`` is at or past the end; ``ConflictError`` when the server is not running.
        The archive is received on a worker thread and arrives in chunks of about 1 MiB.
        """
        if offset < 0:
            raise ValueError("offset must be >= 0")
        headers = {"Accept": "application/zip", "Accept-Encoding": "identity"}
        if offset > 0:
            headers["Range"] = f"bytes={offset}-"
            if if_range:
                headers["If-Range"] = if_range
        path = f"{_server_path(server_id)}/logs"
        base, response = await self._dispatcher.call("GET", path, headers=headers, bulk=True)
        try:
            yield LogStream(response, requested_offset=offset, url=base + path)
        finally:
            await response.aclose()


def _server_path(server_id: str) -> str:
    if not server_id or server_id in (".", ".."):
        raise ValueError(f"{server_id!r} is not a server id")
    return f"{CLUSTER_PATH}/servers/{quote(server_id, safe='')}"
