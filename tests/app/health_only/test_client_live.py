"""HealthOnlyClient against the simulator's documented-only mode, a real process over TLS."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from app.api.errors import TlsErrorKind, UnreachableError, UnreachableReason
from app.api.models import HealthReport, HealthStatus, ServerStatus
from app.connections import ConnectionProfile
from app.health_only.body import BodyKind, pretty_body
from app.health_only.client import HealthOnlyClient
from app.health_only.kind import HEALTH_ONLY_CAPABILITIES
from app.health_only.result import HealthState
from app.seam import NotSupportedError
from tests.helpers.documented_simulator import BASE, health_profile
from tests.helpers.simulator_process import SimulatorProcess


@asynccontextmanager
async def opened(profile: ConnectionProfile, **options: Any) -> AsyncIterator[HealthOnlyClient]:
    client = HealthOnlyClient(profile, HEALTH_ONLY_CAPABILITIES, **options)
    try:
        yield client
    finally:
        await client.aclose()


async def test_a_round_reads_every_server_under_a_custom_base_path(
    documented: SimulatorProcess,
) -> None:
    async with opened(health_profile(documented)) as client:
        snapshot = await client.cluster()
    assert [s.id for s in snapshot.servers] == [e.url for e in documented.info.endpoints]
    assert all(s.id.endswith(BASE) and s.management_url == s.id for s in snapshot.servers)
    assert {s.status for s in snapshot.servers} == {ServerStatus.ONLINE}
    result = client.results[documented.url]
    assert result.state is HealthState.ONLINE
    assert result.http_status == 200
    assert result.response_ms is not None
    assert result.name == documented.url.split("//")[1].split("/")[0]
    assert result.body is not None
    assert result.body.kind is BodyKind.JSON
    assert '\n  "entries": {' in pretty_body(result.body.text)  # indented when shown
    assert result.version is None  # the simulator's body states none
    assert result.report is not None
    assert result.report.status is HealthStatus.HEALTHY
    assert result.report.body == result.body.text


async def test_a_stopped_server_is_offline_with_503_and_keeps_its_since(
    documented: SimulatorProcess,
) -> None:
    stopped = documented.url_of("as-02")
    async with opened(health_profile(documented)) as client:
        await client.probe_round()
        documented.stop_server("as-02")
        first = {r.url: r for r in await client.probe_round()}
        second = {r.url: r for r in await client.probe_round()}
        snapshot = await client.cluster()
    assert first[stopped].state is HealthState.OFFLINE
    assert first[stopped].http_status == 503
    assert "503" in first[stopped].detail
    assert second[stopped].since == first[stopped].since < second[stopped].checked_at
    assert snapshot.server(stopped) is not None
    assert snapshot.server(stopped).status is ServerStatus.OFFLINE  # type: ignore[union-attr]
    assert first[documented.url].state is HealthState.ONLINE


async def test_a_500_is_offline_with_its_code(documented: SimulatorProcess) -> None:
    documented.add_fault(kind="fail", status=500, server_id="as-03", path="/healthcheck", count=5)
    async with opened(health_profile(documented, documented.url_of("as-03"))) as client:
        (result,) = await client.probe_round()
    assert (result.state, result.http_status) == (HealthState.OFFLINE, 500)
    assert result.report is not None
    assert not result.report.ok


async def test_a_refused_connection_is_unreachable(
    documented: SimulatorProcess, closed_url: str
) -> None:
    async with opened(health_profile(documented, documented.url, closed_url)) as client:
        online, refused = await client.probe_round()
    assert online.state is HealthState.ONLINE
    assert refused.state is HealthState.UNREACHABLE
    assert (refused.reason, refused.http_status, refused.response_ms) == ("refused", None, None)
    assert refused.to_json()["http_status"] is None


async def test_round_health_gives_the_last_rounds_reports_and_errors_without_a_request(
    documented: SimulatorProcess, closed_url: str
) -> None:
    """What the monitor takes for its per-server health events: each URL's report from
    the last round, or the typed error of why it had no HTTP answer; None before a round
    covered every URL asked for."""
    async with opened(health_profile(documented, documented.url, closed_url)) as client:
        assert client.round_health([documented.url]) is None
        online, refused = await client.probe_round()
        report, error = client.round_health([documented.url, closed_url]) or []
        assert client.round_health([documented.url, "https://other.test/X"]) is None
    assert report == online.report
    assert isinstance(report, HealthReport)
    assert report.ok
    assert isinstance(error, UnreachableError)
    assert error is refused.error
    assert error.reason is UnreachableReason.REFUSED


async def test_a_server_that_hangs_is_unreachable_within_the_timeout(
    documented: SimulatorProcess,
) -> None:
    documented.add_fault(kind="latency", seconds=60, server_id="as-01", path="/healthcheck")
    started = time.monotonic()
    async with opened(health_profile(documented), timeout=1.0) as client:
        results = {r.url: r for r in await client.probe_round()}
    elapsed = time.monotonic() - started
    hung = results[documented.url]
    assert (hung.state, hung.reason) == (HealthState.UNREACHABLE, "timeout")
    assert elapsed < 60  # the round ended long before the endpoint would have answered
    assert results[documented.url_of("as-02")].state is HealthState.ONLINE


@pytest.mark.parametrize(
    ("content_type", "text", "kind", "shown", "hidden"),
    [
        ("text/plain", "Healthy\u202e\x1b[31m", BodyKind.TEXT, "Healthy\\u202e\\x1b[31m", "\x1b"),
        (
            "text/html",
            "<html><head><script>alert(1)</script></head><body><h1>All good</h1>"
            "<p>Version 9.3.0.1300</p></body></html>",
            BodyKind.HTML,
            "All good\nVersion 9.3.0.1300",
            "<",
        ),
        (
            "application/json",
            '{"status": "Healthy", "version": "9.3.0.1300"}',
            BodyKind.JSON,
            '"version": "9.3.0.1300"',
            "\x00",
        ),
    ],
)
async def test_bodies_are_shown_as_safe_text_and_a_stated_version_is_read(
    documented: SimulatorProcess,
    content_type: str,
    text: str,
    kind: BodyKind,
    shown: str,
    hidden: str,
) -> None:
    documented.add_fault(
        kind="body", content_type=content_type, text=text, path="/healthcheck", count=None
    )
    async with opened(health_profile(documented, documented.url)) as client:
        (result,) = await client.probe_round()
        snapshot = await client.cluster()
    assert result.body is not None
    assert result.body.kind is kind
    assert shown in result.body.text
    assert hidden not in result.body.text
    assert "alert(1)" not in result.body.text
    expected_version = None if kind is BodyKind.TEXT else "9.3.0.1300"
    assert result.version == expected_version
    assert snapshot.servers[0].version == expected_version


async def test_tls_trust_is_decided_per_url(documented: SimulatorProcess) -> None:
    """One URL pinned to its own certificate, one trusted by the system store (so not),
    one by a wrong pin: each says so on its own line."""
    first, second, third = (e.url for e in documented.info.endpoints)
    async with opened(health_profile(documented, second)) as probe_client:
        (untrusted_probe,) = await probe_client.probe_round()
    assert untrusted_probe.state is HealthState.ONLINE  # the CA file trusts it
    # Learn the certificate's fingerprint from a refusal under the system store.
    system = ConnectionProfile(name="System", kind="health_only", urls=(first, second, third))
    async with opened(system) as client:
        refused = {r.url: r for r in await client.probe_round()}
    assert all(r.state is HealthState.UNREACHABLE and r.reason == "tls" for r in refused.values())
    certificate = refused[first].error.certificate  # type: ignore[union-attr]
    assert certificate is not None
    assert refused[first].to_json()["tls_error"] == TlsErrorKind.UNTRUSTED_ISSUER.value
    pinned = system.with_changes(url_pins={first: certificate.sha256, third: "ab" * 32})
    async with opened(pinned) as client:
        results = {r.url: r for r in await client.probe_round()}
    assert results[first].state is HealthState.ONLINE
    assert results[second].error.kind is TlsErrorKind.UNTRUSTED_ISSUER  # type: ignore[union-attr]
    assert results[third].error.kind is TlsErrorKind.PIN_MISMATCH  # type: ignore[union-attr]


async def test_what_it_cannot_do_says_why(documented: SimulatorProcess) -> None:
    async with opened(health_profile(documented)) as client:
        with pytest.raises(NotSupportedError, match="Isolating needs an API connection"):
            await client.set_isolation(documented.url, isolated=True)
        with pytest.raises(NotSupportedError, match="version needs an API connection"):
            await client.version(documented.url)
        with pytest.raises(NotSupportedError, match="logs needs an API connection"):
            client.stream_logs(documented.url)
        with pytest.raises(NotSupportedError, match="never signs in"):
            await client.login()


async def test_an_unchanged_answer_is_read_once_and_a_changed_one_again(
    documented: SimulatorProcess,
) -> None:
    """The same body twice: the second round reuses the first's reading (its text, version
    and report's contents) with its own response time; a different body is read anew."""

    def answer_with(text: str) -> None:
        documented.clear_faults()
        documented.add_fault(
            kind="body", content_type="application/json", text=text,
            path="/healthcheck", count=None,
        )  # fmt: skip

    answer_with('{"status": "Degraded", "version": "9.3.0.1300"}')
    async with opened(health_profile(documented, documented.url)) as client:
        (first,) = await client.probe_round()
        (second,) = await client.probe_round()
        answer_with('{"status": "Healthy", "version": "9.3.1.1400"}')
        (third,) = await client.probe_round()
    assert first.report is not None
    assert second.report is not None
    assert third.report is not None
    assert second.body is first.body  # not read again
    assert second.report is not first.report
    assert second.report.response_ms == second.response_ms
    assert (second.report.status, second.version) == (HealthStatus.DEGRADED, "9.3.0.1300")
    assert second.report.body == first.report.body
    assert third.body is not None
    assert '"9.3.1.1400"' in third.body.text
    assert (third.report.status, third.version) == (HealthStatus.HEALTHY, "9.3.1.1400")
    assert third.report.response_ms == third.response_ms
