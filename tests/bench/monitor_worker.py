"""Worker: ``ClusterMonitor``s polling simulated clusters, measuring their own cost.

One ``ManagementClient`` and one ``ClusterMonitor`` per connection, built as
``ConnectionSession`` builds them (only ``poll_interval`` set; the per-server
healthcheck round runs at its default interval), all on one asyncio loop.

Configuration (stdin): ``connections`` (``harness.connection_config`` objects),
``poll_interval``, ``background_poll_interval`` (null, or the interval of every
connection but the first, as the window polls connections that are not on screen),
``seconds`` (the whole run), ``warmup_seconds`` and
``sample_seconds`` (how often ``VmRSS`` is sampled) and ``profile`` (a path for
cProfile statistics of the whole run, or null; profiling inflates the CPU figures).
Figures (stdout): CPU and wall
time of the measured window (after the warm-up) and of the whole run, ``VmRSS`` at
the end of the warm-up and at the end with the samples in between, the HTTP
connections opened (each one a TCP connect and a TLS handshake), and what the
monitors saw (polls, snapshots, healthcheck rounds and probes, final states).
"""

from __future__ import annotations

import asyncio
import cProfile
import time
from collections import Counter
from typing import Any, Self

import httpcore
from httpcore import Origin

from app.api.client import ManagementClient, PasswordSource
from app.monitor import (
    ClusterMonitor,
    ConnectionState,
    HealthUpdated,
    MonitorEvent,
    SnapshotReceived,
    StatusChanged,
)
from tests.bench.harness import emit_result, endpoint_settings, read_config
from tests.bench.measure import cpu_seconds, vm_rss_bytes

_AFTER_SUCCESS = (ConnectionState.CONNECTED, ConnectionState.DEGRADED)


class Tally:
    """Counts one monitor's events."""

    def __init__(self) -> None:
        self.polls_ok = 0
        self.polls_failed = 0
        self.snapshots = 0
        self.health_rounds = 0
        self.probes_ok = 0
        self.probes_failed = 0
        self.probed_last_round = 0

    def __call__(self, event: MonitorEvent) -> None:
        if isinstance(event, SnapshotReceived):
            self.snapshots += 1
        elif isinstance(event, HealthUpdated):
            self.health_rounds += 1
            self.probed_last_round = len(event.health)
            for health in event.health.values():
                if health.report is not None and health.report.ok:
                    self.probes_ok += 1
                else:
                    self.probes_failed += 1
        elif isinstance(event, StatusChanged):
            if event.status.failures:
                self.polls_failed += 1
            elif event.status.state in _AFTER_SUCCESS:
                self.polls_ok += 1


class ConnectionCounter:
    """Counts the connections every httpcore ``AsyncConnectionPool`` in this process
    creates (each is a TCP connect and a TLS handshake), while used as a context."""

    def __init__(self) -> None:
        self.count = 0
        self._original = httpcore.AsyncConnectionPool.create_connection

    def __enter__(self) -> Self:
        original = self._original

        def counting(pool: httpcore.AsyncConnectionPool, origin: Origin) -> Any:
            self.count += 1
            return original(pool, origin)

        pool_class = httpcore.AsyncConnectionPool
        pool_class.create_connection = counting  # type: ignore[method-assign,assignment]
        return self

    def __exit__(self, *exc_info: object) -> None:
        httpcore.AsyncConnectionPool.create_connection = self._original  # type: ignore[method-assign]


def password_source(password: str) -> PasswordSource:
    async def source() -> str:
        return password

    return source


async def sample_rss(samples: list[tuple[float, int]], every: float, origin: float) -> None:
    while True:
        samples.append((time.perf_counter() - origin, vm_rss_bytes()))
        await asyncio.sleep(every)


async def monitor_for(config: dict[str, Any], opened: ConnectionCounter) -> dict[str, Any]:
    """Run every connection's monitor for ``config["seconds"]``; return the figures.

    ``opened`` counts the HTTP connections (TLS handshakes) of the whole process.
    """
    origin, cpu_origin = time.perf_counter(), cpu_seconds()
    clients = [
        ManagementClient(endpoint_settings(c), password_source(c["password"]))
        for c in config["connections"]
    ]
    monitors = [ClusterMonitor(c, poll_interval=config["poll_interval"]) for c in clients]
    background = config.get("background_poll_interval")
    for monitor in monitors[1:] if background else ():
        monitor.set_poll_interval(max(background, config["poll_interval"]))
    tallies = [Tally() for _ in monitors]
    for monitor, tally in zip(monitors, tallies, strict=True):
        monitor.subscribe(tally)
        monitor.start()
    samples: list[tuple[float, int]] = []
    sampler = asyncio.create_task(sample_rss(samples, config["sample_seconds"], origin))
    await asyncio.sleep(config["warmup_seconds"])
    warm_wall, warm_cpu, warm_rss = time.perf_counter(), cpu_seconds(), vm_rss_bytes()
    warm_opened = opened.count
    await asyncio.sleep(config["seconds"] - config["warmup_seconds"])
    end_wall, end_cpu, end_rss = time.perf_counter(), cpu_seconds(), vm_rss_bytes()
    end_opened = opened.count
    sampler.cancel()
    final_states = Counter(m.status.state.value for m in monitors)
    servers_seen = {len(m.snapshot.servers) for m in monitors if m.snapshot is not None}
    for monitor in monitors:
        await monitor.stop()
    for client in clients:
        await client.aclose()
    later = [rss for t, rss in samples if t >= warm_wall - origin]
    return {
        "connections": len(monitors),
        "measured_wall_seconds": end_wall - warm_wall,
        "measured_cpu_seconds": end_cpu - warm_cpu,
        "total_wall_seconds": end_wall - origin,
        "total_cpu_seconds": end_cpu - cpu_origin,
        "cpu_seconds_before_start": cpu_origin,
        "rss_after_warmup": warm_rss,
        "rss_end": end_rss,
        "rss_min_after_warmup": min([warm_rss, end_rss, *later]),
        "rss_max_after_warmup": max([warm_rss, end_rss, *later]),
        "rss_samples": samples,
        "connections_opened": end_opened,
        "connections_opened_after_warmup": end_opened - warm_opened,
        "servers_seen": sorted(servers_seen),
        "polls_ok": sum(t.polls_ok for t in tallies),
        "polls_failed": sum(t.polls_failed for t in tallies),
        "snapshots": sum(t.snapshots for t in tallies),
        "health_rounds": sum(t.health_rounds for t in tallies),
        "probes_ok": sum(t.probes_ok for t in tallies),
        "probes_failed": sum(t.probes_failed for t in tallies),
        "probed_per_round": sorted({t.probed_last_round for t in tallies}),
        "final_states": dict(final_states),
    }


def main() -> None:
    config = read_config()
    with ConnectionCounter() as opened:
        if config.get("profile") is None:
            emit_result(asyncio.run(monitor_for(config, opened)))
            return
        profiler = cProfile.Profile()
        result = profiler.runcall(asyncio.run, monitor_for(config, opened))
    profiler.dump_stats(config["profile"])
    emit_result(result)


if __name__ == "__main__":
    main()
