"""How a benchmark process measures itself and its neighbours (Linux ``/proc``).

Memory figures are bytes; CPU figures are seconds of user plus system time. All
functions read the kernel's own accounting, so they cost microseconds and need no
third-party package.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import threading
from pathlib import Path
from types import TracebackType
from typing import Self

MIB = 1024 * 1024
MB = 1_000_000


def vm_rss_bytes(pid: int | str = "self") -> int:
    """The resident set size of process ``pid`` now (``VmRSS`` in ``/proc/PID/status``)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmRSS line")


def peak_rss_bytes() -> int:
    """This process's peak resident set size so far (``ru_maxrss``; kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu_seconds() -> float:
    """User plus system CPU time of this process, all threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of another process (fields 14 and 15 of ``/proc/PID/stat``)."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may contain spaces
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_description() -> str:
    """One line: kernel, CPU count and model, memory, Python version."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({model}), "
        f"{memory:.0f} GiB RAM, Python {platform.python_version()}"
    )


def source_revision() -> str:
    """The commit of the working tree, with ``+changes`` when tracked files in ``app/`` differ."""
    root = Path(__file__).resolve().parents[2]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "app")
    return commit + ("+changes" if changed else "")


def load_average() -> tuple[float, float, float]:
    """The system's 1, 5 and 15 minute load averages (other work on the machine)."""
    return os.getloadavg()


class RssSampler:
    """Samples this process's ``VmRSS`` every ``interval`` seconds on a daemon thread.

    Use as a context manager; ``peak`` is the largest sample (taken at least once on
    entry and once on exit), ``count`` the number of samples.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)
        self.peak = 0
        self.count = 0

    def __enter__(self) -> Self:
        self._sample()
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._sample()

    def _sample(self) -> None:
        self.peak = max(self.peak, vm_rss_bytes())
        self.count += 1
