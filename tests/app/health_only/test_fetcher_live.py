"""HealthFetcher against the documented-only simulator: worker threads, their end, errors."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

import pytest

from app.api.errors import TlsError, UnreachableError, UnreachableReason
from app.health_only.body import MAX_BODY_BYTES
from app.health_only.client import HealthOnlyClient
from app.health_only.fetcher import HealthFetcher
from app.health_only.kind import HEALTH_ONLY_CAPABILITIES
from app.health_only.prober import HEALTH_PATH, HealthProber
from tests.app.api.test_proxy_live import connect_proxy
from tests.app.health_only.keepalive_server import keepalive_server
from tests.helpers.documented_simulator import health_profile
from tests.helpers.simulator_process import SimulatorProcess


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("healthcheck")]


def fetcher_for(
    sim: SimulatorProcess, *, timeout: float = 5.0, max_body: int = MAX_BODY_BYTES
) -> HealthFetcher:
    context = ssl.create_default_context(cafile=str(sim.info.ca_file))
    return fetcher_trusting(context, timeout, max_body)


def fetcher_trusting(
    context: ssl.SSLContext,
    timeout: float = 5.0,
    max_body: int = MAX_BODY_BYTES,
    *,
    lanes: int = 4,
    grow_every: float = 0.5,
) -> HealthFetcher:
    return HealthFetcher(
        path=HEALTH_PATH,
        headers={"Accept": "*/*"},
        timeout=timeout,
        workers=4,
        max_body=max_body,
        keepalive=75.0,
        context_for=lambda url: context,
        proxy_for=lambda url: None,
        lanes=lanes,
        grow_every=grow_every,
    )


async def wait_for_workers(count: int) -> None:
    for _ in range(200):
        if len(worker_threads()) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} worker threads, found {worker_threads()}")


async def test_probes_run_on_worker_threads_that_close_ends(documented: SimulatorProcess) -> None:
    """A round cancelled while a server hangs: closing waits for its worker (bounded by the
    timeout), and afterwards no worker thread is left and probing is refused."""
    documented.add_fault(kind="latency", seconds=60, server_id="as-01", path="/healthcheck")
    client = HealthOnlyClient(health_profile(documented), HEALTH_ONLY_CAPABILITIES, timeout=2.0)
    loop_thread = threading.get_ident()
    round_task = asyncio.create_task(client.probe_round())
    await wait_for_workers(1)
    assert all(t.ident != loop_thread for t in worker_threads())
    round_task.cancel()
    started = time.monotonic()
    await client.aclose()
    assert time.monotonic() - started < 30  # the hung GET ended by its read timeout
    assert round_task.cancelled()
    assert worker_threads() == []
    with pytest.raises(RuntimeError, match="closed"):
        await client.probe_round()


async def test_a_hang_is_a_read_timeout_on_the_worker_too(documented: SimulatorProcess) -> None:
    """The worker's own bound: without the prober's deadline, the GET still ends as
    'timed out' (unreachable), freeing its thread."""
    documented.add_fault(kind="latency", seconds=60, server_id="as-01", path="/healthcheck")
    fetcher = fetcher_for(documented, timeout=1.0)
    try:
        with pytest.raises(UnreachableError) as caught:
            await fetcher.fetch(documented.url)
    finally:
        await fetcher.aclose()
    assert caught.value.reason is UnreachableReason.TIMEOUT
    assert worker_threads() == []


async def test_answers_keep_their_connection_and_bodies_are_bounded(
    documented: SimulatorProcess,
) -> None:
    documented.add_fault(
        kind="body", content_type="Text/Plain", text="x" * 5000,
        path="/healthcheck", count=None,
    )  # fmt: skip
    fetcher = fetcher_for(documented, max_body=1000)
    try:
        first = await fetcher.fetch(documented.url)
        second = await fetcher.fetch(documented.url)
    finally:
        await fetcher.aclose()
    assert (first.status, first.media, first.body) == (200, "text/plain", b"x" * 1000)
    assert second[:3] == first[:3]  # the cut-off body closed that connection; a new one answered
    assert 0 < first.seconds < 5


async def test_refused_unknown_names_and_tls_are_typed(
    documented: SimulatorProcess, closed_url: str
) -> None:
    untrusting = HealthFetcher(
        path=HEALTH_PATH,
        headers={},
        timeout=5.0,
        workers=2,
        max_body=MAX_BODY_BYTES,
        keepalive=75.0,
        context_for=lambda url: ssl.create_default_context(),  # not the simulator's CA
        proxy_for=lambda url: None,
    )
    try:
        with pytest.raises(UnreachableError) as refused:
            await untrusting.fetch(closed_url)
        with pytest.raises(UnreachableError) as unknown:
            await untrusting.fetch("https://mt01.invalid/MyMonitoringSystem")
        with pytest.raises(TlsError):
            await untrusting.fetch(documented.url)
    finally:
        await untrusting.aclose()
    assert refused.value.reason is UnreachableReason.REFUSED
    assert unknown.value.reason is UnreachableReason.DNS


@pytest.mark.parametrize("refuse", [False, True])
async def test_a_proxy_tunnels_the_healthchecks(documented: SimulatorProcess, refuse: bool) -> None:
    async with connect_proxy(refuse=refuse) as proxy:
        profile = health_profile(
            documented, documented.url, proxy={"mode": "url", "url": proxy.url}
        )
        client = HealthOnlyClient(profile, HEALTH_ONLY_CAPABILITIES)
        try:
            first = await client.probe_round()
            second = await client.probe_round()
        finally:
            await client.aclose()
    host_port = documented.url.split("://", 1)[1].split("/", 1)[0]
    assert proxy.targets == [f"CONNECT {host_port}"] * (2 if refuse else 1)  # kept alive
    expected = ("unreachable", "proxy") if refuse else ("online", None)
    assert {(r.state.value, r.reason) for r in first + second} == {expected}


async def test_a_round_goes_through_lanes_and_a_hang_holds_only_its_own(
    documented: SimulatorProcess, closed_url: str
) -> None:
    """One hung server among answering ones: the round ends within about one timeout,
    every other URL answered by the lanes, in the round's order."""
    documented.add_fault(kind="latency", seconds=60, server_id="as-02", path="/healthcheck")
    urls = [e.url for e in documented.info.endpoints] * 10 + [closed_url]
    fetcher = fetcher_for(documented, timeout=1.0)
    started = time.monotonic()
    try:
        outcomes = await fetcher.fetch_all(urls)
    finally:
        await fetcher.aclose()
    assert time.monotonic() - started < 30
    hung = documented.url_of("as-02")
    for url, outcome in zip(urls, outcomes, strict=True):
        if url == hung:
            assert isinstance(outcome, UnreachableError)
            assert outcome.reason is UnreachableReason.TIMEOUT
        elif url == closed_url:
            assert isinstance(outcome, UnreachableError)
            assert outcome.reason is UnreachableReason.REFUSED
        else:
            assert not isinstance(outcome, Exception)
            assert outcome.status == 200
    assert worker_threads() == []


