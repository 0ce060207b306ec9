"""Where a download's time goes: bare HTTP stacks, writes, chunk sizes, a cProfile run.

Each variant downloads the same archive in a fresh worker process, a few times in
turn, so they compare with each other and with the timed rounds (same machine, same
minutes); a variant's figure is the median of its runs.
"""

from __future__ import annotations

import io
import pstats
import shutil
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from tests.bench.download_tools import check_archive, our_download
from tests.bench.harness import run_worker
from tests.bench.measure import MB, MIB

CHUNK_SIZES = (1 * MIB, 4 * MIB)
PROFILE_LINES = 25


@dataclass(frozen=True)
class Variant:
    """One analysed way to receive the archive and its throughput."""

    name: str
    bytes: int
    seconds: float
    note: str = ""

    @property
    def mb_per_s(self) -> float:
        return self.bytes / self.seconds / MB


STACK_VARIANTS = (  # stack, write: see stack_worker
    ("httpx-anyio", "none"),
    ("httpx", "none"),
    ("httpx-blocking", "none"),
    ("httpx-blocking", "receiver"),
    ("httpx-blocking", "behind"),
    ("aiohttp", "none"),
    ("aiohttp", "thread"),
)
_WRITES = {
    "none": "body discarded",
    "inline": "written on the loop",
    "thread": "written by PartFile on a thread",
    "receiver": "written by the receiving thread",
    "behind": "written behind it (WriteBehind)",
}


def bare_stack(stack: str, write: str, config: dict[str, Any], workdir: Path) -> Variant:
    """The body through ``stack`` alone, handled as ``write`` says (see ``stack_worker``)."""
    figures = run_worker(
        "stack_worker",
        config | {"stack": stack, "write": write},
        workdir / f"stack-{stack}-{write}.stderr.log",
    )
    average = figures["bytes"] // max(1, figures["reads"])
    return Variant(
        f"{stack} alone, {_WRITES[write]}",
        figures["bytes"],
        figures["seconds"],
        f"{figures['reads']} reads of {average / 1024:.0f} KiB on average, "
        f"CPU {figures['cpu_seconds']:.2f} s",
    )


def chunked_download(config: dict[str, Any], chunk: int, workdir: Path, size: int) -> Variant:
    """A whole ``LogDownload`` with ``chunk_size=chunk``; the saved file is checked."""
    folder = workdir / f"chunk-{chunk}"
    folder.mkdir()
    result, saved = our_download(config | {"folder": str(folder), "chunk_size": chunk}, workdir, 0)
    check_archive(saved, size)
    shutil.rmtree(folder)
    return Variant(
        f"LogDownload, chunk_size {chunk // MIB} MiB",
        result.bytes,
        result.seconds,
        f"RSS growth {max(result.rss_growth_mb or 0, result.rss_peak_growth_mb or 0):.1f} MB",
    )


def profiled_download(config: dict[str, Any], workdir: Path) -> tuple[Variant, str]:
    """A ``LogDownload`` under cProfile (event-loop thread only; the writer thread is
    not profiled) and the busiest functions, by own time and by cumulative time."""
    folder = workdir / "profiled"
    folder.mkdir()
    stats_file = workdir / "ours.pstats"
    config = config | {"folder": str(folder), "profile": str(stats_file)}
    result, _saved = our_download(config, workdir, 0)
    shutil.rmtree(folder)
    out = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    variant = Variant("LogDownload under cProfile", result.bytes, result.seconds, "slowed down")
    return variant, out.getvalue()


def median_of(runs: list[Variant]) -> Variant:
    """One variant's runs as one: the median time, the spread of the rates in the note."""
    rates = sorted(run.mb_per_s for run in runs)
    return Variant(
        runs[0].name,
        runs[0].bytes,
        statistics.median(run.seconds for run in runs),
        f"{runs[0].note}; {len(runs)} runs, {rates[0]:.0f}–{rates[-1]:.0f} MB/s",
    )


def analyse(
    config: dict[str, Any], url: str, token: str, workdir: Path, *, size: int, repeats: int
) -> tuple[list[Variant], str]:
    """Every variant ``repeats`` times (in turn, like the rounds), then the profiled run.

    ``config`` is the download worker's; returns the variants (medians) and the profile.
    """
    folder = workdir / "stacks"
    folder.mkdir()
    stack_config = {"url": url, "ca_file": config["ca_file"], "token": token, "folder": str(folder)}
    measurements: list[Callable[[], Variant]] = [
        *(
            partial(bare_stack, stack, write, stack_config, workdir)
            for stack, write in STACK_VARIANTS
        ),
        *(partial(chunked_download, config, chunk, workdir, size) for chunk in CHUNK_SIZES),
    ]
    runs: dict[str, list[Variant]] = {}
    for _ in range(repeats):
        for measure in measurements:
            variant = measure()
            runs.setdefault(variant.name, []).append(variant)
    variants = [median_of(each) for each in runs.values()]
    profiled, profile_text = profiled_download(config, workdir)
    variants.append(profiled)
    return variants, profile_text
