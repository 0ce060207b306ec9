"""HealthFetcher: healthcheck GETs on a few worker threads, over httpcore's connections.

Why not ``httpx.AsyncClient``: a healthcheck is one small GET, so its cost is the
per-request work, and on asyncio that is httpx's client (request models, URL merging,
cookies, hooks, redirects), httpcore and h11, *and* asyncio's pure-Python TLS layer on
every read and write. On blocking sockets TLS stays in C. Why not httpx's blocking
``HTTPTransport`` either: it turns every request into an httpcore request and every
reply back into an httpx response (headers checked and copied both ways, the stream
wrapped twice), about a fifth of a healthcheck's CPU. So each URL's GET is built once
with httpx (its URL rules and ``Host`` header) and sent, as an ``httpcore.Request``
made once, over httpcore's public ``HTTPConnection`` (the transport layer httpx itself
uses, shipped with it) every round: the same bytes on the wire
(``docs/decisions/0005-health-only-http-stack.md``).

Each URL keeps one connection alive between rounds (``_Route``; through httpcore's
``ConnectionPool`` when a proxy applies to the URL's host), sharing the SSL context of
its TLS trust. The requests run on a ``ThreadPoolExecutor``, so the
event loop (under qasync, the window's thread) never waits on the network:

- ``fetch_all`` (a round) starts ``lanes`` *lanes* (2 by default), each taking the next
  URL from the round's queue until it is empty, and the event loop hears once per lane,
  not once per request. Handing each request to a thread and back cost more than a
  quarter of the request itself (waking a worker, waking the loop, for every GET); a
  lane never sleeps between requests. Every ``grow_every`` seconds the loop looks at
  the queue: while URLs are still waiting (servers that answer slowly or hang until
  the timeout, a far network, a busy machine) it starts ``lanes`` more, up to
  ``workers`` lanes in the round, so a hung server holds only its own lane and the
  others keep the round going, while quick servers are served by the two lanes that
  cost the least CPU (every further thread adds waits for the interpreter lock and
  wake-ups: on an idle machine 8 lanes cost 15-20 % more per healthcheck than 2, for
  a round no shorter).
- ``fetch`` (one URL now) runs on one of two more threads, so it never waits for a round.

httpcore's errors become httpx's (the same names, as httpx's own transport maps them,
the original kept as the cause) and then the console's typed errors
(``transport_error``), so a failure reads exactly as it does for every other connection.

Time: every connect, read and write has ``timeout`` seconds, and the body is read only
until ``timeout`` after the request started, so a silent server holds a worker for about
one timeout. Each answer carries its own duration, measured on the worker: the caller
treats one that took longer than the timeout as timed out. ``aclose`` stops the lanes
and queued requests, waits for the requests running (each within those bounds), then
closes every connection: nothing is left running once it returns.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, cast

import httpcore
import httpx

from app.api.errors import ConsoleError
from app.api.transport_errors import transport_error
from app.api.urls import InvalidUrlError

SPARE_THREADS = 2
"""Threads beyond a round's lanes, for ``fetch`` (one URL now) while a round runs."""
BASE_LANES = 2
"""Lanes a round starts with, and how many more it starts at a time (``docs/performance.md``,
"Health-only: two lanes, a connection per URL, answers read once")."""
GROW_EVERY_S = 0.25
"""While URLs of a round are still waiting after this long, more lanes start."""


class Fetched(NamedTuple):
    """One healthcheck's HTTP answer: status, media type (lower case, no parameters), the
    first ``max_body`` bytes of the body, and ``seconds`` from sending the request to the
    end of the body (measured on the worker)."""

    status: int
    media: str
    body: bytes
    seconds: float


MAX_CONNECTIONS = 2
"""Connections to one URL at once (a round's request and a ``fetch`` of the same URL);
a further request waits for one, within its timeout."""

_Sender = httpcore.ConnectionPool | httpcore.HTTPConnection


