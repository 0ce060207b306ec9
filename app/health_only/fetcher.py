"""HealthFetcher: healthcheck GETs on a few worker threads, through httpcore's blocking API.

Why not ``httpx.AsyncClient``: a healthcheck is one small GET, so its cost is the
per-request work, and on asyncio that is httpx's client (request and response models,
URL merging, cookies, hooks), httpcore and h11, *and* asyncio's pure-Python TLS layer on
every read and write. On blocking sockets TLS stays in C, and going to httpcore directly
with a request built once per URL skips httpx's per-request models: the same GET costs
about half the CPU (``docs/performance.md``, "Health-only connections").

Each URL has a pool of its own (``httpcore.ConnectionPool``, or ``httpcore.HTTPProxy``
when a proxy applies to its host) keeping one connection alive between rounds, sharing
the SSL context of its TLS trust. The requests run on a ``ThreadPoolExecutor``, so the
event loop (under qasync, the window's thread) never waits on the network:

- ``fetch_all`` (a round) starts ``workers`` *lanes*, each taking the next URL from the
  round's queue until it is empty, and the event loop hears once per lane, not once per
  request. Handing each request to a thread and back cost more than a quarter of the
  request itself (waking a worker, waking the loop, for every GET); a lane never sleeps
  between requests.
- ``fetch`` (one URL now) runs on one of two more threads, so it never waits for a round.

httpcore's errors become httpx's same-named ones and then the console's typed errors
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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import httpcore
import httpx

from app.api.errors import ConsoleError
from app.api.transport_errors import transport_error

HTTP_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
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
"""httpcore's transport errors and httpx's of the same meaning (as httpx maps them)."""


SPARE_THREADS = 2
"""Threads beyond a round's lanes, for ``fetch`` (one URL now) while a round runs."""


class Fetched(NamedTuple):
    """One healthcheck's HTTP answer: status, media type (lower case, no parameters), the
    first ``max_body`` bytes of the body, and ``seconds`` from sending the request to the
    end of the body (measured on the worker)."""

    status: int
    media: str
    body: bytes
    seconds: float


class _Route(NamedTuple):
    pool: httpcore.ConnectionPool | httpcore.HTTPProxy
    request: httpcore.Request


class HealthFetcher:
    """GETs ``url + path`` for many URLs on ``workers`` threads (see the module docstring).

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
    ) -> None:
        if timeout <= 0 or workers < 1 or max_body < 1:
            raise ValueError("timeout, workers and max_body must be positive")
        self._path = path
        self._headers = [(k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()]
        self._timeout = timeout
        self._workers = workers
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
        """Each URL's answer, or its typed error, in the order of ``urls``, fetched by at
        most ``workers`` lanes (see the module docstring). Cancelling stops the lanes
        after the requests they are sending."""
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
        lanes = [loop.run_in_executor(threads, lane) for _ in range(min(self._workers, len(queue)))]
        try:
            await asyncio.gather(*lanes)
        finally:
            stop.set()  # cancelled or failed: the other lanes take no further URL
        assert all(outcome is not None for outcome in outcomes)
        return outcomes  # type: ignore[return-value]

    async def aclose(self) -> None:
        """Stop queued requests, wait for running ones, close every connection."""
        self._closed = True
        self._closing.set()
        executor, self._executor = self._executor, None
        pools = [route.pool for route in self._routes.values()]
        self._routes.clear()
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

        def finish() -> None:
            if executor is not None:
                executor.shutdown(wait=True)
            for pool in pools:
                pool.close()

        if executor is not None or pools:
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
        common = {
            "ssl_context": context,
            "max_connections": 2,
            "max_keepalive_connections": 1,
            "keepalive_expiry": self._keepalive,
            "http1": True,
            "http2": False,
        }
        pool: httpcore.ConnectionPool | httpcore.HTTPProxy
        if proxy is None:
            pool = httpcore.ConnectionPool(**common)  # type: ignore[arg-type]
        else:
            via = httpx.Proxy(proxy)
            pool = httpcore.HTTPProxy(
                proxy_url=httpcore.URL(
                    scheme=via.url.raw_scheme,
                    host=via.url.raw_host,
                    port=via.url.port,
                    target=via.url.raw_path,
                ),
                proxy_auth=via.raw_auth,
                proxy_headers=via.headers.raw,
                **common,  # type: ignore[arg-type]
            )
        target = httpx.URL(url + self._path)
        timeouts = dict.fromkeys(("connect", "read", "write", "pool"), self._timeout)
        request = httpcore.Request(
            "GET",
            httpcore.URL(
                scheme=target.raw_scheme,
                host=target.raw_host,
                port=target.port,
                target=target.raw_path,
            ),
            headers=[(b"Host", target.netloc), *self._headers],
            extensions={"timeout": timeouts},
        )
        return _Route(pool, request)


def _fetch(route: _Route, url: str, timeout: float, max_body: int) -> Fetched:
    """On a worker thread: one GET, its body read up to ``max_body`` bytes and until
    ``timeout`` after the start."""
    started = time.perf_counter()
    deadline = started + timeout
    try:
        response = route.pool.handle_request(route.request)
        try:
            body = bytearray()
            for chunk in response.iter_stream():
                body += chunk[: max_body - len(body)]
                if len(body) >= max_body:
                    break
                if time.perf_counter() > deadline:
                    raise httpcore.ReadTimeout("the body did not end within the timeout")
        finally:
            response.close()
    except Exception as exc:
        typed = _typed(exc, url)
        if typed is None:
            raise
        raise typed from None
    seconds = time.perf_counter() - started
    return Fetched(response.status, _media_type(response.headers), bytes(body), seconds)


def _typed(exc: Exception, url: str) -> ConsoleError | None:
    """httpcore's error as the console's typed one; None for anything else (a bug)."""
    for kind in type(exc).__mro__:
        mapped = HTTP_ERRORS.get(kind)
        if mapped is not None:
            as_httpx = mapped(str(exc))
            as_httpx.__cause__ = exc  # the ssl.SSLError behind a TLS failure stays visible
            return transport_error(as_httpx, url)
    return None


def _media_type(headers: list[tuple[bytes, bytes]]) -> str:
    """The lower-cased media type of the reply without parameters ('' if absent)."""
    for name, value in headers:
        if name.lower() == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""
