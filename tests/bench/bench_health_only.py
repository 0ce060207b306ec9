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
(target for ``console``: < 3 %), their ratio, and the load average for context.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from tests.bench.harness import finish_worker, run_in_scratch, simulators, start_worker
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=200)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--warmup-seconds", type=float, default=30.0)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = run_in_scratch(args, "bench-health-only-", _run, source_revision())
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
            f"{'-' if per_check is None else f'{per_check:.3f}'} ms of CPU per healthcheck)"
        )
    print(
        f"console: {console.get('online')} online at the end; "
        f"target < {CPU_TARGET_PERCENT:g} %: {verdict}"
    )
    print(f"ratio console/baseline: {result['ratio']:.2f}")
    print(f"ratio fetcher/baseline: {result['fetcher_ratio']:.2f}")
    before, after = result["load_average"]["before"], result["load_average"]["after"]
    print(f"load average (1, 5, 15 min) before {before}, after {after}")


if __name__ == "__main__":
    main()