class _Route:
    """One URL: its GET (built once by httpx, sent again every round: a GET has no body)
    and the connection it goes over.

    Without a proxy that is one ``httpcore.HTTPConnection`` kept alive between requests:
    ``take`` hands it to the request about to be sent (a new one when there is none, or
    when it expired or the server closed it meanwhile) and ``give_back`` keeps it for the
    next request if it is still usable, at most one kept and ``MAX_CONNECTIONS`` in use
    (a further request waits for one, as in httpcore's pool, within the ``pool``
    timeout). httpcore's ``ConnectionPool`` would do the same for one URL, but at about
    a fifth of a healthcheck's CPU: it scans its connections twice per request (each
    time polling their sockets) and wraps every reply in a stream of its own, headers
    checked again. Through a proxy the route uses that pool (the tunnel and the proxy's
    credentials are its work), ``take`` and ``give_back`` doing nothing more.

    ``take`` and ``give_back`` are called from the worker threads, ``close`` once no
    request runs (``HealthFetcher.aclose``).
    """

    def __init__(
        self,
        request: httpcore.Request,
        *,
        context: ssl.SSLContext,
        keepalive: float,
        pool: httpcore.ConnectionPool | None,
    ) -> None:
        self.request = request
        self._context = context
        self._keepalive = keepalive
        self._pool = pool
        self._kept: httpcore.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)

    def take(self, timeout: float) -> _Sender:
        """The connection to send the next request over; waits at most ``timeout``
        seconds for one when ``MAX_CONNECTIONS`` are in use (``httpcore.PoolTimeout``)."""
        if self._pool is not None:
            return self._pool
        if not self._slots.acquire(timeout=max(0.0, timeout)):
            raise httpcore.PoolTimeout("no connection to this URL became free in time")
        with self._lock:
            connection, self._kept = self._kept, None
        if connection is not None:
            if not connection.has_expired():  # expired, or closed by the server while idle
                return connection
            connection.close()
        return httpcore.HTTPConnection(
            origin=self.request.url.origin,
            ssl_context=self._context,
            keepalive_expiry=self._keepalive,
            http1=True,
            http2=False,
        )

    def give_back(self, sender: _Sender) -> None:
        """``sender`` after its reply was read (or its request failed): kept for the next
        request while it can take one, closed otherwise."""
        if isinstance(sender, httpcore.ConnectionPool):
            return
        try:
            usable = sender.is_idle() and not sender.is_closed()  # not failed, not cut off
            with self._lock:
                kept = usable and self._kept is None
                if kept:
                    self._kept = sender
            if not kept:
                sender.close()
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close the kept connection (or the proxy's pool)."""
        with self._lock:
            connection, self._kept = self._kept, None
        if connection is not None:
            connection.close()
        if self._pool is not None:
            self._pool.close()


class HealthFetcher:
    """GETs ``url + path`` for many URLs on at most ``workers`` threads (see the module
    docstring): a round starts ``lanes`` of them and ``lanes`` more every ``grow_every``
    seconds while URLs are waiting.

    ``context_for(url)`` gives the SSL context of a URL (it may raise a ``TlsError``);
    ``proxy_for(url)`` its proxy URL or None. ``headers`` are sent with every request
    besides ``Host``. Create it anywhere; the threads start with the first ``fetch``.
    """

    def __init__(
        self,
        *,
        path: str,
        headers: dict[str, str],
        timeout: float,
        workers: int,
        max_body: int,
        keepalive: float,
        context_for: Callable[[str], ssl.SSLContext],
        proxy_for: Callable[[str], str | None],
        lanes: int = BASE_LANES,
        grow_every: float = GROW_EVERY_S,
    ) -> None:
        if timeout <= 0 or workers < 1 or max_body < 1 or lanes < 1 or grow_every <= 0:
            raise ValueError("timeout, workers, max_body, lanes and grow_every must be positive")
        self._path = path
        self._headers = dict(headers)
        self._timeout = timeout
        self._workers = workers
        self._lanes = min(lanes, workers)
        self._grow_every = grow_every
        self._max_body = max_body
        self._keepalive = keepalive
        self._context_for = context_for
        self._proxy_for = proxy_for
        self._routes: dict[str, _Route] = {}  # touched on the event loop's thread only
        self._executor: ThreadPoolExecutor | None = None
        self._closing = threading.Event()  # seen by the lanes between requests
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    async def fetch(self, url: str) -> Fetched:
        """The answer of ``url``'s healthcheck; raises the typed ``ConsoleError`` when
        there is none (refused, timed out, name not found, TLS, not HTTP). Cancelling
        stops waiting at once; a request already sent ends on its worker within the
        timeouts."""
        route = self._route(url)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._threads(), _fetch, route, url, self._timeout, self._max_body
        )

    async def fetch_all(self, urls: Sequence[str]) -> list[Fetched | ConsoleError]:
        """Each URL's answer, or its typed error, in the order of ``urls``, fetched by
        ``lanes`` lanes, more while URLs wait, at most ``workers`` (see the module
        docstring). Cancelling stops the lanes after the requests they are sending."""
        outcomes: list[Fetched | ConsoleError | None] = [None] * len(urls)
        routes: list[_Route | None] = [None] * len(urls)
        for index, url in enumerate(urls):
            try:
                routes[index] = self._route(url)
            except ConsoleError as error:  # e.g. an unusable CA file: this URL only
                outcomes[index] = error
        queue = deque(index for index, route in enumerate(routes) if route is not None)
        stop = threading.Event()

        def lane() -> None:
            while not (stop.is_set() or self._closing.is_set()):
                try:
                    index = queue.popleft()  # atomic: lanes never take the same URL
                except IndexError:
                    return
                route = routes[index]
                assert route is not None
                try:
                    outcomes[index] = _fetch(route, urls[index], self._timeout, self._max_body)
                except ConsoleError as error:
                    outcomes[index] = error

        loop = asyncio.get_running_loop()
        threads = self._threads()
        started = 0

        def start_lanes(count: int) -> set[asyncio.Future[None]]:
            nonlocal started
            started += count
            return {loop.run_in_executor(threads, lane) for _ in range(count)}

        running = start_lanes(min(self._lanes, len(queue)))
        try:
            while running:
                done, running = await asyncio.wait(running, timeout=self._grow_every)
                for finished in done:
                    finished.result()  # a lane's own failure (a defect) is raised here
                # URLs still waiting: the lanes are too few for this round (slow or hung
                # servers, a busy machine). ``lanes`` more, up to ``workers`` in the round.
                room = min(self._lanes, self._workers - started, len(queue))
                if running and room > 0:
                    running |= start_lanes(room)
        finally:
            stop.set()  # cancelled or failed: the other lanes take no further URL
        if any(outcome is None for outcome in outcomes):  # closed while the round ran
            raise RuntimeError("this HealthFetcher was closed during the round")
        return outcomes  # type: ignore[return-value]

    async def aclose(self) -> None:
        """Stop queued requests, wait for running ones, close every connection."""
        self._closed = True
        self._closing.set()
        executor, self._executor = self._executor, None
        routes = list(self._routes.values())
        self._routes.clear()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

        def finish() -> None:
            if executor is not None:
                executor.shutdown(wait=True)
            for route in routes:
                route.close()

        if executor is not None or routes:
            await asyncio.to_thread(finish)

    def _threads(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                self._workers + SPARE_THREADS, thread_name_prefix="healthcheck"
            )
        return self._executor

    def _route(self, url: str) -> _Route:
        if self._closed:
            raise RuntimeError("this HealthFetcher is closed")
        route = self._routes.get(url)
        if route is None:
            route = self._routes[url] = self._new_route(url)
        return route

    def _new_route(self, url: str) -> _Route:
        context = self._context_for(url)  # TlsError(CONFIGURATION) when unusable
        proxy = self._proxy_for(url)  # InvalidUrlError for an unusable proxy URL
        pool = None
        if proxy is not None:
            pool = httpcore.ConnectionPool(
                ssl_context=context,
                proxy=_proxy(proxy),
                max_connections=MAX_CONNECTIONS,
                max_keepalive_connections=1,
                keepalive_expiry=self._keepalive,
                http1=True,
                http2=False,
            )
        # httpx builds the request (its URL rules, the Host header), once per URL.
        request = httpx.Request("GET", url + self._path, headers=self._headers)
        return _Route(
            _core_request(request, self._timeout),
            context=context,
            keepalive=self._keepalive,
            pool=pool,
        )


