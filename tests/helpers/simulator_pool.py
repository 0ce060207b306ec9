"""Simulator processes kept for a whole test run and handed from one test to the next.

Starting a simulator costs a new Python process most of a second of CPU (aiohttp and
cryptography imported, a CA and a server certificate made). So a test asks the pool for
a simulator with given options: it gets an idle one started earlier with the same
options that fix the process (servers, endpoints, TLS, the documented-only mode...),
put back through the control API's ``POST /reset`` into the state of a run that has
just started with the run settings asked for (clients, seed, time scale...: the
simulator's ``RUN_SETTINGS``), or a new one when none is idle. Either way it is a real
``python -m simulator`` process over TLS on 127.0.0.1.

A simulator whose process has ended (a test stopped it) is never handed out again. Tests
about the process itself (signals, exit codes, its files, its output) start their own
(``start_own_simulator``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from simulator.options import RUN_SETTINGS, SimulatorOptions
from tests.helpers.simulator_process import SimulatorProcess

RUN_SETTING_FLAGS = {
    "--clients": "clients",
    "--seed": "seed",
    "--time-scale": "time_scale",
    "--drain-seconds": "drain_seconds",
    "--churn": "churn_per_minute",
    "--log-size": "log_size",
    "--old-version-servers": "old_version_servers",
    "--token-ttl": "token_ttl",
    "--lockout-window": "lockout_window",
}
"""The simulator's command-line options for its ``RUN_SETTINGS`` (each takes a value)."""

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
        """A running simulator with options ``args``, in the state of a fresh run.

        Of the idle ones with the same process options, one started (or last reset) with
        the same run settings is preferred: its log archives are already built.
        """
        wanted = list(args)
        fixed, settings = split_options(wanted)
        same = [s for s in self._idle if split_options(s.args)[0] == fixed]
        for sim in sorted(same, key=lambda s: s.args != wanted):
            self._idle.remove(sim)
            if self._reset(sim, settings):
                sim.args = wanted
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
    def _reset(sim: SimulatorProcess, settings: dict[str, Any]) -> bool:
        if not sim.running:
            return False
        try:
            sim.control("POST", "reset", settings)
        except (httpx.HTTPError, OSError):
            return False
        return True


def split_options(args: Sequence[str]) -> tuple[list[str], dict[str, Any]]:
    """``args`` as the options that fix the process (in their order) and every run setting.

    A run setting that ``args`` does not give has the command line's default, so that a
    reset leaves nothing of the settings an earlier test asked for.
    """
    defaults = SimulatorOptions()
    settings: dict[str, Any] = {name: getattr(defaults, name) for name in RUN_SETTINGS}
    fixed: list[str] = []
    items = iter(args)
    for arg in items:
        flag, equals, value = arg.partition("=")
        name = RUN_SETTING_FLAGS.get(flag)
        if name is None:
            fixed.append(arg)
            continue
        text = value if equals else next(items)
        settings[name] = RUN_SETTINGS[name][0](text)
    if fixed[:2] == ["--servers", str(defaults.servers)]:
        del fixed[:2]  # the default, spelled out
    return fixed, settings