async def test_an_answer_after_the_timeout_counts_as_timed_out(
    documented: SimulatorProcess,
) -> None:
    """Three GETs of one URL in a round share its two connections: the third waits for
    one, so its answer comes after the timeout although no single wait was that long."""
    url = documented.url
    prober = HealthProber([url, url, url], health_profile(documented).trust_for, timeout=3.0)
    try:
        await prober.probe_all([url, url])  # both connections made before the delay
        documented.add_fault(kind="latency", seconds=2, server_id="as-01", path="/healthcheck")
        results = await prober.probe_all()
    finally:
        await prober.aclose()
    states = sorted((r.state.value, r.reason) for r in results)
    assert states == [("online", None), ("online", None), ("unreachable", "timeout")]


async def test_closing_during_a_round_ends_it_with_a_clear_error(
    documented: SimulatorProcess,
) -> None:
    documented.add_fault(kind="latency", seconds=60, path="/healthcheck")
    fetcher = fetcher_for(documented, timeout=1.0)
    urls = [e.url for e in documented.info.endpoints] * 4  # more than the 4 lanes take
    round_task = asyncio.create_task(fetcher.fetch_all(urls))
    await wait_for_workers(4)
    await fetcher.aclose()
    with pytest.raises(RuntimeError, match="closed during the round"):
        await round_task
    assert worker_threads() == []


@pytest.mark.parametrize("abrupt", [False, True], ids=["close-notify", "abrupt"])
async def test_a_kept_alive_connection_closed_by_the_server_is_retried_once_on_a_new_one(
    abrupt: bool,
) -> None:
    """The server reads the second request on the kept-alive connection and closes it
    without answering (with or without TLS's close_notify): the GET is sent once more,
    on a new connection, and answers."""
    async with keepalive_server(answers=1, abrupt=abrupt) as server:
        fetcher = fetcher_trusting(server.client_context)
        try:
            first = await fetcher.fetch(server.url)
            second = await fetcher.fetch(server.url)
        finally:
            await fetcher.aclose()
    assert (first.status, first.body) == (200, b"Healthy")
    assert (second.status, second.body) == (200, b"Healthy")
    assert (server.connections, server.requests) == (2, 3)


async def test_a_server_that_drops_every_request_is_tried_twice_then_connection_lost() -> None:
    async with keepalive_server(answers=0) as server:
        fetcher = fetcher_trusting(server.client_context)
        try:
            with pytest.raises(UnreachableError) as caught:
                await fetcher.fetch(server.url)
        finally:
            await fetcher.aclose()
    assert caught.value.reason is UnreachableReason.CONNECTION_LOST
    assert (server.connections, server.requests) == (2, 2)


