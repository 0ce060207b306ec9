"""Simulator processes kept for a whole test run and handed from one test to the next.

Starting a simulator costs a new Python process most of a second of CPU (aiohttp and
cryptography imported, a CA and a server certificate made). So a test asks the pool for
a simulator started with given options: it gets an idle one started earlier with exactly
those options, put back through the control API's ``POST /reset`` into the state of a
run that has just started, or a new one when none is idle. Either way it is a real
``python -m simulator`` process over TLS on 127.0.0.1.

A simulator whose process has ended (a test stopped it) is never handed out again. Tests
about the process itself (signals, exit codes, its files, its output) start their own
(``start_own_simulator``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import httpx

from tests.helpers.simulator_process import SimulatorProcess

KEEP_IDLE = 6
"""Idle simulators kept per test process (the least recently used is stopped first).

An idle simulator costs a few megabytes and almost no CPU (its clock ticks five times a
second); options differ between test modules, so a few are kept."""


class SimulatorPool:
    """Idle simulators by their options; ``acquire`` one, ``release`` it when the test ends.

    Not thread-safe: one pool per test process, used from the tests' thread.
    """

    def __init__(self, root: Path, *, keep_idle: int = KEEP_IDLE) -> None:
        self._root = root
        self._keep_idle = keep_idle
        self._idle: list[SimulatorProcess] = []  # least recently released first
        self._names = itertools.count()
        self.started = 0
        self.reused = 0

    def acquire(self, args: Sequence[str]) -> SimulatorProcess:
        """A running simulator with options ``args``, in the state of a fresh run."""
        wanted = list(args)
        for sim in [s for s in self._idle if s.args == wanted]:
            self._idle.remove(sim)
            if self._reset(sim):
                self.reused += 1
                return sim
            sim.stop()
        sim = SimulatorProcess(self._root / f"sim{next(self._names)}", wanted)
        sim.start()
        self.started += 1
        return sim

    def release(self, sim: SimulatorProcess) -> None:
        """Take ``sim`` back: kept for a later test while its process runs, else reaped."""
        if not sim.running:
            sim.stop()
            return
        self._idle.append(sim)
        while len(self._idle) > self._keep_idle:
            self._idle.pop(0).stop()

    def close(self) -> None:
        """Stop every idle simulator (all asked at once, then each waited for)."""
        idle, self._idle = self._idle, []
        for sim in idle:
            sim.request_stop()
        for sim in idle:
            sim.wait_ended()

    @staticmethod
    def _reset(sim: SimulatorProcess) -> bool:
        if not sim.running:
            return False
        try:
            sim.control("POST", "reset")
        except (httpx.HTTPError, OSError):
            return False
        return True
