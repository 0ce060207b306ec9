"""HealthOnlyClient: a connection made of Management Tool URLs and their healthchecks.

It gives the rest of the console what an API client gives (``KindClient``): each round
of healthchecks becomes a ``ClusterSnapshot`` with one server per URL (id and address:
the URL; name: its host; online for 2xx, offline otherwise, unreachable servers offline too),
so the table, overview, history, alerts, tray and command line work on it unchanged.
The calls it cannot make (sign in, isolate, versions, logs) raise ``NotSupportedError``
with the reason; callers ask the capabilities first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import httpx

from app.api.attempts import EndpointAttempt
from app.api.errors import ConsoleError
from app.api.logstream import LogStream
from app.api.models import (
    ClusterInfo,
    ClusterSnapshot,
    HealthReport,
    Server,
    ServerStatus,
    VersionInfo,
)
from app.api.settings import EndpointSettings
from app.connections import ConnectionProfile
from app.health_only.prober import DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_S, HealthProber
from app.health_only.result import HealthState, ProbeResult, server_name
from app.seam.capabilities import Capabilities, Capability


def _utcnow() -> datetime:
    return datetime.now(UTC)


class HealthOnlyClient:
    """The client of a health-only connection (see the module docstring).

    ``results`` holds each URL's latest ``ProbeResult`` (``since`` carried over while
    the state stays the same). ``health(url)`` probes that URL now; ``cached_health``
    answers from the latest round, for the monitor's per-server health events.
    """

    def __init__(
        self,
        profile: ConnectionProfile,
        capabilities: Capabilities,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        concurrency: int = DEFAULT_CONCURRENCY,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._profile = profile
        self._capabilities = capabilities
        self._settings = EndpointSettings(
            urls=profile.urls,
            username="",
            trust=profile.tls.to_trust(),
            proxy=profile.proxy.to_setting(),
        )
        self._prober = HealthProber(
            profile.urls,
            profile.trust_for,
            proxy=self._settings.proxy,
            timeout=timeout,
            concurrency=concurrency,
            transport=transport,
            now=now,
            since=self._since,
        )
        self._now = now
        self._results: dict[str, ProbeResult] = {}
        self._last_online: dict[str, datetime] = {}

    # -- state -------------------------------------------------------------------------
    @property
    def settings(self) -> EndpointSettings:
        return self._settings

    @property
    def active_url(self) -> str:
        return self._profile.urls[0]

    @property
    def passed_over(self) -> tuple[tuple[str, ConsoleError], ...]:
        return ()

    @property
    def last_attempts(self) -> tuple[EndpointAttempt, ...]:
        """The last round: each URL, whether it answered (any HTTP status), and how."""
        return tuple(
            EndpointAttempt(url, result.http_status is not None, result.detail)
            for url, result in self._results.items()
        )

    @property
    def permissions(self) -> frozenset[str] | None:
        return None  # no sign-in, so none said; the capabilities rule out every action

    @property
    def results(self) -> Mapping[str, ProbeResult]:
        return dict(self._results)

    def __repr__(self) -> str:
        return f"HealthOnlyClient(urls={len(self._profile.urls)}, name={self._profile.name!r})"

    async def aclose(self) -> None:
        await self._prober.aclose()

    # -- rounds ------------------------------------------------------------------------
    async def probe_round(self) -> list[ProbeResult]:
        """Probe every URL once; returns the results in the connection's URL order."""
        fresh = await self._prober.probe_all()
        return [self._remember(result) for result in fresh]

    async def cluster(self) -> ClusterSnapshot:
        """A round of healthchecks as a snapshot; never raises for a server's state."""
        results = await self.probe_round()
        now = self._now()
        return ClusterSnapshot(
            cluster=ClusterInfo(name=self._profile.name, generated_at=now),
            servers=tuple(self._server(result) for result in results),
            etag=None,
            received_at=now,
            source_url=self.active_url,
        )

    async def health(self, url: str | None = None) -> HealthReport:
        """Probe ``url`` (default: the first URL) now; raises the typed error when there
        is no HTTP answer."""
        target = url or self.active_url
        return _report(self._remember(await self._prober.probe(target)))

    async def cached_health(self, url: str | None = None) -> HealthReport:
        """The latest round's report of ``url`` without a request (probes if there is none)."""
        target = url or self.active_url
        result = self._results.get(target)
        if result is None:
            return await self.health(target)
        return _report(result)

    def round_health(self, urls: Sequence[str]) -> list[HealthReport | ConsoleError] | None:
        """The latest round's report of each of ``urls`` (the typed error when it had no
        HTTP answer), without a request; None when one of them has no result yet."""
        outcomes: list[HealthReport | ConsoleError] = []
        for url in urls:
            result = self._results.get(url)
            if result is None:
                return None
            outcome = result.report if result.report is not None else result.error
            assert outcome is not None  # a result has a report or an error
            outcomes.append(outcome)
        return outcomes

    def _since(self, url: str, state: HealthState, now: datetime) -> datetime:
        """Since when ``url`` is in ``state``: kept from the previous result while it holds
        (decided as the result is made: replacing a frozen result cost more than making it)."""
        previous = self._results.get(url)
        return previous.since if previous is not None and previous.state is state else now

    def _remember(self, result: ProbeResult) -> ProbeResult:
        if result.state is HealthState.ONLINE:
            self._last_online[result.url] = result.checked_at
        self._results[result.url] = result
        return result

    def _server(self, result: ProbeResult) -> Server:
        host = server_name(result.url)
        status = ServerStatus.ONLINE if result.state is HealthState.ONLINE else ServerStatus.OFFLINE
        return Server(
            id=result.url,
            name=host,
            address=result.url,
            status=status,
            clients=0,
            version=result.version,
            last_seen=self._last_online.get(result.url, result.since),
            management_url=result.url,
        )

    # -- what a health-only connection cannot do --------------------------------------
    async def login(self) -> None:
        self._capabilities.require(Capability.NEEDS_CREDENTIALS)

    async def set_isolation(
        self, server_id: str, *, isolated: bool, reason: str | None = None, force: bool = False
    ) -> Server:
        self._capabilities.require(Capability.ISOLATE)
        raise AssertionError("unreachable: a health-only connection cannot isolate")

    async def version(self, server_id: str) -> VersionInfo:
        self._capabilities.require(Capability.VERSION_CHECK)
        raise AssertionError("unreachable: a health-only connection cannot ask versions")

    def stream_logs(
        self, server_id: str, *, offset: int = 0, if_range: str | None = None
    ) -> AbstractAsyncContextManager[LogStream]:
        self._capabilities.require(Capability.LOG_DOWNLOAD)
        raise AssertionError("unreachable: a health-only connection cannot download logs")


def _report(result: ProbeResult) -> HealthReport:
    """The monitor's view of one result: its report, or the error when nothing answered."""
    if result.report is None:
        assert result.error is not None
        raise result.error
    return result.report
