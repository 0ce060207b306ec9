"""Benchmark: a 1 GiB log archive over loopback TLS, curl against our ``LogDownload``.

Run: ``.venv/bin/python -m tests.bench.bench_download [--rounds 3] [--log-size BYTES]
[--bare]``.

One simulator serves the archive; it is built (and the build awaited) before anything
is timed. In each round curl and our download (a fresh worker process, see
``download_worker``) fetch it one after the other, curl first in odd rounds and second
in even ones, so that a drift in machine load favours neither. Every saved file is
checked (size, zip CRCs, the same SHA-256 for all) and deleted. Figures (MB is 10^6
bytes throughout): MB/s of each, the ratio ours/curl of the medians (target >= 0.8),
our peak RSS growth (target < 32 MB), and the stalls of the event loop our download
ran on (the window's qasync loop by default; target: none over 50 ms). The ratio is
the transfer's (until the file is written and closed, as curl's ``time_total``); the
end-to-end ratio adds what follows it (the size and zip checks, the move into place).
With ``--bare`` each round also times httpx's blocking client writing the archive behind
itself, without anything ``LogDownload`` adds (the floor of the stock stack). Below the ratio
target (or with ``--analyse always``) the variants of ``download_analysis`` locate the
gap.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.bench.download_analysis import Variant, analyse
from tests.bench.download_tools import (
    Download,
    bare_download,
    check_archive,
    curl_download,
    logs_url,
    our_download,
    warm_up,
)
from tests.bench.harness import (
    access_token,
    connection_config,
    run_in_scratch,
    run_worker,
    simulators,
)
from tests.bench.measure import MB, load_average, machine_description, source_revision
from tests.helpers.simulator_process import SimulatorProcess

RATIO_TARGET = 0.8
RSS_TARGET_MB = 32.0
STALL_TARGET_MS = 50.0


def timed_rounds(
    sim: SimulatorProcess,
    config: dict[str, Any],
    header_file: Path,
    workdir: Path,
    *,
    rounds: int,
    size: int,
    bare: str | None = None,
) -> tuple[list[Download], list[dict[str, Any]]]:
    """The alternating rounds; every saved file is checked against ``size`` bytes. After
    each of our downloads an idle loop is probed as long (the control for stalls). With
    ``bare`` (a token) each round also has the bare blocking client write the archive
    (``bare_download``; its file is not kept, so not checked)."""
    downloads: list[Download] = []
    digests: set[str] = set()
    controls: list[dict[str, Any]] = []
    tools = ("curl", "ours", "bare") if bare is not None else ("curl", "ours")
    for number in range(1, rounds + 1):
        order = tools if number % 2 else tools[::-1]
        for tool in order:
            folder = workdir / f"{tool}-{number}"
            folder.mkdir()
            if tool == "bare":
                assert bare is not None
                result = bare_download(sim, bare, folder, workdir, number)
                shutil.rmtree(folder)
                downloads.append(result)
                print(result.describe(), flush=True)
                continue
            if tool == "curl":
                saved = folder / "logs.zip"
                result = curl_download(sim, header_file, saved, number)
            else:
                result, saved = our_download(config | {"folder": str(folder)}, workdir, number)
            digests.add(check_archive(saved, size))
            shutil.rmtree(folder)
            downloads.append(result)
            print(result.describe(), flush=True)
            if tool == "ours":
                controls.append(idle_control(config, workdir, result.seconds))
    if len(digests) != 1:
        raise RuntimeError("the downloads do not all have the same content")
    return downloads, controls


def idle_control(config: dict[str, Any], workdir: Path, seconds: float) -> dict[str, Any]:
    """The same loop probed for as long as our download took, with nothing to do."""
    control_config = config | {"idle_seconds": max(1.0, seconds)}
    figures = run_worker("download_worker", control_config, workdir / "idle.stderr.log")
    print(
        f"  control, {figures['loop']} loop idle for {seconds:.1f} s: longest stall "
        f"{figures['loop_max_stall_ms']:.1f} ms, {figures['loop_stalls_over_50ms']} over 50 ms",
        flush=True,
    )
    return figures


def median_rate(downloads: list[Download], tool: str) -> float:
    return statistics.median(d.mb_per_s for d in downloads if d.tool == tool)


def median_cpu(downloads: list[Download], tool: str) -> float:
    return statistics.median(d.cpu_seconds or 0.0 for d in downloads if d.tool == tool)


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Start the simulator, warm it up, run the rounds and, if asked, the analysis."""
    sim_args = ["--servers", "1", "--clients", "10", "--log-size", str(args.log_size)]
    with simulators(workdir, [sim_args]) as (sim,):
        token = access_token(sim, sim.url)
        header_file = workdir / "curl-headers.txt"
        header_file.touch(mode=0o600)
        header_file.write_text(f"Authorization: Bearer {token}\n", encoding="ascii")
        size, build_seconds = warm_up(sim, token)
        print(f"archive: {size} bytes; built in {build_seconds:.1f} s (not timed)", flush=True)
        config = connection_config(sim, [sim.url], "bench") | {
            "server_id": sim.info.endpoints[0].server_id,
            "profile": None,
            "chunk_size": None,
            "loop": args.loop,
        }
        downloads, controls = timed_rounds(
            sim,
            config,
            header_file,
            workdir,
            rounds=args.rounds,
            size=size,
            bare=token if args.bare else None,
        )
        ratio = median_rate(downloads, "ours") / median_rate(downloads, "curl")
        variants: list[Variant] = []
        if args.analyse == "always" or (args.analyse == "auto" and ratio < RATIO_TARGET):
            print("analysing where the time goes…", flush=True)
            variants, profile_text = analyse(
                config, logs_url(sim), token, workdir, size=size, repeats=args.rounds
            )
            print(profile_text)
    return summary(downloads, variants, size, build_seconds) | {
        "control_loop_max_stall_ms": max(c["loop_max_stall_ms"] for c in controls),
        "control_loop_stalls_over_50ms": sum(c["loop_stalls_over_50ms"] for c in controls),
    }


