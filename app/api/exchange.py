"""Single HTTP exchanges with Management Tools: the connection pool, redirects, errors.

Redirects are followed only within the same origin (scheme, host and port), at most
``MAX_REDIRECTS`` times, and only where the method may be repeated; a redirect to
another origin is refused before anything is sent there, so credentials never follow
a ``Location`` header.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from app.api.errors import ConsoleError, ProtocolError, TlsError, TlsErrorKind
from app.api.proxy import client_arguments
from app.api.settings import EndpointSettings
from app.api.tls import build_ssl_context, fetch_certificate
from app.api.transport_errors import transport_error
from app.api.urls import origin

# Idle connections stay open longer than the slowest regular request (health probes at
# most 60 s apart), one per server of a cluster of up to 63 servers, so polling and
# probing reuse them instead of paying a TLS handshake each time.
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=64, keepalive_expiry=75.0)
# Bulk replies (log archives): a few at a time; a connection kept briefly for the next one.
BULK_POOL_LIMITS = httpx.Limits(
    max_connections=16, max_keepalive_connections=4, keepalive_expiry=30.0
)
log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
_REPEATABLE = frozenset({"GET", "HEAD"})


class Exchanger:
    """Owns the ``httpx.AsyncClient``s of one ``ManagementClient``.

    The pools are created lazily inside the running event loop (HTTP/1.1 keep-alive,
    the settings' timeouts, TLS trust and proxy): one for API calls, and one for bulk
    replies (log archives) whose network work runs on worker threads
    (``WorkerThreadTransport``). ``transport`` replaces the network for both.
    """

    def __init__(
        self,
        settings: EndpointSettings,
        *,
        transport: httpx.AsyncBaseTransport | None,
        user_agent: str,
    ) -> None:
        self._settings = settings
        self._transport = transport
        self._user_agent = user_agent
        self._clients: dict[bool, httpx.AsyncClient] = {}  # keyed by "bulk"
        self._closed = False

    async def aclose(self) -> None:
        self._closed = True
        clients = list(self._clients.values())
        self._clients.clear()
        for client in clients:
            await client.aclose()

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        bulk: bool = False,
    ) -> httpx.Response:
        """Send a request and return the open (streaming) reply; the caller closes it.

        ``bulk`` replies are read on a worker thread and arrive in large chunks. Raises
        ``UnreachableError``, ``TlsError`` or ``ProtocolError`` (bad HTTP, refused
        redirect); an HTTP error status is returned, not raised.
        """
        client = self._http(bulk)
        target = url
        for _ in range(MAX_REDIRECTS + 1):
            request = client.build_request(method, target, headers=headers, json=json_body)
            try:
                response = await client.send(request, stream=True)
            except httpx.TransportError as exc:
                raise await self._translated(exc, target) from None
            log.debug("%s %s -> %d", method, urlsplit(target).path, response.status_code)
            if not response.has_redirect_location:
                return response
            await response.aclose()
            target = self._redirect_target(method, target, response)
        raise ProtocolError(
            f"The Management Tool redirected more than {MAX_REDIRECTS} times.", url=url
        )

    @asynccontextmanager
    async def open(
        self, method: str, url: str, *, headers: dict[str, str] | None = None
    ) -> AsyncIterator[httpx.Response]:
        """``send`` as a context manager that closes the reply."""
        response = await self.send(method, url, headers=headers)
        try:
            yield response
        finally:
            await response.aclose()

    def _redirect_target(self, method: str, current: str, response: httpx.Response) -> str:
        location = urljoin(current, response.headers["location"])
        if origin(location) != origin(current):
            raise ProtocolError(
                f"{urlsplit(current).netloc} redirected the request to "
                f"{urlsplit(location).netloc or location}; redirects to another server are "
                "not followed.",
                status=response.status_code,
                detail=f"refused redirect to {location[:200]}",
                url=current,
            )
        if method not in _REPEATABLE and response.status_code not in (307, 308):
            raise ProtocolError(
                f"The Management Tool answered HTTP {response.status_code} (a redirect) to a "
                f"{method} request.",
                status=response.status_code,
                url=current,
            )
        return location

    def _http(self, bulk: bool = False) -> httpx.AsyncClient:
        if self._closed:
            raise RuntimeError("this ManagementClient is closed")
        client = self._clients.get(bulk)
        if client is None:
            asyncio.get_running_loop()  # the pool belongs to the loop that uses it
            settings = self._settings
            timeout = httpx.Timeout(
                connect=settings.connect_timeout,
                read=settings.read_timeout,
                write=settings.read_timeout,
                pool=settings.connect_timeout,
            )
            common: dict[str, Any] = {
                "timeout": timeout,
                "headers": {"User-Agent": self._user_agent},
                "follow_redirects": False,
            }
            if self._transport is not None:
                client = httpx.AsyncClient(transport=self._transport, trust_env=False, **common)
            else:
                context = build_ssl_context(settings.trust)
                hosts = [urlsplit(u).hostname or "" for u in settings.urls]
                limits = BULK_POOL_LIMITS if bulk else POOL_LIMITS
                arguments = client_arguments(
                    settings.proxy, context, hosts, limits=limits, worker_thread=bulk
                )
                client = httpx.AsyncClient(**arguments, **common)
            self._clients[bulk] = client
        return client

    async def _translated(self, exc: httpx.TransportError, url: str) -> ConsoleError:
        error = transport_error(exc, url)
        if (
            isinstance(error, TlsError)
            and error.certificate is None
            and error.kind is not TlsErrorKind.CONFIGURATION
            and self._transport is None
        ):
            try:
                error.certificate = await fetch_certificate(
                    url, proxy=self._settings.proxy, timeout=self._settings.connect_timeout
                )
            except ConsoleError as fetch_error:
                log.debug("Could not fetch the rejected certificate: %s", fetch_error.detail)
        return error
