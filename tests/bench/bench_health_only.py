"""Benchmark: what watching 200 health-only servers costs, against a bare HTTP baseline.

Run: ``.venv/bin/python -m tests.bench.bench_health_only [--servers 200]
[--interval 5] [--minutes 3] [--warmup-seconds 30]``.

The servers are simulator endpoints in the documented-only mode (only the healthcheck,
under a custom base path), over TLS on 127.0.0.1, spread over simulators of at most
100 servers with their clock frozen. Two workers run side by side for the same time,
so the machine's load weighs on both alike:

- ``console``: a health-only ``ConnectionSession`` listing every URL, its monitor
  polling every ``--interval`` seconds (a round of healthchecks, a snapshot, the
  per-server health events), as the window runs it;
- ``baseline``: the same GETs with plain ``httpx.AsyncClient``s, one per URL (same
  concurrency, interval and keep-alive), bodies read and dropped: the floor of the HTTP
  work alone as httpx's async client does it (the ratio's denominator since the first
  measurements);
- ``fetcher``: the same rounds through the console's ``HealthFetcher`` alone (httpcore's
  blocking API on worker threads, the path the console's prober takes): the floor of
  the console's own HTTP work.

Figures: each worker's CPU time over wall time after the warm-up, in % of one core
(target for ``console``: < 3 %), user and system time apart, their ratio, and the load
average for context.

``--sweep 1,2,4,8,16,auto`` runs one worker instead: fetchers that differ only in their
number of lanes (``auto``: the prober's own, a few lanes and more while URLs
wait) take turns, a round every ``--interval`` seconds (so each variant sees
the same load and the simulators the same rate of requests); per variant it prints the
CPU per healthcheck (user and system), context switches per healthcheck, each round's
duration, what a round every ``--interval`` seconds would cost in % of one core, and
the TLS handshakes the measured rounds started (none while connections are kept alive).

``--stacks`` runs one worker instead in which HTTP stacks take turns on the same
healthchecks (keep-alive GETs over TLS, one client, transport or pool per URL, each
stack's first round left out): ``httpx.AsyncClient``, httpcore's ``AsyncConnectionPool``
with the request built once, ``httpx.Client`` in 8 lanes, httpx's ``HTTPTransport`` and
httpcore's ``ConnectionPool`` with the request built once in 8 lanes, and the console's
``HealthFetcher``; per stack it prints the CPU per healthcheck (user and system) and
what a round of ``--servers`` every ``--interval`` seconds would cost in % of one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path
from typing import Any

from tests.bench.harness import (
    finish_worker,
    run_in_scratch,
    run_worker,
    simulators,
    start_worker,
)
from tests.bench.measure import load_average, machine_description, source_revision

CPU_TARGET_PERCENT = 3.0
SERVERS_PER_SIMULATOR = 100


def _run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    count = args.servers
    sizes = [
        min(SERVERS_PER_SIMULATOR, count - start)
        for start in range(0, count, SERVERS_PER_SIMULATOR)
    ]
    arguments = [
        ["--documented-only", "--base-path", "/MyMonitoringSystem", "--servers", str(size),
         "--time-scale", "0", "--seed", str(index)]
        for index, size in enumerate(sizes)
    ]  # fmt: skip
    with simulators(workdir, arguments) as sims:
        # Each simulator has its own CA: the workers trust a bundle of them all.
        urls = [e.url for sim in sims for e in sim.info.endpoints]
        ca_bundle = workdir / "ca-bundle.pem"
        ca_bundle.write_text(
            "".join(
                sim.info.ca_file.read_text(encoding="ascii") for sim in sims if sim.info.ca_file
            ),
            encoding="ascii",
        )
        config = {
            "urls": urls,
            "ca_file": str(ca_bundle),
            "interval": args.interval,
            "seconds": args.minutes * 60 + args.warmup_seconds,
            "warmup_seconds": args.warmup_seconds,
        }
        load_before = load_average()
        if args.stacks:
            config |= {"mode": "stacks"}
            stacks = run_worker("health_only_worker", config, workdir / "stacks.stderr")
            return one_worker_result(
                count, args.interval, stacks["wall_s"], load_before, stacks=stacks["stacks"]
            )
        if args.sweep:
            config |= {"mode": "sweep", "lanes": args.sweep}
            sweep = run_worker("health_only_worker", config, workdir / "sweep.stderr")
            return one_worker_result(
                count, args.interval, sweep["wall_s"], load_before, sweep=sweep["variants"]
            )
        workers = {
            mode: start_worker(
                "health_only_worker", config | {"mode": mode}, workdir / f"{mode}.stderr"
            )
            for mode in ("console", "baseline", "fetcher")
        }
        results = {
            mode: finish_worker(process, workdir / f"{mode}.stderr")
            for mode, process in workers.items()
        }
        load_after = load_average()
    for figures in results.values():
        figures["cpu_percent"] = 100 * figures["cpu_s"] / figures["wall_s"]
        # Per healthcheck: comparable when a starved worker completed fewer rounds.
        checks = figures["rounds"] * count
        figures["cpu_ms_per_check"] = 1000 * figures["cpu_s"] / checks if checks else None
    console, baseline, fetcher = results["console"], results["baseline"], results["fetcher"]
    return {
        "servers": count,
        "interval_s": args.interval,
        "measured_s": console["wall_s"],
        "console": console,
        "baseline": baseline,
        "fetcher": fetcher,
        "fetcher_ratio": fetcher["cpu_percent"] / max(baseline["cpu_percent"], 1e-9),
        "ratio": console["cpu_percent"] / max(baseline["cpu_percent"], 1e-9),
        "load_average": {"before": load_before, "after": load_after},
        "cpus": os.cpu_count(),
        "machine": machine_description(),
    }


def one_worker_result(
    servers: int, interval: float, measured_s: float, load_before: object, **figures: Any
) -> dict[str, Any]:
    """The result of a one-worker mode (``--stacks``, ``--sweep``): its ``figures`` with
    the run's size, the load average before and now, and the machine."""
    return {
        "servers": servers,
        "interval_s": interval,
        "measured_s": measured_s,
        **figures,
        "load_average": {"before": load_before, "after": load_average()},
        "cpus": os.cpu_count(),
        "machine": machine_description(),
    }