def _core_request(request: httpx.Request, timeout: float) -> httpcore.Request:
    """``request`` as httpcore takes it (as httpx's own transport converts it), every
    connect, read, write and wait for a connection bounded by ``timeout``."""
    return httpcore.Request(
        method=request.method,
        url=httpcore.URL(
            scheme=request.url.raw_scheme,
            host=request.url.raw_host,
            port=request.url.port,
            target=request.url.raw_path,
        ),
        headers=request.headers.raw,
        extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), timeout)},
    )


def _proxy(proxy_url: str) -> httpcore.Proxy:
    """httpcore's proxy for ``proxy_url``, its credentials (if the URL has any) sent as
    httpx sends them; raises ``InvalidUrlError`` for a URL httpx would refuse."""
    try:
        parsed = httpx.Proxy(proxy_url)
    except ValueError as exc:
        raise InvalidUrlError(f"The proxy URL is not usable: {exc}") from None
    return httpcore.Proxy(
        url=httpcore.URL(
            scheme=parsed.url.raw_scheme,
            host=parsed.url.raw_host,
            port=parsed.url.port,
            target=parsed.url.raw_path,
        ),
        auth=parsed.raw_auth,
        headers=parsed.headers.raw,
        ssl_context=parsed.ssl_context,
    )


