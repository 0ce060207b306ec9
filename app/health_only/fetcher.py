"""HealthFetcher: healthcheck GETs on a few worker threads, through httpx's blocking transport.

Why not ``httpx.AsyncClient``: a healthcheck is one small GET, so its cost is the
per-request work, and on asyncio that is httpx's client (request models, URL merging,
cookies, hooks, redirects), httpcore and h11, *and* asyncio's pure-Python TLS layer on
every read and write. On blocking sockets TLS stays in C, and sending a request built
once per URL straight to httpx's own ``HTTPTransport`` skips the client's per-request
work: the same GET costs about 60 % of the CPU on a quiet machine (0.97 against 1.63 ms;
``docs/performance.md``, "Health-only connections").

Each URL has a transport of its own (``httpx.HTTPTransport``, through its proxy when one
applies to the URL's host) keeping one connection alive between rounds, sharing the SSL
context of its TLS trust. The requests run on a ``ThreadPoolExecutor``, so the
event loop (under qasync, the window's thread) never waits on the network:

- ``fetch_all`` (a round) starts ``lanes`` *lanes* (8 by default), each taking the next
  URL from the round's queue until it is empty, and the event loop hears once per lane,
  not once per request. Handing each request to a thread and back cost more than a
  quarter of the request itself (waking a worker, waking the loop, for every GET); a
  lane never sleeps between requests. Every ``slow_after`` seconds the loop looks at
  the lanes: each one held by a request running longer than that (a server that hangs
  until the timeout) is matched by a new lane, up to ``workers`` lanes in the round, so
  a hung server holds only its own lane and the others keep the round going, while
  answering servers are served by the few lanes that cost the least CPU.
- ``fetch`` (one URL now) runs on one of two more threads, so it never waits for a round.

httpx's errors become the console's typed errors (``transport_error``), so a failure
reads exactly as it does for every other connection.

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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import httpx

from app.api.errors import ConsoleError
from app.api.replies import media_type
from app.api.transport_errors import transport_error

SPARE_THREADS = 2
"""Threads beyond a round's lanes, for ``fetch`` (one URL now) while a round runs."""
BASE_LANES = 8
"""Lanes a round starts with (``docs/performance.md``, lane sweeps on a loaded machine:
8 cost as little CPU per healthcheck as 16 or less, 1 to 4 lanes 5-50 % more; fewer
threads have fewer hand-offs of the interpreter lock)."""
SLOW_AFTER_S = 1.0
"""A lane whose request has run this long is replaced by a new one, up to ``workers``."""


class Fetched(NamedTuple):
    """One healthcheck's HTTP answer: status, media type (lower case, no parameters), the
    first ``max_body`` bytes of the body, and ``seconds`` from sending the request to the
    end of the body (measured on the worker)."""

    status: int
    media: str
    body: bytes
    seconds: float


class _Route(NamedTuple):
    transport: httpx.HTTPTransport
    request: httpx.Request  # built once, sent again every round (a GET has no body)


