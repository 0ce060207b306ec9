"""Worker: one health-only connection's monitor, or the bare HTTP baseline, measuring its
own CPU.

Configuration (stdin): ``mode`` (``console``: a ``ConnectionSession`` of a health-only
connection listing ``urls``, polled every ``interval`` seconds as the window polls it;
``baseline``: the same GETs of ``<url>/healthcheck?debug=True`` with plain
``httpx.AsyncClient``s, one per URL, same concurrency and interval, bodies read and
dropped; ``fetcher``: the same rounds through the console's ``HealthFetcher.fetch_all``
alone, the path its prober takes, without the rest of the console),
``sweep``: rounds of ``HealthFetcher.fetch_all`` taking turns between fetchers that
differ only in their lanes (``lanes``: a list of lane counts, or ``auto`` for the
prober's own choice), one round every
``interval`` seconds, so every variant sees the same load and the same rate of
requests),
``stacks``: the same healthchecks through several HTTP stacks taking turns, a round of
every URL per stack, one stack after the other, a round every ``interval`` seconds
(blocking stacks in ``STACK_LANES`` lanes, async ones ``DEFAULT_CONCURRENCY`` at a time,
one client, pool or transport per URL, connections kept alive): the CPU per healthcheck
of each stack under the same load,
``urls``, ``ca_file``, ``interval``, ``seconds`` (the whole run) and ``warmup_seconds``.
Figures (stdout): CPU seconds (user and system apart), context switches and wall
seconds of the measured window (after the warm-up), rounds completed, and (console) the
servers online in the last snapshot; ``sweep``: the same per variant, counted over its
own rounds, with each round's duration and the TLS handshakes it started (the
SSL context's ``session_stats``: zero when every connection was kept alive).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import ssl
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpcore
import httpx

from app.api.settings import TlsTrust, TrustMode
from app.api.tls import build_ssl_context
from app.connections import ConnectionProfile
from app.health_only import prober as prober_module
from app.health_only.body import MAX_BODY_BYTES
from app.health_only.fetcher import HealthFetcher
from app.health_only.prober import DEFAULT_CONCURRENCY, HEALTH_PATH, KEEPALIVE_S, USER_AGENT
from app.monitor import MonitorEvent, SnapshotReceived
from app.session import ConnectionSession
from tests.bench.harness import emit_result, read_config


async def _never() -> str:
    raise AssertionError("a health-only connection never asks for a password")


def _recording_contexts() -> list[ssl.SSLContext]:
    """The SSL contexts the prober builds from now on, to count their TLS handshakes
    (``session_stats``): the worker wraps the prober's context factory, nothing else."""
    contexts: list[ssl.SSLContext] = []
    build = build_ssl_context  # the prober's, from app.api.tls

    def recording(trust: TlsTrust, **options: Any) -> ssl.SSLContext:
        context = build(trust, **options)
        contexts.append(context)
        return context

    prober_module.build_ssl_context = recording  # type: ignore[attr-defined]
    return contexts


def _handshakes(contexts: list[ssl.SSLContext]) -> Callable[[], int]:
    """The TLS handshakes the ``contexts`` started so far (as clients)."""
    return lambda: sum(context.session_stats()["connect"] for context in contexts)


async def _console(config: dict[str, Any]) -> dict[str, Any]:
    contexts = _recording_contexts()
    profile = ConnectionProfile(
        name="Bench",
        kind="health_only",
        urls=config["urls"],
        tls={"mode": "ca_file", "ca_file": config["ca_file"]},
        proxy={"mode": "none"},
        poll_interval_s=config["interval"],
    )
    session = ConnectionSession(profile, _never)
    rounds = [0]
    online = [0]

    def listen(event: MonitorEvent) -> None:
        if isinstance(event, SnapshotReceived):
            rounds[0] += 1
            online[0] = sum(1 for s in event.snapshot.servers if s.status.value == "online")

    session.monitor.subscribe(listen)
    session.start()
    try:
        figures = await _measure(config, rounds, _handshakes(contexts))
    finally:
        await session.aclose()
    return figures | {"online": online[0]}