def _lane_counts(text: str) -> list[str]:
    parts = [part.strip() for part in text.split(",")]
    if not all(part == "auto" or (part.isdigit() and int(part) > 0) for part in parts):
        raise argparse.ArgumentTypeError("lane counts are positive numbers or 'auto'")
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--warmup-seconds", type=float, default=30.0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument(
        "--sweep",
        type=_lane_counts,
        default=None,
        help="lanes to compare, e.g. 1,2,4,8,16,auto (auto: the prober's own choice; "
        "runs the sweep worker alone)",
    )
    parser.add_argument(
        "--stacks",
        action="store_true",
        help="compare HTTP stacks on the same healthchecks (runs the stacks worker alone)",
    )
    args = parser.parse_args()
    result = run_in_scratch(args, "bench-health-only-", _run, source_revision())
    if args.stacks:
        _print_stacks(args, result)
        return
    if args.sweep:
        _print_sweep(args, result)
        return
    console, baseline = result["console"], result["baseline"]
    verdict = "met" if console["cpu_percent"] < CPU_TARGET_PERCENT else "missed"
    print(result["machine"])
    print(
        f"{result['servers']} health-only servers every {result['interval_s']:g} s, "
        f"measured {result['measured_s']:.0f} s after a {args.warmup_seconds:g} s warm-up"
    )
    fetcher = result["fetcher"]
    for name, figures in (("console ", console), ("baseline", baseline), ("fetcher ", fetcher)):
        per_check = figures["cpu_ms_per_check"]
        print(
            f"{name}: {figures['cpu_percent']:.2f} % of one core ({figures['rounds']} rounds, "
            f"{'-' if per_check is None else f'{per_check:.3f}'} ms of CPU per healthcheck; "
            f"user {figures['user_s']:.2f} s, system {figures['sys_s']:.2f} s; switches "
            f"{figures['voluntary_switches']} + {figures['involuntary_switches']}; "
            f"TLS handshakes {'-' if figures.get('handshakes') is None else figures['handshakes']})"
        )
    print(
        f"console: {console.get('online')} online at the end; "
        f"target < {CPU_TARGET_PERCENT:g} %: {verdict}"
    )
    print(f"ratio console/baseline: {result['ratio']:.2f}")
    print(f"ratio fetcher/baseline: {result['fetcher_ratio']:.2f}")
    before, after = result["load_average"]["before"], result["load_average"]["after"]
    print(f"load average (1, 5, 15 min) before {before}, after {after}")


def _print_stacks(args: argparse.Namespace, result: dict[str, Any]) -> None:
    print(result["machine"])
    print(
        f"{result['servers']} servers, the stacks taking turns for "
        f"{result['measured_s']:.0f} s after a {args.warmup_seconds:g} s warm-up"
    )
    print(
        "stack | healthchecks | CPU ms/check (user + sys) | % of one core at a round per interval"
    )
    for name, figures in result["stacks"].items():
        checks = figures["checks"]
        if not checks:
            print(f"{name} | 0 measured")
            continue
        per_check = figures["cpu_s"] / checks
        print(
            f"{name} | {checks} | {1000 * per_check:.3f} ({1000 * figures['user_s'] / checks:.3f}"
            f" + {1000 * figures['sys_s'] / checks:.3f}) | "
            f"{100 * per_check * result['servers'] / result['interval_s']:.2f} %"
        )
    before, after = result["load_average"]["before"], result["load_average"]["after"]
    print(f"load average (1, 5, 15 min) before {before}, after {after}")


def _print_sweep(args: argparse.Namespace, result: dict[str, Any]) -> None:
    print(result["machine"])
    print(
        f"{result['servers']} servers, a round every {result['interval_s']:g} s, variants "
        f"taking turns for {result['measured_s']:.0f} s after a {args.warmup_seconds:g} s "
        "warm-up"
    )
    print(
        "lanes | rounds | CPU ms/check (user + sys) | switches/check (vol, invol) | "
        "round s (median, max) | % of one core at a round per interval | handshakes | failed"
    )
    for name, figures in result["sweep"].items():
        checks = figures["checks"]
        if not checks:
            print(f"{name:>5} | 0 rounds measured")
            continue
        per_round = figures["cpu_s"] / figures["rounds"]
        print(
            f"{name:>5} | {figures['rounds']:>6} | {1000 * figures['cpu_s'] / checks:.3f} "
            f"({1000 * figures['user_s'] / checks:.3f} + {1000 * figures['sys_s'] / checks:.3f})"
            f" | {figures['voluntary_switches'] / checks:.1f}, "
            f"{figures['involuntary_switches'] / checks:.2f} | "
            f"{statistics.median(figures['round_s']):.3f}, {max(figures['round_s']):.3f} | "
            f"{100 * per_round / result['interval_s']:.2f} % | {figures['handshakes']} | "
            f"{figures['failed']}"
        )
    before, after = result["load_average"]["before"], result["load_average"]["after"]
    print(f"load average (1, 5, 15 min) before {before}, after {after}")


if __name__ == "__main__":
    main()
