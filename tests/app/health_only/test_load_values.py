"""The load history of a health-only connection: response times, and their average."""

from __future__ import annotations

from datetime import UTC, datetime

from app.api.errors import UnreachableError, UnreachableReason
from app.api.models import ClusterInfo, ClusterSnapshot, Server, ServerStatus
from app.health_only.kind import response_times
from app.health_only.result import HealthState, ProbeResult
from app.history import HistoryStore

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
URLS = ("https://a/EkranSystem", "https://b/EkranSystem", "https://c/EkranSystem")


def _result(url: str, state: HealthState, ms: float | None) -> ProbeResult:
    error = None
    if ms is None:
        error = UnreachableError("refused", reason=UnreachableReason.REFUSED, url=url)
    status = {HealthState.ONLINE: 200, HealthState.OFFLINE: 503}.get(state)
    return ProbeResult(url, state, NOW, NOW, "", http_status=status, response_ms=ms, error=error)


def _snapshot() -> ClusterSnapshot:
    statuses = (ServerStatus.ONLINE, ServerStatus.ONLINE, ServerStatus.OFFLINE)
    servers = tuple(
        Server(id=u, name=u, address=u, status=s, clients=0, last_seen=NOW)
        for u, s in zip(URLS, statuses, strict=True)
    )
    return ClusterSnapshot(
        cluster=ClusterInfo(name="R", generated_at=NOW),
        servers=servers,
        etag=None,
        received_at=NOW,
        source_url=URLS[0],
    )


def test_each_server_records_its_response_time_and_the_cluster_the_average_online() -> None:
    results = {
        URLS[0]: _result(URLS[0], HealthState.ONLINE, 40.4),
        URLS[1]: _result(URLS[1], HealthState.ONLINE, 79.6),
        URLS[2]: _result(URLS[2], HealthState.UNREACHABLE, None),
    }
    values = response_times(_snapshot(), results)
    assert dict(values.servers) == {URLS[0]: 40, URLS[1]: 80, URLS[2]: 0}
    assert values.total == 60


def test_the_history_stores_those_values_instead_of_clients() -> None:
    store = HistoryStore()
    results = {u: _result(u, HealthState.ONLINE, 100.0 * (i + 1)) for i, u in enumerate(URLS)}
    snapshot = _snapshot()
    at = NOW.timestamp()
    assert store.record("cid", snapshot, at, response_times(snapshot, results))
    assert store.series("cid", URLS[1], at - 1, at + 1).y.tolist() == [200]
    assert store.total_series("cid", at - 1, at + 1).y.tolist() == [200]
    store.close()