def _fetch(route: _Route, url: str, timeout: float, max_body: int) -> Fetched:
    """On a worker thread: one GET, its body read up to ``max_body`` bytes and until
    ``timeout`` after the start, its connection given back to the route; sent once more
    on a new connection when the server closed the connection before any answer
    (``_send``)."""
    started = time.perf_counter()
    deadline = started + timeout
    try:
        response, sender = _send(route, deadline)
        try:
            body = bytearray()
            for chunk in cast(Iterable[bytes], response.stream):  # a sync connection's stream
                body += chunk[: max_body - len(body)]
                if len(body) >= max_body:
                    break
                if time.perf_counter() > deadline:
                    raise httpcore.ReadTimeout("the body did not end within the timeout")
        finally:
            try:
                response.close()
            finally:
                route.give_back(sender)
    except _CORE_ERRORS as exc:
        raise transport_error(_as_httpx(exc), url) from None
    seconds = time.perf_counter() - started
    return Fetched(response.status, _media_type(response.headers), bytes(body), seconds)


_CLOSED_BEFORE_ANSWER = (httpcore.RemoteProtocolError, httpcore.ReadError, httpcore.WriteError)

_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}
"""httpcore's exceptions and httpx's of the same name (httpx's transport maps them so)."""
_CORE_ERRORS = tuple(_HTTPX_ERRORS)


def _as_httpx(exc: Exception) -> httpx.TransportError:
    """httpx's exception for httpcore's ``exc``, with ``exc`` (and so the socket's or
    TLS's own error behind it) as its cause, as httpx's transport raises it."""
    kind = next(httpx_kind for core, httpx_kind in _HTTPX_ERRORS.items() if isinstance(exc, core))
    mapped = kind(str(exc))
    mapped.__cause__ = exc
    return mapped


def _media_type(headers: list[tuple[bytes, bytes]]) -> str:
    """The lower-cased media type of the reply without parameters ('' if absent), as
    ``app.api.replies.media_type`` reads it."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def _send(route: _Route, deadline: float) -> tuple[httpcore.Response, _Sender]:
    """Send the route's GET; when the server closed the connection before answering
    anything (a kept-alive connection it had just closed: end of stream, reset or broken
    pipe), send it once more, on a new connection, with the time left until
    ``deadline``. A GET is idempotent, so the retry is safe, as urllib3 and browsers
    do it; a refusal, a TLS failure or a timeout is never retried (each would only
    cost the same again). Returns the reply and the connection it came over, to be
    given back to the route once the reply is read."""
    sender = route.take(deadline - time.perf_counter())
    try:
        return sender.handle_request(route.request), sender
    except _CLOSED_BEFORE_ANSWER as exc:
        route.give_back(sender)  # closed by the failure: not kept
        left = deadline - time.perf_counter()
        if left <= 0 or (
            isinstance(exc, httpcore.RemoteProtocolError) and "disconnected" not in str(exc)
        ):
            raise  # out of time, or an answer that is not HTTP: not a closed connection
    except BaseException:
        route.give_back(sender)
        raise
    again = httpcore.Request(
        method=route.request.method,
        url=route.request.url,
        headers=route.request.headers,
        extensions={"timeout": dict.fromkeys(("connect", "read", "write", "pool"), left)},
    )
    sender = route.take(left)
    try:
        return sender.handle_request(again), sender
    except BaseException:
        route.give_back(sender)
        raise
