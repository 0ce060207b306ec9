"""HealthProber: reads ``<url>/healthcheck?debug=True`` of many servers, unauthenticated.

The GETs go through a ``HealthFetcher``: httpcore's blocking connections on worker
threads (a round's lanes: 2, more while URLs wait, at most ``concurrency``), one per
URL kept alive between rounds (so a round costs requests, not TLS handshakes), one SSL
context per distinct TLS trust (a URL with its own pinned certificate gets its own).
Redirects are not followed (a healthcheck answers itself; a redirect is reported as the
HTTP answer it is). Each probe has one deadline, ``timeout`` seconds for the whole
exchange, so a server that hangs is "unreachable (timed out)" after about that long: in
a round every connect, read and write is bounded by it and an answer that took longer
counts as timed out; a single ``probe`` is cut off at it. Nothing is ever sent but a
GET without credentials.

Each answer is read (decoded, reduced to text, its version and health report) only when
it differs from the URL's last one; an identical answer reuses that reading with its own
response time (``_Reading``).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import httpx

from app import __version__
from app.api.errors import ConsoleError, TlsError, TlsErrorKind, UnreachableError, UnreachableReason
from app.api.health import health_report
from app.api.models import HealthReport
from app.api.proxy import proxy_for
from app.api.replies import media_type
from app.api.settings import ProxySetting, TlsTrust
from app.api.tls import build_ssl_context, fetch_certificate
from app.api.transport_errors import transport_error
from app.health_only.body import MAX_BODY_BYTES, ReadBody, read_body
from app.health_only.fetcher import Fetched, HealthFetcher
from app.health_only.result import HealthState, ProbeResult, server_name, unreachable_reason

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthcheck?debug=True"
USER_AGENT = f"EkranClusterConsole/{__version__}"
DEFAULT_TIMEOUT_S = 5.0
DEFAULT_CONCURRENCY = 16
KEEPALIVE_S = 75.0
KEPT_BODY_BYTES = 16 * 1024
"""The longest body kept per URL to recognise the same answer next round (a
healthcheck's body is a few hundred bytes; 200 servers keep at most 3.2 MB)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HealthProber:
    """Probes healthchecks; ``probe`` never raises for what a server or the network does.

    ``trust_for(url)`` gives each URL's TLS trust. At most ``concurrency`` probes run at
    once (on as many worker threads). ``transport`` replaces the network (tests): the
    GETs then go through an ``httpx.AsyncClient`` on it, and TLS and proxy settings do
    not apply. ``since(url, state, now)`` says since when ``url`` has been in ``state``
    (default: ``now``; a caller that keeps earlier results passes the earlier time while
    the state holds). Create it anywhere; ``aclose()`` stops and closes everything it
    started.
    """

    def __init__(
        self,
        urls: Iterable[str],
        trust_for: Callable[[str], TlsTrust],
        *,
        proxy: ProxySetting | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        concurrency: int = DEFAULT_CONCURRENCY,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] = _utcnow,
        since: Callable[[str, HealthState, datetime], datetime] | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._since = since or (lambda url, state, now: now)
        self._urls = tuple(urls)
        self._trust_for = trust_for
        self._proxy = proxy or ProxySetting()
        self._timeout = timeout
        self._limit = asyncio.Semaphore(max(1, concurrency))
        self._transport = transport
        self._now = now
        self._clients: dict[str, httpx.AsyncClient] = {}  # with a transport: one per URL
        self._contexts: dict[TlsTrust, ssl.SSLContext] = {}  # one per distinct trust
        self._fetcher = HealthFetcher(
            path=HEALTH_PATH,
            headers={"Accept": "*/*", "User-Agent": USER_AGENT},
            timeout=timeout,
            workers=max(1, concurrency),
            max_body=MAX_BODY_BYTES,
            keepalive=KEEPALIVE_S,
            context_for=self._context_for,
            proxy_for=lambda url: proxy_for(self._proxy, url),
        )
        self._certificates: dict[str, TlsError] = {}  # url -> a TLS error with its certificate
        self._readings: dict[str, _Reading] = {}  # url -> its last answer as read
        self._closed = False

    @property
    def timeout(self) -> float:
        return self._timeout

    async def aclose(self) -> None:
        self._closed = True
        clients = list(self._clients.values())
        self._clients.clear()
        for client in clients:
            await client.aclose()
        await self._fetcher.aclose()

    async def probe_all(self, urls: Iterable[str] | None = None) -> list[ProbeResult]:
        """Probe every URL (default: all), at most ``concurrency`` at once, in order."""
        chosen = self._urls if urls is None else tuple(urls)
        if self._transport is not None:
            return list(await asyncio.gather(*(self.probe(url) for url in chosen)))
        outcomes = await self._fetcher.fetch_all(chosen)
        results: list[ProbeResult | None] = []
        failed: list[tuple[int, str, ConsoleError]] = []
        for index, (url, outcome) in enumerate(zip(chosen, outcomes, strict=True)):
            if isinstance(outcome, ConsoleError):
                failed.append((index, url, outcome))
                results.append(None)
            elif outcome.seconds > self._timeout:  # answered, but after the deadline
                failed.append((index, url, self._timed_out(url)))
                results.append(None)
            else:
                results.append(self._answered(url, *outcome[:3], outcome.seconds * 1000))
        # Only the failures are awaited (a TLS failure fetches the server's certificate),
        # together: one task per server and round would cost more than the answers.
        settled = await asyncio.gather(*(self._unreachable(u, e) for _, u, e in failed))
        for (index, _, _), result in zip(failed, settled, strict=True):
            results[index] = result
        return [result for result in results if result is not None]

    async def probe(self, url: str) -> ProbeResult:
        """One healthcheck of ``url``."""
        async with self._limit:
            started = time.perf_counter()
            try:
                async with asyncio.timeout(self._timeout):
                    status, media, body, _ = await self._exchange(url)
            except TimeoutError:
                error = self._timed_out(url)
            except ConsoleError as exc:
                error = exc
            else:
                elapsed_ms = (time.perf_counter() - started) * 1000
                return self._answered(url, status, media, body, elapsed_ms)
        return await self._unreachable(url, error)

    def _timed_out(self, url: str) -> ConsoleError:
        return UnreachableError(
            f"{server_name(url)} did not answer within {self._timeout:g} s.",
            reason=UnreachableReason.TIMEOUT,
            url=url,
        )

    # -- one exchange ---------------------------------------------------------------------
    async def _exchange(self, url: str) -> Fetched:
        if self._transport is None:
            return await self._fetcher.fetch(url)
        client = self._client(url)
        request = client.build_request("GET", url + HEALTH_PATH, headers={"Accept": "*/*"})
        try:
            response = await client.send(request, stream=True)
            try:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk[: MAX_BODY_BYTES - len(body)]
                    if len(body) >= MAX_BODY_BYTES:
                        break
            finally:
                await response.aclose()
        except httpx.TransportError as exc:
            raise transport_error(exc, url) from None
        seconds = 0.0  # not used: probe() measures the exchange itself
        return Fetched(response.status_code, media_type(response), bytes(body), seconds)

    def _answered(
        self, url: str, status: int, media: str, body: bytes, elapsed_ms: float
    ) -> ProbeResult:
        now = self._now()
        reading, report = self._read(url, status, media, body, elapsed_ms)
        if 200 <= status < 300:
            state, detail = HealthState.ONLINE, f"HTTP {status} in {elapsed_ms:.0f} ms"
        else:
            state, detail = HealthState.OFFLINE, _offline_detail(status)
        return ProbeResult(
            url=url,
            state=state,
            checked_at=now,
            since=self._since(url, state, now),
            detail=detail,
            http_status=status,
            response_ms=elapsed_ms,
            body=reading.text,
            version=reading.version if state is HealthState.ONLINE else None,
            report=report,
        )

    def _read(
        self, url: str, status: int, media: str, body: bytes, elapsed_ms: float
    ) -> tuple[_Reading, HealthReport]:
        """This answer as read, and its report: the last reading of ``url`` when the answer
        is the same (status, media type and body), else read now and kept (bodies up to
        ``KEPT_BODY_BYTES``; a longer one is read every time)."""
        last = self._readings.get(url)
        if last is not None and last.status == status and last.media == media and last.body == body:
            return last, last.report_for(elapsed_ms)
        read = read_body(media, body)  # decoded and parsed once for all three uses
        report = health_report(
            url,
            status,
            media,
            body,
            document=read.document,
            shown_body=read.text.text or None,
            response_ms=elapsed_ms,
        )
        if len(body) <= KEPT_BODY_BYTES:
            self._readings[url] = _Reading(status, media, body, read, report)
        else:
            self._readings.pop(url, None)
        return _Reading(status, media, body, read, report), report

    async def _unreachable(self, url: str, error: ConsoleError) -> ProbeResult:
        if isinstance(error, TlsError) and error.certificate is None:
            error = await self._with_certificate(url, error)
        log.debug("healthcheck of %s: %s | %s", url, error.message, error.detail)
        now = self._now()
        return ProbeResult(
            url=url,
            state=HealthState.UNREACHABLE,
            checked_at=now,
            since=self._since(url, HealthState.UNREACHABLE, now),
            detail=error.message,
            reason=unreachable_reason(error),
            error=error,
        )

    async def _with_certificate(self, url: str, error: TlsError) -> TlsError:
        """The TLS error with the certificate the server presented (fetched once per URL)."""
        known = self._certificates.get(url)
        if known is not None and known.kind is error.kind:
            return known
        if self._transport is None and error.kind is not TlsErrorKind.CONFIGURATION:
            try:
                error.certificate = await fetch_certificate(
                    url, proxy=self._proxy, timeout=self._timeout
                )
            except ConsoleError as fetch_error:
                log.debug("no certificate from %s: %s", url, fetch_error.detail)
        self._certificates[url] = error
        return error

    def _client(self, url: str) -> httpx.AsyncClient:
        """The HTTP client of one URL on the injected transport (tests)."""
        if self._closed:
            raise RuntimeError("this HealthProber is closed")
        client = self._clients.get(url)
        if client is None:
            client = httpx.AsyncClient(
                transport=self._transport,
                trust_env=False,
                timeout=httpx.Timeout(self._timeout),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
            )
            self._clients[url] = client
        return client

    def _context_for(self, url: str) -> ssl.SSLContext:
        """The SSL context of ``url``'s trust, shared by every URL with the same trust."""
        trust = self._trust_for(url)
        context = self._contexts.get(trust)
        if context is None:
            # TlsError(CONFIGURATION) when unusable; a healthcheck's reply is small, so
            # its sockets read as they come (draining them costs a failed read per reply)
            context = build_ssl_context(trust, draining=False)
            self._contexts[trust] = context
        return context


class _Reading:
    """One answer of a URL as read: its text, stated version and health report (with the
    response time of the answer it was read from), kept until that URL's answer differs
    (its status, media type or body). A server whose body does not change between rounds
    (a bare "Healthy", a report without durations) is then read once, not every round."""

    __slots__ = ("body", "media", "report", "status", "text", "version")

    def __init__(
        self, status: int, media: str, body: bytes, read: ReadBody, report: HealthReport
    ) -> None:
        self.status = status
        self.media = media
        self.body = body
        self.text = read.text
        self.version = read.version
        self.report = report

    def report_for(self, response_ms: float) -> HealthReport:
        """The report with this answer's response time (its other fields were read once)."""
        report = self.report
        return HealthReport(
            url=report.url,
            http_status=report.http_status,
            status=report.status,
            entries=report.entries,
            total_duration=report.total_duration,
            ok=report.ok,
            body=report.body,
            response_ms=response_ms,
        )


def _offline_detail(status: int) -> str:
    if status >= 500:
        return (
            f"HTTP {status}: the server reports a problem (e.g. its Application Server is stopped)"
        )
    if status == 404:
        return "HTTP 404: no healthcheck at this address (check the URL's path)"
    if 300 <= status < 400:
        return f"HTTP {status}: the healthcheck redirects elsewhere (check the URL)"
    return f"HTTP {status}: the healthcheck did not answer as expected"