class HealthFetcher:
    """GETs ``url + path`` for many URLs on at most ``workers`` threads (see the module
    docstring): a round starts ``lanes`` of them and adds one for each request running
    longer than ``slow_after`` seconds.

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
        slow_after: float = SLOW_AFTER_S,
    ) -> None:
        if timeout <= 0 or workers < 1 or max_body < 1 or lanes < 1 or slow_after <= 0:
            raise ValueError("timeout, workers, max_body, lanes and slow_after must be positive")
        self._path = path
        self._headers = dict(headers)
        self._timeout = timeout
        self._workers = workers
        self._lanes = min(lanes, workers)
        self._slow_after = slow_after
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
        ``lanes`` lanes, more while requests are slow, at most ``workers`` (see the module
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
        busy_since: list[float] = []  # per lane: when its request started; 0.0 between requests

        def lane(slot: int) -> None:
            while not (stop.is_set() or self._closing.is_set()):
                try:
                    index = queue.popleft()  # atomic: lanes never take the same URL
                except IndexError:
                    return
                route = routes[index]
                assert route is not None
                busy_since[slot] = time.perf_counter()
                try:
                    outcomes[index] = _fetch(route, urls[index], self._timeout, self._max_body)
                except ConsoleError as error:
                    outcomes[index] = error
                finally:
                    busy_since[slot] = 0.0

        loop = asyncio.get_running_loop()
        threads = self._threads()

        def start_lanes(count: int) -> set[asyncio.Future[None]]:
            slots = range(len(busy_since), len(busy_since) + count)
            busy_since.extend([0.0] * count)
            return {loop.run_in_executor(threads, lane, slot) for slot in slots}

        running = start_lanes(min(self._lanes, len(queue)))
        try:
            while running:
                done, running = await asyncio.wait(running, timeout=self._slow_after)
                for finished in done:
                    finished.result()  # a lane's own failure (a defect) is raised here
                # Lanes held by slow requests are replaced, up to ``workers`` in the round.
                now = time.perf_counter()
                slow = sum(1 for since in busy_since if since and now - since > self._slow_after)
                wanted = self._lanes - (len(running) - slow)
                room = min(self._workers - len(busy_since), len(queue))
                if running and wanted > 0 and room > 0:
                    running |= start_lanes(min(wanted, room))
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
        transports = [route.transport for route in self._routes.values()]
        self._routes.clear()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

        def finish() -> None:
            if executor is not None:
                executor.shutdown(wait=True)
            for transport in transports:
                transport.close()

        if executor is not None or transports:
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
        limits = httpx.Limits(
            max_connections=2, max_keepalive_connections=1, keepalive_expiry=self._keepalive
        )
        transport = httpx.HTTPTransport(
            verify=context, limits=limits, http1=True, http2=False, proxy=proxy
        )
        timeouts = dict.fromkeys(("connect", "read", "write", "pool"), self._timeout)
        request = httpx.Request(
            "GET", url + self._path, headers=self._headers, extensions={"timeout": timeouts}
        )
        return _Route(transport, request)


def _fetch(route: _Route, url: str, timeout: float, max_body: int) -> Fetched:
    """On a worker thread: one GET, its body read up to ``max_body`` bytes and until
    ``timeout`` after the start; sent once more on a new connection when the server
    closed the connection before any answer (``_send``)."""
    started = time.perf_counter()
    deadline = started + timeout
    try:
        response = _send(route, deadline)
        try:
            body = bytearray()
            for chunk in response.iter_raw():
                body += chunk[: max_body - len(body)]
                if len(body) >= max_body:
                    break
                if time.perf_counter() > deadline:
                    raise httpx.ReadTimeout("the body did not end within the timeout")
        finally:
            response.close()
    except httpx.TransportError as exc:
        raise transport_error(exc, url) from None
    seconds = time.perf_counter() - started
    return Fetched(response.status_code, media_type(response), bytes(body), seconds)


_CLOSED_BEFORE_ANSWER = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


def _send(route: _Route, deadline: float) -> httpx.Response:
    """Send the route's GET; when the server closed the connection before answering
    anything (a kept-alive connection it had just closed: end of stream, reset or broken
    pipe), send it once more, on a new connection, with the time left until
    ``deadline``. A GET is idempotent, so the retry is safe, as urllib3 and browsers
    do it; a refusal, a TLS failure or a timeout is never retried (each would only
    cost the same again)."""
    try:
        return route.transport.handle_request(route.request)
    except _CLOSED_BEFORE_ANSWER as exc:
        left = deadline - time.perf_counter()
        if left <= 0 or (
            isinstance(exc, httpx.RemoteProtocolError) and "disconnected" not in str(exc)
        ):
            raise  # out of time, or an answer that is not HTTP: not a closed connection
    timeouts = dict.fromkeys(("connect", "read", "write", "pool"), left)
    again = httpx.Request(
        "GET", route.request.url, headers=route.request.headers, extensions={"timeout": timeouts}
    )
    return route.transport.handle_request(again)