async def _baseline(config: dict[str, Any]) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=config["ca_file"])
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=1, keepalive_expiry=75)
    limit = asyncio.Semaphore(DEFAULT_CONCURRENCY)
    rounds = [0]
    # One client per URL sharing one SSL context, as the console does: the cheapest way
    # to make these requests with httpx (one pool for all scans its connections per request).
    clients = {
        url: httpx.AsyncClient(verify=context, limits=limits, trust_env=False)
        for url in config["urls"]
    }

    async def get(url: str) -> None:
        async with limit:
            try:
                response = await clients[url].get(url + HEALTH_PATH, timeout=5.0)
                _ = response.content
            except httpx.HTTPError:
                pass

    async def loop() -> None:
        while True:
            await asyncio.gather(*(get(url) for url in config["urls"]))
            rounds[0] += 1
            await asyncio.sleep(config["interval"])

    task = asyncio.create_task(loop())
    try:
        return await _measure(config, rounds)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for client in clients.values():
            await client.aclose()


async def _fetcher(config: dict[str, Any]) -> dict[str, Any]:
    context = ssl.create_default_context(cafile=config["ca_file"])
    fetcher = HealthFetcher(
        path=HEALTH_PATH,
        headers={"Accept": "*/*", "User-Agent": USER_AGENT},
        timeout=5.0,
        workers=DEFAULT_CONCURRENCY,
        max_body=MAX_BODY_BYTES,
        keepalive=KEEPALIVE_S,
        context_for=lambda url: context,
        proxy_for=lambda url: None,
    )
    rounds = [0]

    async def loop() -> None:
        while True:
            await fetcher.fetch_all(config["urls"])  # the prober's round, typed errors kept
            rounds[0] += 1
            await asyncio.sleep(config["interval"])

    task = asyncio.create_task(loop())
    try:
        return await _measure(config, rounds, _handshakes([context]))
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await fetcher.aclose()


