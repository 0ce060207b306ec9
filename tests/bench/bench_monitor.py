"""Benchmark: the cost of cluster monitoring, in CPU and memory, over minutes.

Run: ``.venv/bin/python -m tests.bench.bench_monitor --scenario large|fleet
[--minutes 10] [--warmup-minutes 1]``.

- ``large``: one connection to a 1,000-server cluster (``--servers 1000 --endpoints 3
  --clients 100000``); its three endpoints are the connection's URLs. Only servers with
  an endpoint have a ``management_url``, so each healthcheck round probes 3 servers.
- ``fleet``: ``--connections`` (50) connections to clusters of 10 servers, spread over
  ``--simulators`` (5) simulator processes; connection k of a simulator lists three of
  its endpoints starting at the k-th, and each round probes all 10 servers.

The monitors run in a worker process of their own (``monitor_worker``), apart from the
simulators, polling every ``--poll-interval`` seconds (1; a saved connection's default
is 2). Figures: the worker's CPU time over wall time after
the warm-up (target < 5 % of one core) and its ``VmRSS`` at the end of the warm-up
against the end (target growth < 5 MB, 10^6 bytes). A line per minute shows the
worker's CPU and RSS as ``/proc`` sees them, with the simulators' CPU for context.
"""

from __future__ import annotations

import argparse
import pstats
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.bench.harness import (
    connection_config,
    finish_worker,
    run_in_scratch,
    simulators,
    start_worker,
)
from tests.bench.measure import (
    MB,
    load_average,
    machine_description,
    process_cpu_seconds,
    source_revision,
    vm_rss_bytes,
)
from tests.helpers.simulator_process import SimulatorProcess

CPU_TARGET_PERCENT = 5.0
RSS_TARGET_MB = 5.0
POLL_INTERVAL_S = 1.0
RSS_SAMPLE_S = 10.0


def simulator_arguments(args: argparse.Namespace) -> list[list[str]]:
    if args.scenario == "large":
        return [["--servers", "1000", "--endpoints", "3", "--clients", "100000"]]
    return [
        ["--servers", "10", "--clients", "1000", "--seed", str(index)]
        for index in range(args.simulators)
    ]


def connections(args: argparse.Namespace, sims: list[SimulatorProcess]) -> list[dict[str, Any]]:
    """The worker's connections: see the module docstring."""
    if args.scenario == "large":
        urls = [e.url for e in sims[0].info.endpoints]
        return [connection_config(sims[0], urls, "large")]
    result = []
    for number in range(args.connections):
        sim = sims[number % len(sims)]
        urls = [e.url for e in sim.info.endpoints]
        start = number // len(sims)
        chosen = [urls[(start + step) % len(urls)] for step in range(min(3, len(urls)))]
        result.append(connection_config(sim, chosen, f"fleet-{number}"))
    return result


