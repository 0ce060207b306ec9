"""Fixtures shared by the whole suite.

Qt runs offscreen; the simulator runs as a real process over TLS on 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if sys.platform == "win32":
    # Qt's offscreen platform on Windows reads font files from QT_QPA_FONTDIR (by default
    # PySide6's lib/fonts, which its wheel does not ship); with no font it draws every
    # character as a box as wide as the font is high, and the window lays out twice as wide.
    os.environ.setdefault(
        "QT_QPA_FONTDIR", os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts")
    )

from tests.helpers.measurements import MEASUREMENTS, WORKER_OUTPUT_KEY
from tests.helpers.simulator_pool import SimulatorPool
from tests.helpers.simulator_process import SimulatorProcess

# No timing thresholds in tests: hypothesis' default 200 ms deadline per example failed a
# property test on a loaded machine (under Wine), for a reason unrelated to the property.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

StartSimulator = Callable[..., SimulatorProcess]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadscope`` (``dev.py test``): each test module on one worker, the
    packaging tests together, a ``spread`` module's tests on any (see ``ModuleScheduling``)."""
    if config.getvalue("dist") != "loadscope":
        return None
    from tests.helpers.scheduling import ModuleScheduling

    return ModuleScheduling(config, log)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand the packaging measurements to the controller."""
    worker_output = getattr(session.config, "workeroutput", None)
    if worker_output is not None:
        worker_output[WORKER_OUTPUT_KEY] = dict(MEASUREMENTS)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: collect what a worker measured."""
    MEASUREMENTS.update(getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY, {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not MEASUREMENTS:
        return
    terminalreporter.section("packaging measurements")
    for name, value in MEASUREMENTS.items():
        terminalreporter.write_line(f"{name}: {value}")


@pytest.fixture(scope="session")
def simulator_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorPool]:
    """This test process's simulators, reused from test to test (see ``SimulatorPool``)."""
    pool = SimulatorPool(tmp_path_factory.mktemp("simulators"))
    yield pool
    pool.close()


@pytest.fixture
def start_simulator(simulator_pool: SimulatorPool) -> Iterator[StartSimulator]:
    """Simulators with extra CLI options, each in the state of a run that has just started.

    Usage: ``sim = start_simulator("--servers", "3", "--seed", "7")``. The process may have
    served an earlier test with the same options (then ``POST /reset`` restored it); one
    the test stops is not reused. Tests about the process itself use ``start_own_simulator``.
    """
    taken: list[SimulatorProcess] = []

    def start(*args: str) -> SimulatorProcess:
        sim = simulator_pool.acquire(args)
        taken.append(sim)
        return sim

    yield start
    for sim in taken:
        simulator_pool.release(sim)


@pytest.fixture
def start_own_simulator(tmp_path: Path) -> Iterator[StartSimulator]:
    """Start new simulator processes for this test alone; each is stopped when it ends.

    For tests of the process itself: its signals, exit code, files and output.
    """
    started: list[SimulatorProcess] = []

    def start(*args: str) -> SimulatorProcess:
        sim = SimulatorProcess(tmp_path / f"sim{len(started)}", list(args))
        started.append(sim)
        sim.start()
        return sim

    yield start
    for sim in started:
        sim.stop()


@pytest.fixture
def simulator(start_simulator: StartSimulator) -> SimulatorProcess:
    """A fresh four-server cluster with 200 Clients (seeded, real time)."""
    return start_simulator("--servers", "4", "--clients", "200", "--seed", "1")


@pytest.fixture(scope="module")
def shared_simulator(simulator_pool: SimulatorPool) -> Iterator[SimulatorProcess]:
    """One cluster for a whole module, fresh when the module starts; tests using it must
    not change its state."""
    sim = simulator_pool.acquire(["--servers", "4", "--clients", "200", "--seed", "2"])
    yield sim
    simulator_pool.release(sim)