def summary(
    downloads: list[Download], variants: list[Variant], size: int, build_seconds: float
) -> dict[str, Any]:
    ours = [d for d in downloads if d.tool == "ours"]
    curl_rate, our_rate = median_rate(downloads, "curl"), median_rate(downloads, "ours")
    end_to_end = statistics.median(size / (d.total_seconds or d.seconds) / MB for d in ours)
    rss = max(max(d.rss_growth_mb or 0.0, d.rss_peak_growth_mb or 0.0) for d in ours)
    stall = max(d.loop_max_stall_ms or 0.0 for d in ours)
    stalls = sum(d.loop_stalls_over_50ms or 0 for d in ours)
    return {
        "machine": machine_description(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_average_after": load_average(),
        "archive_bytes": size,
        "archive_build_seconds": build_seconds,
        "downloads": [asdict(d) | {"mb_per_s": d.mb_per_s} for d in downloads],
        "curl_median_mb_per_s": curl_rate,
        "ours_median_mb_per_s": our_rate,
        "ours_end_to_end_median_mb_per_s": end_to_end,
        "curl_median_cpu_seconds": median_cpu(downloads, "curl"),
        "ours_median_cpu_seconds": median_cpu(downloads, "ours"),
        "ratio": our_rate / curl_rate,
        "ratio_end_to_end": end_to_end / curl_rate,
        "max_rss_growth_mb": rss,
        "loop": ours[0].loop,
        "loop_max_stall_ms": stall,
        "loop_stalls_over_50ms": stalls,
        "variants": [asdict(v) | {"mb_per_s": v.mb_per_s} for v in variants],
    } | bare_summary(downloads, curl_rate)


def bare_summary(downloads: list[Download], curl_rate: float) -> dict[str, Any]:
    """The bare blocking client's median and ratio, when it took part."""
    if not any(d.tool == "bare" for d in downloads):
        return {}
    rate = median_rate(downloads, "bare")
    return {
        "bare_median_mb_per_s": rate,
        "bare_median_cpu_seconds": median_cpu(downloads, "bare"),
        "bare_ratio": rate / curl_rate,
    }


def print_summary(result: dict[str, Any]) -> None:
    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    ratio, rss = result["ratio"], result["max_rss_growth_mb"]
    print(
        f"\n{result['machine']}; revision {result['revision']}\n"
        f"curl median        {result['curl_median_mb_per_s']:7.1f} MB/s, CPU "
        f"{result['curl_median_cpu_seconds']:.2f} s\n"
        f"ours median        {result['ours_median_mb_per_s']:7.1f} MB/s (transfer), CPU "
        f"{result['ours_median_cpu_seconds']:.2f} s (run())\n"
        f"ours end to end    {result['ours_end_to_end_median_mb_per_s']:7.1f} MB/s "
        "(with the size and zip CRC checks and the move into place)\n"
        + (
            f"bare client median {result['bare_median_mb_per_s']:7.1f} MB/s, CPU "
            f"{result['bare_median_cpu_seconds']:.2f} s (httpx's blocking Client, written "
            f"behind it: no progress, resume or checks); ratio {result['bare_ratio']:.2f}\n"
            if "bare_ratio" in result
            else ""
        )
        + f"ratio ours/curl    {ratio:7.2f} (transfer; target >= {RATIO_TARGET}: "
        f"{verdict(ratio >= RATIO_TARGET)}); end to end {result['ratio_end_to_end']:.2f}\n"
        f"peak RSS growth    {rss:7.1f} MB (target < {RSS_TARGET_MB:.0f} MB: "
        f"{verdict(rss < RSS_TARGET_MB)})\n"
        f"{result['loop']} loop stalls {result['loop_max_stall_ms']:6.1f} ms longest, "
        f"{result['loop_stalls_over_50ms']} over {STALL_TARGET_MS:.0f} ms (target none: "
        f"{verdict(result['loop_stalls_over_50ms'] == 0)})\n"
        f"  control: idle    {result['control_loop_max_stall_ms']:6.1f} ms longest, "
        f"{result['control_loop_stalls_over_50ms']} over {STALL_TARGET_MS:.0f} ms (the same loop "
        "with nothing to do, as long: the machine's own lateness)"
    )
    for variant in result["variants"]:
        print(f"  {variant['name']:38} {variant['mb_per_s']:7.1f} MB/s  {variant['note']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_download",
        description="A log archive over loopback TLS: curl against LogDownload.",
    )
    parser.add_argument("--rounds", type=int, default=3, help="downloads per tool (default 3)")
    parser.add_argument(
        "--log-size", type=int, default=1 << 30, help="archive size in bytes (default 1 GiB)"
    )
    parser.add_argument(
        "--analyse",
        choices=("auto", "always", "never"),
        default="auto",
        help="locate the time (bare stacks, chunk sizes, cProfile): below target (auto)",
    )
    parser.add_argument(
        "--loop",
        choices=("qasync", "asyncio"),
        default="qasync",
        help="our download on the window's loop (qasync, offscreen) or asyncio's (CLI)",
    )
    parser.add_argument(
        "--bare",
        action="store_true",
        help="also time httpx's blocking client writing behind itself in every round",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temp dir)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return args


def main() -> None:
    args = parse_args()
    result = run_in_scratch(args, "bench-download-", run, source_revision())
    print_summary(result)


if __name__ == "__main__":
    main()
