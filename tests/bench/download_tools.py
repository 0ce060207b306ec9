"""The contenders of the download benchmark and the check of what they saved."""

from __future__ import annotations

import hashlib
import resource
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.bench.harness import run_worker
from tests.bench.measure import MB, MIB
from tests.helpers.simulator_process import SimulatorProcess

BUILD_TIMEOUT_S = 900.0


@dataclass
class Download:
    """One timed download of ``bytes`` in ``seconds``.

    ``cpu_seconds`` is the CPU time the tool used (for ours: during ``run()``). For
    ours, ``seconds`` is the transfer (request to last byte written and file closed),
    ``total_seconds`` the whole ``LogDownload.run()`` including its size and zip
    checks; the RSS figures are growth during ``run()``: ``ru_maxrss`` after minus
    before, and the largest sampled ``VmRSS`` minus ``VmRSS`` before.
    """

    tool: str
    round: int
    bytes: int
    seconds: float
    cpu_seconds: float | None = None
    total_seconds: float | None = None
    rss_growth_mb: float | None = None
    rss_peak_growth_mb: float | None = None
    loop: str | None = None
    loop_max_stall_ms: float | None = None
    loop_stalls_over_50ms: int | None = None
    thread_cpu: dict[str, float] | None = None

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / MB

    def describe(self) -> str:
        text = (
            f"round {self.round} {self.tool:4}: {self.bytes} bytes in {self.seconds:6.2f} s"
            f" = {self.mb_per_s:6.1f} MB/s"
        )
        if self.cpu_seconds is not None:
            text += f", CPU {self.cpu_seconds:5.2f} s"
        if self.total_seconds is not None:
            text += f"; run() incl. checks {self.total_seconds:6.2f} s"
        if self.rss_growth_mb is not None and self.rss_peak_growth_mb is not None:
            text += (
                f"; RSS growth: ru_maxrss {self.rss_growth_mb:.1f} MB, "
                f"sampled peak {self.rss_peak_growth_mb:.1f} MB"
            )
        if self.thread_cpu:
            text += "; CPU by thread: " + ", ".join(
                f"{name} {cpu:.2f} s" for name, cpu in self.thread_cpu.items() if cpu >= 0.01
            )
        if self.loop_max_stall_ms is not None:
            text += (
                f"; {self.loop} loop: longest stall {self.loop_max_stall_ms:.1f} ms, "
                f"{self.loop_stalls_over_50ms} over 50 ms"
            )
        return text


def logs_url(sim: SimulatorProcess) -> str:
    """The logs route of the simulator's first server, on its own endpoint."""
    return f"{sim.url}/api/v1/cluster/servers/{sim.info.endpoints[0].server_id}/logs"


def warm_up(sim: SimulatorProcess, token: str) -> tuple[int, float]:
    """Make the simulator build the archive (a one-byte range request); return the
    archive's size and how long the build took."""
    started = time.perf_counter()
    response = httpx.get(
        logs_url(sim),
        headers={"Authorization": f"Bearer {token}", "Range": "bytes=0-0"},
        verify=sim.verify,
        timeout=BUILD_TIMEOUT_S,
        trust_env=False,
    )
    response.raise_for_status()
    if response.status_code != 206:
        raise RuntimeError(f"the warm-up range request got HTTP {response.status_code}")
    total = int(response.headers["content-range"].rsplit("/", 1)[1])
    return total, time.perf_counter() - started


def curl_download(sim: SimulatorProcess, header_file: Path, target: Path, number: int) -> Download:
    """``curl --cacert ca.pem -H @header_file -o target URL``.

    The ``Authorization`` header comes from a file readable by its owner only, so the
    token never appears on a command line; curl's own ``time_total`` is the time.
    """
    command = [
        "curl",
        "--silent",
        "--show-error",
        "--fail",
        "--noproxy",
        "*",
        "--cacert",
        str(sim.info.ca_file),
        "-H",
        f"@{header_file}",
        "-o",
        str(target),
        "-w",
        "%{size_download} %{time_total}",
        logs_url(sim),
    ]
    cpu_before = children_cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    cpu = children_cpu_seconds() - cpu_before
    size, seconds = done.stdout.split()
    return Download("curl", number, int(size), float(seconds), cpu_seconds=cpu)


def children_cpu_seconds() -> float:
    """CPU time of this process's finished, waited-for child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def our_download(config: dict[str, Any], workdir: Path, number: int) -> tuple[Download, Path]:
    """Our ``LogDownload`` in a fresh worker process; its figures and the saved file."""
    figures = run_worker("download_worker", config, workdir / f"ours-{number}.stderr.log")
    result = Download(
        "ours",
        number,
        figures["bytes"],
        figures["transfer_seconds"],
        cpu_seconds=figures["cpu_seconds"],
        total_seconds=figures["total_seconds"],
        rss_growth_mb=(figures["maxrss_after"] - figures["maxrss_before"]) / MB,
        rss_peak_growth_mb=(figures["rss_peak_sampled"] - figures["rss_before"]) / MB,
        loop=figures["loop"],
        loop_max_stall_ms=figures["loop_max_stall_ms"],
        loop_stalls_over_50ms=figures["loop_stalls_over_50ms"],
        thread_cpu=figures.get("thread_cpu"),
    )
    return result, Path(figures["path"])


def bare_download(
    sim: SimulatorProcess, token: str, folder: Path, workdir: Path, number: int
) -> Download:
    """The reference without ``LogDownload``: httpx's blocking ``Client`` (the stock
    ``HTTPTransport``, the console's TLS context) with the file written behind it by
    ``WriteBehind`` (``stack_worker``, ``httpx-blocking``/``behind``); timed from the
    client's creation to the file's close. No progress, sidecar, resume or zip check."""
    config = {
        "stack": "httpx-blocking",
        "write": "behind",
        "url": logs_url(sim),
        "ca_file": str(sim.info.ca_file),
        "token": token,
        "folder": str(folder),
    }
    figures = run_worker("stack_worker", config, workdir / f"bare-{number}.stderr.log")
    return Download(
        "bare", number, figures["bytes"], figures["seconds"], cpu_seconds=figures["cpu_seconds"]
    )


def check_archive(path: Path, size: int) -> str:
    """The SHA-256 of ``path``; raises unless it is a zip of ``size`` bytes whose
    members all pass their CRC check."""
    actual = path.stat().st_size
    if actual != size:
        raise RuntimeError(f"{path.name} has {actual} bytes instead of {size}")
    with zipfile.ZipFile(path) as archive:
        if not archive.namelist():
            raise RuntimeError(f"{path.name} is an empty zip archive")
        bad = archive.testzip()
    if bad is not None:
        raise RuntimeError(f"{path.name}: member {bad!r} fails its CRC check")
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(4 * MIB):
            digest.update(block)
    return digest.hexdigest()