def _usage() -> tuple[float, float, int, int]:
    """User and system CPU seconds, voluntary and involuntary context switches (all threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime, usage.ru_nvcsw, usage.ru_nivcsw


def _usage_since(before: tuple[float, float, int, int]) -> dict[str, float]:
    after = _usage()
    return {
        "user_s": after[0] - before[0],
        "sys_s": after[1] - before[1],
        "voluntary_switches": after[2] - before[2],
        "involuntary_switches": after[3] - before[3],
    }


async def _sweep(config: dict[str, Any]) -> dict[str, Any]:
    """Fetchers that differ only in their lanes take turns, a round every ``interval``."""
    context = ssl.create_default_context(cafile=config["ca_file"])
    urls = config["urls"]
    variants = [str(lanes) for lanes in config["lanes"]]

    def fetcher(name: str) -> HealthFetcher:
        # A number: that many lanes throughout; "auto": the prober's own (a few lanes,
        # more while URLs wait, up to its concurrency).
        lanes = {} if name == "auto" else {"lanes": int(name)}
        return HealthFetcher(
            path=HEALTH_PATH,
            headers={"Accept": "*/*", "User-Agent": USER_AGENT},
            timeout=5.0,
            workers=DEFAULT_CONCURRENCY if name == "auto" else int(name),
            max_body=MAX_BODY_BYTES,
            keepalive=KEEPALIVE_S,
            context_for=lambda url: context,
            proxy_for=lambda url: None,
            **lanes,
        )

    fetchers = {name: fetcher(name) for name in variants}
    totals = {
        name: {"rounds": 0, "checks": 0, "failed": 0, "cpu_s": 0.0, "user_s": 0.0,
               "sys_s": 0.0, "voluntary_switches": 0, "involuntary_switches": 0,
               "handshakes": 0, "round_s": []}
        for name in variants
    }  # fmt: skip
    started = time.monotonic()
    measured_from = started + config["warmup_seconds"]
    turn = 0
    try:
        while (now := time.monotonic()) < started + config["seconds"]:
            name = variants[turn % len(variants)]
            turn += 1
            before, wall0 = _usage(), time.perf_counter()
            connects = context.session_stats()["connect"]  # TLS handshakes started
            outcomes = await fetchers[name].fetch_all(urls)
            wall = time.perf_counter() - wall0
            spent = _usage_since(before)
            handshakes = context.session_stats()["connect"] - connects
            if now >= measured_from and turn > len(variants):  # each one's first round: warm-up
                figures = totals[name]
                figures["rounds"] += 1
                figures["checks"] += len(urls)
                figures["failed"] += sum(isinstance(o, Exception) for o in outcomes)
                figures["cpu_s"] += spent["user_s"] + spent["sys_s"]
                for key, value in spent.items():
                    figures[key] += value
                figures["handshakes"] += handshakes
                figures["round_s"].append(round(wall, 4))
            await asyncio.sleep(max(0.0, config["interval"] - wall))
    finally:
        for fetcher in fetchers.values():
            await fetcher.aclose()
    return {"variants": totals, "wall_s": time.monotonic() - measured_from}


STACK_LANES = 8
"""Lanes of the blocking stacks in ``stacks`` (the fetcher's base lanes)."""


def _in_lanes(urls: list[str], one: Callable[[str], object]) -> None:
    """``one(url)`` for every URL, ``STACK_LANES`` threads each taking the next URL."""
    queue = deque(urls)

    def lane() -> None:
        while True:
            try:
                url = queue.popleft()
            except IndexError:
                return
            with contextlib.suppress(httpx.HTTPError, httpcore.NetworkError):
                one(url)

    with ThreadPoolExecutor(STACK_LANES) as threads:
        for future in [threads.submit(lane) for _ in range(STACK_LANES)]:
            future.result()


def _core_request(url: str) -> httpcore.Request:
    request = httpx.Request("GET", url + HEALTH_PATH, headers=_HEADERS)
    return httpcore.Request(
        "GET",
        httpcore.URL(
            scheme=request.url.raw_scheme,
            host=request.url.raw_host,
            port=request.url.port,
            target=request.url.raw_path,
        ),
        headers=request.headers.raw,
        extensions=_TIMEOUTS,
    )


_HEADERS = {"Accept": "*/*", "User-Agent": USER_AGENT}
_TIMEOUTS = {"timeout": dict.fromkeys(("connect", "read", "write", "pool"), 5.0)}


async def _stacks(config: dict[str, Any]) -> dict[str, Any]:
    """HTTP stacks take turns on the same healthchecks (see the module docstring)."""
    context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=Path(config["ca_file"])))
    urls: list[str] = config["urls"]
    limits = httpx.Limits(max_connections=2, max_keepalive_connections=1, keepalive_expiry=75)
    pool_options: dict[str, Any] = {
        "ssl_context": context, "max_connections": 2, "max_keepalive_connections": 1,
        "keepalive_expiry": KEEPALIVE_S,
    }  # fmt: skip
    limit = asyncio.Semaphore(DEFAULT_CONCURRENCY)
    async_clients = {
        u: httpx.AsyncClient(verify=context, limits=limits, trust_env=False) for u in urls
    }
    async_pools = {
        u: (httpcore.AsyncConnectionPool(**pool_options), _core_request(u)) for u in urls
    }
    clients = {u: httpx.Client(verify=context, limits=limits, trust_env=False) for u in urls}
    transports = {
        u: (
            httpx.HTTPTransport(verify=context, limits=limits),
            httpx.Request("GET", u + HEALTH_PATH, headers=_HEADERS, extensions=_TIMEOUTS),
        )
        for u in urls
    }  # fmt: skip
    pools = {u: (httpcore.ConnectionPool(**pool_options), _core_request(u)) for u in urls}
    fetcher = HealthFetcher(
        path=HEALTH_PATH, headers=_HEADERS, timeout=5.0, workers=DEFAULT_CONCURRENCY,
        max_body=MAX_BODY_BYTES, keepalive=KEEPALIVE_S, context_for=lambda url: context,
        proxy_for=lambda url: None,
    )  # fmt: skip

    async def async_client_get(url: str) -> None:
        async with limit:
            with contextlib.suppress(httpx.HTTPError):
                client = async_clients[url]
                await client.get(url + HEALTH_PATH, headers=_HEADERS, timeout=5.0)  # body read

    async def async_pool_get(url: str) -> None:
        pool, request = async_pools[url]
        async with limit:
            with contextlib.suppress(httpcore.NetworkError, httpcore.TimeoutException):
                response = await pool.handle_async_request(request)
                try:
                    async for _ in response.stream:  # type: ignore[union-attr]
                        pass
                finally:
                    await response.aclose()

    def client_get(url: str) -> None:
        clients[url].get(url + HEALTH_PATH, headers=_HEADERS, timeout=5.0).read()

    def transport_get(url: str) -> None:
        transport, request = transports[url]
        response = transport.handle_request(request)
        try:
            for _ in response.iter_raw():
                pass
        finally:
            response.close()

    def pool_get(url: str) -> None:
        pool, request = pools[url]
        response = pool.handle_request(request)
        try:
            for _ in response.stream:  # type: ignore[union-attr]
                pass
        finally:
            response.close()

    async def lanes_of(one: Callable[[str], object]) -> None:
        _in_lanes(urls, one)  # blocks the loop: nothing else runs in this worker

    rounds: dict[str, Callable[[], Awaitable[object]]] = {
        "httpx.AsyncClient.get": lambda: asyncio.gather(*map(async_client_get, urls)),
        "httpcore.AsyncConnectionPool, request reused": lambda: asyncio.gather(
            *map(async_pool_get, urls)
        ),
        "httpx.Client.get, lanes": lambda: lanes_of(client_get),
        "httpx.HTTPTransport, request reused, lanes": lambda: lanes_of(transport_get),
        "httpcore.ConnectionPool, request reused, lanes": lambda: lanes_of(pool_get),
        "HealthFetcher.fetch_all (the console's)": lambda: fetcher.fetch_all(urls),
    }
    totals = {name: {"checks": 0, "cpu_s": 0.0, "user_s": 0.0, "sys_s": 0.0} for name in rounds}
    started = time.monotonic()
    measured_from = started + config["warmup_seconds"]
    try:
        first = True
        while (now := time.monotonic()) < started + config["seconds"]:
            for name, round_ in rounds.items():
                before, wall0 = _usage(), time.perf_counter()
                await round_()
                spent = _usage_since(before)
                if now >= measured_from and not first:  # each one's first round: handshakes
                    figures = totals[name]
                    figures["checks"] += len(urls)
                    figures["cpu_s"] += spent["user_s"] + spent["sys_s"]
                    figures["user_s"] += spent["user_s"]
                    figures["sys_s"] += spent["sys_s"]
                await asyncio.sleep(
                    max(0.0, config["interval"] / len(rounds) - (time.perf_counter() - wall0))
                )
            first = False
    finally:
        await fetcher.aclose()
        for client in async_clients.values():
            await client.aclose()
        for async_pool, _ in async_pools.values():
            await async_pool.aclose()
        for client_ in clients.values():
            client_.close()
        for transport, _ in transports.values():
            transport.close()
        for pool, _ in pools.values():
            pool.close()
    return {"stacks": totals, "wall_s": time.monotonic() - measured_from}


async def _measure(
    config: dict[str, Any], rounds: list[int], handshakes: Callable[[], int] | None = None
) -> dict[str, Any]:
    """CPU, wall time and rounds over the measured window; with ``handshakes``, also the
    TLS handshakes started in it (none while every connection is kept alive)."""
    await asyncio.sleep(config["warmup_seconds"])
    before, wall0, rounds0 = _usage(), time.monotonic(), rounds[0]
    handshakes0 = handshakes() if handshakes else 0
    await asyncio.sleep(config["seconds"] - config["warmup_seconds"])
    spent = _usage_since(before)
    return {
        "cpu_s": spent["user_s"] + spent["sys_s"],
        "wall_s": time.monotonic() - wall0,
        "rounds": rounds[0] - rounds0,
        "handshakes": handshakes() - handshakes0 if handshakes else None,
    } | spent


def main() -> None:
    config = read_config()
    run = {
        "console": _console,
        "baseline": _baseline,
        "fetcher": _fetcher,
        "sweep": _sweep,
        "stacks": _stacks,
    }[config["mode"]]
    emit_result(asyncio.run(run(config)))


if __name__ == "__main__":
    main()