async def test_a_timeout_is_not_retried() -> None:
    async with keepalive_server(answers=1, silent=True) as server:
        fetcher = fetcher_trusting(server.client_context, timeout=0.5)
        try:
            with pytest.raises(UnreachableError) as caught:
                await fetcher.fetch(server.url)
        finally:
            await fetcher.aclose()
    assert caught.value.reason is UnreachableReason.TIMEOUT
    assert (server.connections, server.requests) == (1, 1)


def test_the_refused_url_keeps_its_port_taken_while_the_test_runs(closed_url: str) -> None:
    """No other server (the suite runs in several processes) can listen on the port of
    ``closed_url`` while a test uses it: a TLS client would meet that server instead of a
    refusal (seen as a TLS "unexpected eof" when it accepted and closed)."""
    port = urlsplit(closed_url).port
    assert port is not None
    with socket.socket() as other, pytest.raises(OSError):
        other.bind(("127.0.0.1", port))


async def test_a_round_starts_its_base_lanes_only_while_requests_are_quick(
    documented: SimulatorProcess,
) -> None:
    """Answering servers are served by the round's base lanes, not by every worker (with
    ``grow_every`` far above the round here, no lane is ever added)."""
    context = ssl.create_default_context(cafile=str(documented.info.ca_file))
    fetcher = fetcher_trusting(context, lanes=2, grow_every=60.0)
    urls = [e.url for e in documented.info.endpoints] * 10
    try:
        outcomes = await fetcher.fetch_all(urls)
        threads = len(worker_threads())
    finally:
        await fetcher.aclose()
    assert all(not isinstance(o, Exception) and o.status == 200 for o in outcomes)
    assert threads == 2


async def test_lanes_are_added_while_urls_wait_up_to_the_workers(
    documented: SimulatorProcess,
) -> None:
    """Two base lanes both meet a hung server: URLs are still waiting when the round looks,
    so new lanes take the rest of the round while those wait for their timeout, and never
    more lanes than the workers (4) start."""
    documented.add_fault(kind="latency", seconds=60, server_id="as-02", path="/healthcheck")
    documented.add_fault(kind="latency", seconds=60, server_id="as-03", path="/healthcheck")
    hung = {documented.url_of("as-02"), documented.url_of("as-03")}
    context = ssl.create_default_context(cafile=str(documented.info.ca_file))
    fetcher = fetcher_trusting(context, timeout=3.0, lanes=2, grow_every=0.2)
    urls = [*sorted(hung), *[documented.url_of("as-01")] * 20]
    try:
        outcomes = await fetcher.fetch_all(urls)
        threads = len(worker_threads())
    finally:
        await fetcher.aclose()
    for url, outcome in zip(urls, outcomes, strict=True):
        if url in hung:
            assert isinstance(outcome, UnreachableError)
            assert outcome.reason is UnreachableReason.TIMEOUT
        else:
            assert not isinstance(outcome, Exception)
            assert outcome.status == 200
    assert 2 < threads <= 4


async def test_rounds_reuse_each_urls_connection_and_handshake_only_in_the_first(
    documented: SimulatorProcess,
) -> None:
    """Three rounds a second apart over TLS: one handshake per URL, all in the first round
    (the client context's own count), so a round costs requests, not connections."""
    context = ssl.create_default_context(cafile=str(documented.info.ca_file))
    fetcher = fetcher_trusting(context)
    urls = [e.url for e in documented.info.endpoints]
    handshakes: list[int] = []
    try:
        for _ in range(3):
            outcomes = await fetcher.fetch_all(urls)
            assert all(not isinstance(o, Exception) and o.status == 200 for o in outcomes)
            handshakes.append(context.session_stats()["connect"])
            await asyncio.sleep(1.0)
        await fetcher.fetch(urls[0])  # a probe of its own between rounds: the same connection
        handshakes.append(context.session_stats()["connect"])
    finally:
        await fetcher.aclose()
    assert handshakes == [len(urls)] * 4


async def test_a_probe_during_a_round_opens_a_second_connection_and_one_is_kept(
    documented: SimulatorProcess,
) -> None:
    """A probe of a URL while the round's request to it is still waiting for its answer
    takes a connection of its own; afterwards one of the two is kept, and the next round
    needs no new handshake."""
    context = ssl.create_default_context(cafile=str(documented.info.ca_file))
    fetcher = fetcher_trusting(context)
    url = documented.url
    try:
        await fetcher.fetch_all([url])
        documented.add_fault(kind="latency", seconds=1, server_id="as-01", path="/healthcheck")
        round_task = asyncio.create_task(fetcher.fetch_all([url]))
        await wait_for_workers(1)
        probed = await fetcher.fetch(url)
        (answered,) = await round_task
        after_both = context.session_stats()["connect"]
        documented.clear_faults()
        (again,) = await fetcher.fetch_all([url])
        after_next = context.session_stats()["connect"]
    finally:
        await fetcher.aclose()
    assert not isinstance(answered, Exception)
    assert (answered.status, probed.status, again.status) == (200, 200, 200)
    assert after_both == 2
    assert after_next == 2
