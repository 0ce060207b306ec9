"""Worker: one health-only connection's monitor, or the bare HTTP baseline, measuring its
own CPU.

Configuration (stdin): ``mode`` (``console``: a ``ConnectionSession`` of a health-only
connection listing ``urls``, polled every ``interval`` seconds as the window polls it;
``baseline``: the same GETs of ``<url>/healthcheck?debug=True`` with plain
``httpx.AsyncClient``s, one per URL, same concurrency and interval, bodies read and
dropped; ``fetcher``: the same rounds through the console's ``HealthFetcher.fetch_all``
alone, the path its prober takes, without the rest of the console),
``urls``, ``ca_file``, ``interval``, ``seconds`` (the whole run) and ``warmup_seconds``.
Figures (stdout): CPU seconds and wall seconds of the measured window (after the
warm-up), rounds completed, and (console) the servers online in the last snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from typing import Any

import httpx

from app.connections import ConnectionProfile
from app.health_only.body import MAX_BODY_BYTES
from app.health_only.fetcher import HealthFetcher
from app.health_only.prober import DEFAULT_CONCURRENCY, HEALTH_PATH, KEEPALIVE_S, USER_AGENT
from app.monitor import MonitorEvent, SnapshotReceived
from app.session import ConnectionSession
from tests.bench.harness import emit_result, read_config
from tests.bench.measure import cpu_seconds


async def _never() -> str:
    raise AssertionError("a health-only connection never asks for a password")


async def _console(config: dict[str, Any]) -> dict[str, Any]:
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
        figures = await _measure(config, rounds)
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
        return await _measure(config, rounds)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await fetcher.aclose()


async def _measure(config: dict[str, Any], rounds: list[int]) -> dict[str, Any]:
    await asyncio.sleep(config["warmup_seconds"])
    cpu0, wall0, rounds0 = cpu_seconds(), time.monotonic(), rounds[0]
    await asyncio.sleep(config["seconds"] - config["warmup_seconds"])
    return {
        "cpu_s": cpu_seconds() - cpu0,
        "wall_s": time.monotonic() - wall0,
        "rounds": rounds[0] - rounds0,
    }


def main() -> None:
    config = read_config()
    run = {"console": _console, "baseline": _baseline, "fetcher": _fetcher}[config["mode"]]
    emit_result(asyncio.run(run(config)))


if __name__ == "__main__":
    main()
