"""Worker: one ``LogDownload`` through ``ManagementClient`` in a fresh process.

Configuration (stdin): a ``harness.connection_config`` plus ``server_id``, ``folder``,
``chunk_size`` (null: the core's default), ``profile`` (a path for cProfile
statistics of the event-loop thread, or null) and ``loop`` (``"qasync"``: the window's
loop, on a Qt application offscreen; ``"asyncio"``: the command line's).
Figures (stdout): the saved file, bytes, the transfer time (start of ``run()`` to the
final progress report, which comes after the last byte is written and the file is
closed), the total time of ``run()`` (adding the size and zip checks and the move to
the final name), the CPU time of ``run()`` (all threads), and memory: ``ru_maxrss``
and ``VmRSS`` before the download, the peak ``VmRSS`` sampled during it, and
``ru_maxrss`` after it; the CPU each thread used during the download (``thread_cpu``:
the receiving thread ``http-worker``, the file's writer ``part-writer``, the event loop's
``MainThread``; sampled from ``/proc`` every 50 ms, so a thread's last 50 ms
may be missing; empty where there is no ``/proc``); and the event loop's stalls while
the download ran (a probe asks to wake every 10 ms and notes how late it woke: the
longest delay, and how many exceeded 50 ms). Before the download the client fetches
the cluster once, untimed, as the window's monitor has always done before a download
can be asked for: a fresh process's first API call imports httpx's async machinery on
the event loop (sniffio, anyio's asyncio backend, through PySide6's import hook), a
one-off stall of 60-450 ms on this machine that belongs to opening a connection, not
to downloading. With
``idle_seconds`` the worker downloads nothing and only probes its loop for that long
(the benchmark's control for the machine's own lateness).
"""

from __future__ import annotations

import asyncio
import cProfile
import os
import threading
import time
from collections.abc import Callable, Coroutine
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
        await client.cluster()  # the connection is open, as in the window (see above)
        job = LogDownload(
            client,
            config["server_id"],
            Path(config["folder"]),
            fallback_name="logs.zip",
            on_progress=on_progress,
            chunk_size=config.get("chunk_size") or DEFAULT_CHUNK_SIZE,
        )
        maxrss_before, rss_before = peak_rss_bytes(), vm_rss_bytes()
        stalls: list[float] = []
        probe = asyncio.create_task(stall_probe(stalls))
        with RssSampler() as sampler, ThreadCpuSampler() as threads:
            started, cpu_started = time.perf_counter(), cpu_seconds()
            saved = await job.run()
            ended, cpu_ended = time.perf_counter(), cpu_seconds()
        probe.cancel()
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
        "loop": config.get("loop", "asyncio"),
        "loop_max_stall_ms": max(stalls, default=0.0) * 1000,
        "loop_stalls_over_50ms": sum(1 for late in stalls if late > STALL_S),
        "thread_cpu": threads.used,
    }


class ThreadCpuSampler:
    """CPU seconds each thread of this process used while the context was open.

    ``used`` maps a thread's name, cut at its first space (``http-worker``,
    ``part-writer``, ``MainThread``), to its CPU seconds; threads of the same name are
    added up. Threads are read from ``/proc/self/task`` every ``interval`` seconds on a
    daemon thread of its own (not counted), so a thread that ends loses its last
    ``interval``; without ``/proc`` ``used`` stays empty.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cpu-sampler", daemon=True)
        self._start: dict[int, float] = {}
        self._last: dict[int, tuple[str, float]] = {}
        self._ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.used: dict[str, float] = {}

    def __enter__(self) -> ThreadCpuSampler:
        self._start = {ident: cpu for ident, (_name, cpu) in self._sample().items()}
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        used: dict[str, float] = {}
        for ident, (name, cpu) in self._last.items():
            key = name.split(" ", 1)[0]
            used[key] = used.get(key, 0.0) + cpu - self._start.get(ident, 0.0)
        self.used = {name: round(cpu, 3) for name, cpu in sorted(used.items())}

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self) -> dict[int, tuple[str, float]]:
        for thread in threading.enumerate():
            ident = thread.native_id
            if ident is None or thread is self._thread:
                continue
            try:
                stat = Path(f"/proc/self/task/{ident}/stat").read_text(encoding="ascii")
            except OSError:
                continue  # ended meanwhile, or no /proc
            fields = stat[stat.rindex(")") + 2 :].split()
            self._last[ident] = (thread.name, (int(fields[11]) + int(fields[12])) / self._ticks)
        return self._last


PROBE_INTERVAL_S = 0.010
STALL_S = 0.050


async def stall_probe(lateness: list[float]) -> None:
    """Wake every ``PROBE_INTERVAL_S`` and note how late each wake-up came."""
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(PROBE_INTERVAL_S)
        lateness.append(max(0.0, time.perf_counter() - asked - PROBE_INTERVAL_S))


async def idle(config: dict[str, Any]) -> dict[str, Any]:
    """The control: the same probe on the same loop for ``idle_seconds``, no download.

    On a loaded machine an idle loop is late too (the process waits for a core); the
    stalls a download adds are those beyond this control's.
    """
    stalls: list[float] = []
    probe = asyncio.create_task(stall_probe(stalls))
    await asyncio.sleep(config["idle_seconds"])
    probe.cancel()
    return {
        "loop": config.get("loop", "asyncio"),
        "loop_max_stall_ms": max(stalls, default=0.0) * 1000,
        "loop_stalls_over_50ms": sum(1 for late in stalls if late > STALL_S),
        "wakes": len(stalls),
    }


def runner(config: dict[str, Any]) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """``asyncio.run``, or for ``loop: qasync`` the window's loop on an offscreen Qt app."""
    if config.get("loop", "asyncio") != "qasync":
        return asyncio.run
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])

    def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        try:
            return loop.run_until_complete(coroutine)
        finally:
            loop.close()

    return run


def main() -> None:
    config = read_config()
    profile_path = config.get("profile")
    run = runner(config)
    if config.get("idle_seconds"):
        emit_result(run(idle(config)))
        return
    if profile_path is None:
        emit_result(run(download(config)))
        return
    profiler = cProfile.Profile()
    result = profiler.runcall(run, download(config))
    profiler.dump_stats(profile_path)
    emit_result(result)


if __name__ == "__main__":
    main()
