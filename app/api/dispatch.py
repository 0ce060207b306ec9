"""Authenticated API calls across one cluster's Management Tools, with failover.

A call starts on the endpoint in use and moves to the next base URL (wrapping, each at
most once per call) when the endpoint cannot be reached or its own Application Server
is not serving. Under ``FailoverRule.ENDPOINT_DOWN`` (the monitor's rule) the health
check tells a stopped endpoint from a 5xx about the request itself; under
``FailoverRule.ANY_FAILURE`` (one-shot commands) any 5xx, a JSON reply that stops
coming and a refused redirect move on too. TLS errors are raised, never failed over.
On 401 the call logs in again once; for GETs a short ``Retry-After`` is waited out once
when there is no other endpoint to try. ``passed_over`` lists the endpoints calls
moved away from, with the reason, so that a command can say which URL answered; it
keeps the newest ``PASSED_OVER_KEPT`` (a window's client lives for weeks; each error's
traceback keeps the frames of its call alive), each stored without its traceback.

When every configured URL fails, a call goes on to the cluster's other endpoints
(``set_cluster_urls``: the servers' own ``management_url`` from the last snapshot, https
only, under the same TLS trust), after them. ``last_attempts`` reports every endpoint
the last call tried, each with its own result.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from app.api.attempts import EndpointAttempt
from app.api.errors import (
    ConsoleError,
    ProtocolError,
    RangeNotSatisfiableError,
    RateLimitedError,
    ServerUnavailableError,
    UnreachableError,
)
from app.api.exchange import Exchanger
from app.api.health import health_report
from app.api.logstream import unsatisfied_range_total
from app.api.models import HealthReport
from app.api.replies import (
    decode_json,
    media_type,
    parse_problem,
    read_bounded,
    retry_after,
)
from app.api.session import Session
from app.api.settings import EndpointSettings, FailoverRule
from app.api.status_errors import error_for_status
from app.api.text import body_excerpt
from app.api.urls import InvalidUrlError, normalize_base_url

log = logging.getLogger(__name__)

PASSED_OVER_KEPT = 16

HEALTH_PATH = "/healthcheck?debug=True"
T = TypeVar("T")


@dataclass(frozen=True)
class JsonReply:
    """A successful JSON call: the endpoint that answered, status, ETag and decoded body.

    ``data`` is None for 304 Not Modified.
    """

    base: str
    status: int
    etag: str | None
    data: Any


@dataclass(frozen=True)
class BodyReply:
    """A successful JSON call whose body is not decoded yet (``JsonReply.decode`` does it).

    ``body`` is empty for 304 Not Modified; ``url`` is the address that answered.
    """

    base: str
    status: int
    etag: str | None
    body: bytes
    media: str
    url: str

    def decode(self) -> JsonReply:
        """The ``JsonReply`` of this reply (``ProtocolError`` for a body that is not JSON).

        Pure computation on the bytes: it may run on any thread.
        """
        if self.status == 304:
            return JsonReply(self.base, 304, self.etag, None)
        data = decode_json(self.body, status=self.status, media=self.media, url=self.url)
        return JsonReply(self.base, self.status, self.etag, data)


class _EndpointNotServing(Exception):
    """The endpoint's own Application Server is not serving; try the next one."""

    def __init__(self, error: ServerUnavailableError) -> None:
        super().__init__(error.message)
        self.error = error