def watch(worker: subprocess.Popen[str], sims: list[SimulatorProcess], seconds: float) -> None:
    """Print a progress line every minute until the worker exits."""
    started = time.monotonic()
    while True:
        try:
            worker.wait(timeout=60)
            return
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - started
        try:
            cpu, rss = process_cpu_seconds(worker.pid), vm_rss_bytes(worker.pid)
        except OSError:
            continue  # exiting right now
        sim_cpu = sum(process_cpu_seconds(s.proc.pid) for s in sims if s.proc is not None)
        print(
            f"{elapsed / 60:5.1f} of {seconds / 60:.1f} min: monitor CPU {cpu:.1f} s, "
            f"RSS {rss / MB:.1f} MB; simulators CPU {sim_cpu:.1f} s; "
            f"load {load_average()[0]:.2f}",
            flush=True,
        )


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    with simulators(workdir, simulator_arguments(args)) as sims:
        config = {
            "connections": connections(args, sims),
            "poll_interval": args.poll_interval,
            "background_poll_interval": args.background_poll_interval,
            "seconds": args.minutes * 60,
            "warmup_seconds": args.warmup_minutes * 60,
            "sample_seconds": RSS_SAMPLE_S,
            "profile": None if args.profile is None else str(args.profile.resolve()),
        }
        print(
            f"{args.scenario}: {len(config['connections'])} connection(s), {len(sims)} "
            f"simulator(s), {args.minutes:g} min with {args.warmup_minutes:g} min warm-up",
            flush=True,
        )
        sim_cpu_before = sum(process_cpu_seconds(s.proc.pid) for s in sims if s.proc)
        stderr_path = workdir / "monitor-worker.stderr.log"
        worker = start_worker("monitor_worker", config, stderr_path)
        watch(worker, sims, config["seconds"])
        figures = finish_worker(worker, stderr_path)
        sim_cpu = sum(process_cpu_seconds(s.proc.pid) for s in sims if s.proc) - sim_cpu_before
        warnings = stderr_path.read_text(encoding="utf-8").count("WARNING")
    return {
        "scenario": args.scenario,
        "poll_interval": args.poll_interval,
        "background_poll_interval": args.background_poll_interval,
        "machine": machine_description(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_average_at_end": load_average(),
        "simulators": len(sims),
        "simulator_cpu_percent": 100 * sim_cpu / figures["total_wall_seconds"],
        "worker_warning_lines": warnings,
        "cpu_percent": 100 * figures["measured_cpu_seconds"] / figures["measured_wall_seconds"],
        "cpu_percent_whole_run": 100 * figures["total_cpu_seconds"] / figures["total_wall_seconds"],
        "rss_growth_mb": (figures["rss_end"] - figures["rss_after_warmup"]) / MB,
        **figures,
    }


def background_note(result: dict[str, Any]) -> str:
    background = result.get("background_poll_interval")
    return f" (all but the first every {background:g} s, as the window)" if background else ""


def print_summary(result: dict[str, Any]) -> None:
    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    cpu, growth = result["cpu_percent"], result["rss_growth_mb"]
    minutes = result["measured_wall_seconds"] / 60
    print(
        f"\n{result['machine']}; revision {result['revision']}\n"
        f"scenario {result['scenario']}: {result['connections']} connection(s) polled every "
        f"{result['poll_interval']:g} s{background_note(result)}, clusters of "
        f"{'/'.join(map(str, result['servers_seen']))} servers, {result['simulators']} "
        f"simulator(s) using {result['simulator_cpu_percent']:.1f} % of a core\n"
        f"polls: {result['polls_ok']} ok, {result['polls_failed']} failed; changed snapshots "
        f"{result['snapshots']}; healthcheck rounds {result['health_rounds']} probing "
        f"{'/'.join(map(str, result['probed_per_round']))} servers each "
        f"({result['probes_ok']} ok, {result['probes_failed']} not); final states "
        f"{result['final_states']}\n"
        f"connections opened {result['connections_opened_after_warmup']} after warm-up, "
        f"{result['connections_opened']} in all (each a TCP connect and a TLS handshake)\n"
        f"monitor CPU        {cpu:6.2f} % of one core over {minutes:.1f} min after warm-up "
        f"(target < {CPU_TARGET_PERCENT:g} %: {verdict(cpu < CPU_TARGET_PERCENT)}); "
        f"{result['cpu_percent_whole_run']:.2f} % over the whole run\n"
        f"monitor RSS        {result['rss_after_warmup'] / MB:.1f} MB after warm-up, "
        f"{result['rss_end'] / MB:.1f} MB at the end: growth {growth:+.2f} MB (target < "
        f"{RSS_TARGET_MB:g} MB: {verdict(growth < RSS_TARGET_MB)}); range after warm-up "
        f"{result['rss_min_after_warmup'] / MB:.1f}–{result['rss_max_after_warmup'] / MB:.1f} MB"
    )


def print_profile(stats_file: Path, lines: int = 30) -> None:
    """The busiest functions of a profiled run, by own time and by cumulative time."""
    print(f"\nprofiled run (CPU figures above are inflated by cProfile): {stats_file}")
    stats = pstats.Stats(str(stats_file)).strip_dirs()
    stats.sort_stats("tottime").print_stats(lines)
    stats.sort_stats("cumulative").print_stats(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_monitor",
        description="CPU and memory of ClusterMonitor polling simulated clusters.",
    )
    parser.add_argument("--scenario", choices=("large", "fleet"), required=True)
    parser.add_argument("--minutes", type=float, default=10.0, help="whole run (default 10)")
    parser.add_argument(
        "--warmup-minutes", type=float, default=1.0, help="not measured (default 1)"
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=POLL_INTERVAL_S,
        help=f"seconds between polls of each connection (default {POLL_INTERVAL_S:g})",
    )
    parser.add_argument(
        "--background-poll-interval",
        type=float,
        help="poll every connection but the first this often, as the window does with "
        "connections that are not on screen (default: all at --poll-interval)",
    )
    parser.add_argument("--connections", type=int, default=50, help="fleet: connections")
    parser.add_argument("--simulators", type=int, default=5, help="fleet: simulator processes")
    parser.add_argument(
        "--profile",
        type=Path,
        help="run the monitors under cProfile, save the statistics here and print the "
        "busiest functions (the CPU figures are then inflated)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temp dir)")
    args = parser.parse_args()
    if not 0 < args.warmup_minutes < args.minutes:
        parser.error("--warmup-minutes must be positive and shorter than --minutes")
    if not 1 <= args.simulators <= args.connections:
        parser.error("--simulators must be between 1 and --connections")
    return args


def main() -> None:
    args = parse_args()
    result = run_in_scratch(args, f"bench-monitor-{args.scenario}-", run, source_revision())
    print_summary(result)
    if args.profile is not None:
        print_profile(args.profile)


if __name__ == "__main__":
    main()
