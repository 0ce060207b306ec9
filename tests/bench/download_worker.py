"""Worker: one ``LogDownload`` through ``ManagementClient`` in a fresh process.

Configuration (stdin): a ``harness.connection_config`` plus ``server_id``, ``folder``,
``chunk_size`` (null: the core's default) and ``profile`` (a path for cProfile
statistics of the event-loop thread, or null).
Figures (stdout): the saved file, bytes, the transfer time (start of ``run()`` to the
final progress report, which comes after the last byte is written and the file is
closed), the total time of ``run()`` (adding the size and zip checks and the move to
the final name), the CPU time of ``run()`` (all threads), and memory: ``ru_maxrss``
and ``VmRSS`` before the download, the peak ``VmRSS`` sampled during it, and
``ru_maxrss`` after it.
"""

from __future__ import annotations

import asyncio
import cProfile
import time
from pathlib import Path
from typing import Any

from app.api.client import ManagementClient
from app.api.logstream import DEFAULT_CHUNK_SIZE
from app.downloads import DownloadProgress, LogDownload
from tests.bench.harness import emit_result, endpoint_settings, read_config
from tests.bench.measure import RssSampler, cpu_seconds, peak_rss_bytes, vm_rss_bytes


async def download(config: dict[str, Any]) -> dict[str, Any]:
    """Run the download described by ``config`` and return its figures."""
    password: str = config["password"]

    async def password_source() -> str:
        return password

    finished_at: list[float] = []
    done: list[int] = []

    def on_progress(progress: DownloadProgress) -> None:
        done.append(progress.bytes_done)
        finished_at.append(time.perf_counter())

    async with ManagementClient(endpoint_settings(config), password_source) as client:
        job = LogDownload(
            client,
            config["server_id"],
            Path(config["folder"]),
            fallback_name="logs.zip",
            on_progress=on_progress,
            chunk_size=config.get("chunk_size") or DEFAULT_CHUNK_SIZE,
        )
        maxrss_before, rss_before = peak_rss_bytes(), vm_rss_bytes()
        with RssSampler() as sampler:
            started, cpu_started = time.perf_counter(), cpu_seconds()
            saved = await job.run()
            ended, cpu_ended = time.perf_counter(), cpu_seconds()
        maxrss_after = peak_rss_bytes()
    return {
        "path": str(saved),
        "bytes": done[-1],
        "transfer_seconds": finished_at[-1] - started,
        "total_seconds": ended - started,
        "cpu_seconds": cpu_ended - cpu_started,
        "maxrss_before": maxrss_before,
        "maxrss_after": maxrss_after,
        "rss_before": rss_before,
        "rss_peak_sampled": sampler.peak,
        "rss_samples": sampler.count,
    }


def main() -> None:
    config = read_config()
    profile_path = config.get("profile")
    if profile_path is None:
        emit_result(asyncio.run(download(config)))
        return
    profiler = cProfile.Profile()
    result = profiler.runcall(asyncio.run, download(config))
    profiler.dump_stats(profile_path)
    emit_result(result)


if __name__ == "__main__":
    main()