class Dispatcher:
    """Runs API calls for one ``ManagementClient``; tracks the endpoint in use."""

    def __init__(
        self,
        settings: EndpointSettings,
        exchanger: Exchanger,
        session: Session,
        *,
        max_json_bytes: int,
        max_retry_wait: float,
    ) -> None:
        self._configured = settings.urls
        self._urls: tuple[str, ...] = settings.urls
        self._rule = settings.failover
        self.passed_over: deque[tuple[str, ConsoleError]] = deque(maxlen=PASSED_OVER_KEPT)
        self.last_attempts: tuple[EndpointAttempt, ...] = ()
        self._exchanger = exchanger
        self._session = session
        self._max_json_bytes = max_json_bytes
        self._max_retry_wait = max_retry_wait
        self._active_index = 0

    @property
    def active_url(self) -> str:
        return self._urls[self._active_index]

    def set_cluster_urls(self, urls: list[str]) -> None:
        """The cluster's other endpoints, tried after the configured URLs (https only;
        duplicates and configured URLs are left out). The endpoint in use stays in use
        while it is listed."""
        extra: list[str] = []
        for url in urls:
            try:
                base = normalize_base_url(url)
            except InvalidUrlError:
                continue
            if base.startswith("https://") and base not in self._configured and base not in extra:
                extra.append(base)
        active = self.active_url
        self._urls = self._configured + tuple(extra)
        self._active_index = self._urls.index(active) if active in self._urls else 0

    async def health(self, base: str) -> HealthReport:
        """The health report of one endpoint; 2xx and 5xx are reports, 4xx raise."""
        async with self._exchanger.open("GET", base + HEALTH_PATH) as response:
            body = await read_bounded(response, self._max_json_bytes, base)
        if response.status_code < 300 or response.status_code >= 500:
            return health_report(base, response.status_code, media_type(response), body)
        raise self._status_error(response, body, base)

    async def login(self) -> None:
        """An explicit login, with failover."""
        await self._with_failover(lambda base: self._on_endpoint(base, self._session.login(base)))

    async def call(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        json_body: dict[str, Any] | None = None,
        bulk: bool = False,
    ) -> tuple[str, httpx.Response]:
        """The answering base URL and its open reply (status < 400); the caller closes it.

        A ``bulk`` reply's body is read off the event loop (see ``Exchanger.send``).
        """
        return await self._with_failover(
            lambda base: self._call_at(
                base, method, path, headers=headers, json_body=json_body, bulk=bulk
            )
        )

    async def call_json(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        json_body: dict[str, Any] | None = None,
    ) -> JsonReply:
        """A call whose success is 200 with a JSON body (or 304 with none).

        The body is read within the attempt, so a reply that stops coming moves on to
        the next endpoint under ``FailoverRule.ANY_FAILURE``.
        """
        reply = await self.call_body(method, path, headers=headers, json_body=json_body)
        return reply.decode()

    async def call_body(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        json_body: dict[str, Any] | None = None,
    ) -> BodyReply:
        """``call_json`` without decoding the body, for a caller that decodes it elsewhere
        (a large reply, off the event loop)."""
        _base, (base, response, body) = await self._with_failover(
            lambda base: self._read_at(base, method, path, headers=headers, json_body=json_body)
        )
        etag = response.headers.get("etag")
        if response.status_code == 304:
            return BodyReply(base, 304, etag, b"", "", base + path)
        if response.status_code != 200:
            raise ProtocolError(
                f"The Management Tool answered HTTP {response.status_code} instead of 200.",
                status=response.status_code,
                excerpt=body_excerpt(body),
                url=base + path,
            )
        return BodyReply(base, 200, etag, body, media_type(response), base + path)

    async def _read_at(
        self,
        base: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        json_body: dict[str, Any] | None,
    ) -> tuple[str, httpx.Response, bytes]:
        """One attempt of ``call_json``: the reply and its whole (bounded) body."""
        response = await self._call_at(base, method, path, headers=headers, json_body=json_body)
        try:
            # A 304's (empty) body is read too, so that the connection goes back to the pool.
            body = await read_bounded(response, self._max_json_bytes, base + path)
        finally:
            await response.aclose()
        return base, response, body

    def _moves_on(self, error: ConsoleError) -> bool:
        """Whether ``error`` (not an unreachable endpoint) moves a call to the next URL."""
        if self._rule is not FailoverRule.ANY_FAILURE or len(self._urls) < 2:
            return False
        if isinstance(error, ServerUnavailableError):
            return True
        # A refused redirect (to another origin, or of a request that may not repeat).
        return isinstance(error, ProtocolError) and 300 <= (error.status or 0) < 400

    async def _with_failover(self, attempt: Callable[[str], Awaitable[T]]) -> tuple[str, T]:
        last: ConsoleError | None = None
        urls = self._urls  # a snapshot arriving meanwhile does not change this call's list
        start = self._active_index
        tried: list[EndpointAttempt] = []
        try:
            for step in range(len(urls)):
                index = (start + step) % len(urls)
                base = urls[index]
                from_cluster = base not in self._configured
                try:
                    result = await attempt(base)
                except UnreachableError as exc:
                    last = exc
                except _EndpointNotServing as exc:
                    last = exc.error
                except (ServerUnavailableError, ProtocolError) as exc:
                    if not self._moves_on(exc):
                        tried.append(EndpointAttempt(base, False, exc.message, from_cluster))
                        raise
                    last = exc
                except ConsoleError as exc:
                    tried.append(EndpointAttempt(base, False, exc.message, from_cluster))
                    raise
                else:
                    tried.append(EndpointAttempt(base, True, "answered", from_cluster))
                    if base != self.active_url:
                        log.info("Now using the Management Tool at %s", base)
                        self._active_index = self._urls.index(base) if base in self._urls else 0
                    return base, result
                tried.append(EndpointAttempt(base, False, last.message, from_cluster))
                if len(urls) > 1:
                    log.warning("%s: %s; trying the next Management Tool", base, last.message)
                    self.passed_over.append((base, last.with_traceback(None)))
        finally:
            self.last_attempts = tuple(tried)
        assert last is not None
        raise last

    async def _call_at(
        self,
        base: str,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        json_body: dict[str, Any] | None,
        bulk: bool = False,
    ) -> httpx.Response:
        url = base + path
        renewed = waited = False
        while True:
            token = await self._on_endpoint(base, self._session.token_for(base))
            auth = {"Authorization": f"Bearer {token.get_secret_value()}"}
            response = await self._exchanger.send(
                method, url, headers=headers | auth, json_body=json_body, bulk=bulk
            )
            if response.status_code < 400:
                return response
            if response.status_code == 401 and not renewed:
                await response.aclose()
                log.info("The session token was not accepted; logging in again")
                self._session.discard(token)
                renewed = True
                continue
            try:
                body = await read_bounded(response, self._max_json_bytes, url)
            finally:
                await response.aclose()
            error = self._status_error(response, body, url)
            if isinstance(error, ServerUnavailableError) and (
                self._moves_on(error) or not await self._serving(base)
            ):
                raise _EndpointNotServing(error)
            delay = self._short_retry_delay(error)
            if method == "GET" and not waited and delay is not None:
                waited = True
                log.info("%s asked to retry in %.1f s; waiting once", url, delay)
                await asyncio.sleep(delay)
                continue
            raise error

    async def _on_endpoint(self, base: str, call: Awaitable[T]) -> T:
        """Await ``call``; a 5xx from an endpoint that is not serving means "move on"."""
        try:
            return await call
        except ServerUnavailableError as error:
            if self._moves_on(error) or not await self._serving(base):
                raise _EndpointNotServing(error) from None
            raise

    async def _serving(self, base: str) -> bool:
        try:
            return (await self.health(base)).ok
        except ConsoleError:
            return False

    def _short_retry_delay(self, error: ConsoleError) -> float | None:
        """The ``Retry-After`` of a 429/5xx when it is short enough to wait for, else None."""
        if not isinstance(error, RateLimitedError | ServerUnavailableError):
            return None
        delay = error.retry_after
        return delay if delay is not None and delay <= self._max_retry_wait else None

    @staticmethod
    def _status_error(response: httpx.Response, body: bytes, url: str) -> ConsoleError:
        if response.status_code == 416:
            return RangeNotSatisfiableError(
                "The download cannot resume there: the archive is not that long.",
                total_size=unsatisfied_range_total(response),
                url=url,
            )
        return error_for_status(
            response.status_code,
            url=url,
            problem=parse_problem(body, media_type(response)),
            excerpt=body_excerpt(body),
            retry_after=retry_after(response),
        )
