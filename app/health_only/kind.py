"""The health-only kind: Management Tool URLs and their healthchecks, no credentials."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import httpx

from app.api.attempts import EndpointAttempt
from app.api.errors import ConsoleError
from app.api.models import ClusterSnapshot, HealthReport
from app.api.session import PasswordSource
from app.api.settings import FailoverRule
from app.connections import ConnectionKindName, ConnectionProfile
from app.health_only.client import HealthOnlyClient
from app.health_only.result import HealthState, ProbeResult
from app.monitor.monitor import ClusterSource
from app.seam.capabilities import Capabilities, Capability, LoadMeasure, LoadSource, LoadValues
from app.seam.client import KindClient

_WHY = "a health-only connection reads each server's healthcheck and nothing else"
HEALTH_ONLY_CAPABILITIES = Capabilities(
    kind_label="Health-only connection",
    missing={
        Capability.CLUSTER_VIEW: f"The servers are the URLs you listed: {_WHY}.",
        Capability.CLIENT_COUNTS: f"No Client counts: {_WHY}.",
        Capability.ISOLATE: f"Isolating needs an API connection: {_WHY}.",
        Capability.VERSION_CHECK: (
            f"Asking the version needs an API connection: {_WHY} (a version shows when "
            "the healthcheck states one)."
        ),
        Capability.LOG_DOWNLOAD: f"Downloading logs needs an API connection: {_WHY}.",
        Capability.NEEDS_CREDENTIALS: "A health-only connection never signs in.",
    },
    load=LoadMeasure(
        title="Healthcheck response time",
        axis="Response time (ms)",
        total_label="Average of the servers online",
        unit="ms",
    ),
)


class _MonitorView:
    """What the monitor polls: rounds of healthchecks, and the round's own reports (the
    monitor's per-server health events cost no second request)."""

    def __init__(self, client: HealthOnlyClient) -> None:
        self._client = client

    @property
    def active_url(self) -> str:
        return self._client.active_url

    @property
    def last_attempts(self) -> tuple[EndpointAttempt, ...]:
        return self._client.last_attempts

    async def cluster(self) -> ClusterSnapshot:
        return await self._client.cluster()

    async def health(self, url: str | None = None) -> HealthReport:
        return await self._client.cached_health(url)

    def round_health(self, urls: Sequence[str]) -> list[HealthReport | ConsoleError] | None:
        return self._client.round_health(urls)


def response_times(snapshot: ClusterSnapshot, results: Mapping[str, ProbeResult]) -> LoadValues:
    """Each server's healthcheck response time in ms (0 without an answer: its status
    says why), and the average of the servers that answered 2xx as the cluster's line."""
    values: dict[str, int] = {}
    online: list[int] = []
    for server in snapshot.servers:
        result = results.get(server.id)
        ms = round(result.response_ms) if result and result.response_ms is not None else 0
        values[server.id] = ms
        if result is not None and result.state is HealthState.ONLINE:
            online.append(ms)
    return LoadValues(values, round(sum(online) / len(online)) if online else 0)


class HealthOnlyKind:
    name = ConnectionKindName.HEALTH_ONLY
    capabilities = HEALTH_ONLY_CAPABILITIES

    def build_client(
        self,
        profile: ConnectionProfile,
        password: PasswordSource,
        *,
        transport: httpx.AsyncBaseTransport | None,
        failover: FailoverRule,
    ) -> KindClient:
        return HealthOnlyClient(profile, self.capabilities, transport=transport)

    def monitor_source(self, client: KindClient) -> ClusterSource:
        return _MonitorView(client) if isinstance(client, HealthOnlyClient) else client

    def load_values(self, client: KindClient) -> LoadSource | None:
        if not isinstance(client, HealthOnlyClient):
            return None
        return lambda snapshot: response_times(snapshot, client.results)

    def health_interval(self, profile: ConnectionProfile) -> float | None:
        # Every poll publishes the round's health (from the round itself, no request).
        return 1e-3


HEALTH_ONLY_KIND = HealthOnlyKind()
