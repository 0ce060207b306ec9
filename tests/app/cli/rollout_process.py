"""``ekran-console-cli rollout --json`` run so that the test reads its lines as they come
and plays the admin (stops and starts servers) at the right moments.

``RolloutRun`` is a child process: for what is about the process (killed outright, Ctrl+C,
two runs at once). ``InProcessRollout`` calls ``main(argv)`` on a thread of the test's
own process (the same code, without a Python start-up): for the run's steps, messages,
exit codes and audit trail.
"""

from __future__ import annotations

import io
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.cli.main import main
from app.logsetup import forget_registered_secrets
from tests.app.cli.inprocess import InProcessCli
from tests.helpers.simulator_process import ROOT, SimulatorProcess

LINE_TIMEOUT_S = 120.0  # generous: a busy machine starts Python slowly
SIM_ARGS = ("--servers", "3", "--clients", "60", "--seed", "3", "--time-scale", "30")


def add_connection(cli: InProcessCli, sim: SimulatorProcess, name: str = "Prod") -> None:
    """A saved connection over every endpoint (so a stopped server's endpoint fails
    over), polled every 0.5 s, in ``cli``'s console home. Saved in-process: the rollout
    run, the subject, is the child process."""
    urls = [arg for e in sim.info.endpoints for arg in ("--url", e.url)]
    args = ["connections", "add", name, *urls, "--user", sim.info.username]
    args += ["--ca", str(sim.info.ca_file), "--poll-interval", "0.5"]
    cli.run(*args, password=sim.info.password)


def cli_env(home: Path, sim: SimulatorProcess) -> dict[str, str]:
    env = {**os.environ, "EKRAN_CONSOLE_HOME": str(home)}
    env["EKRAN_CONSOLE_PASSWORD"] = sim.info.password
    env["PYTHONUNBUFFERED"] = "1"
    return env


class _Lines:
    """The JSON lines of one run as they come; ``lines`` are those read so far."""

    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: list[str] = []

    @property
    def stderr(self) -> str:
        return "".join(self._stderr)

    def wait_for(self, wanted: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The next line (reading on) for which ``wanted`` is true."""
        deadline = time.monotonic() + LINE_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if line is None:
                raise AssertionError(f"ended before {what}; stderr:\n{self.stderr}\n{self.lines}")
            self.lines.append(line)
            if wanted(line):
                return line
        raise AssertionError(f"no {what} within {LINE_TIMEOUT_S} s; lines: {self.lines}")

    def wait_step(self, server: str, step: str) -> dict[str, Any]:
        return self.wait_for(
            lambda line: line.get("server") == server and line.get("step") == step,
            f"{server} at {step}",
        )

    def _read_rest(self) -> None:
        while (line := self._queue.get(timeout=10)) is not None:
            self.lines.append(line)


class RolloutRun(_Lines):
    """One ``rollout`` process."""

    def __init__(self, home: Path, sim: SimulatorProcess, *args: str) -> None:
        super().__init__()
        flags = subprocess.CREATE_NEW_PROCESS_GROUP if os.name == "nt" else 0  # type: ignore[attr-defined]
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "rollout", "-c", "Prod", "--json", "--yes", *args],
            cwd=ROOT,
            env=cli_env(home, sim),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            creationflags=flags,
        )
        self._readers = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self._queue.put(json.loads(raw))
        self._queue.put(None)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._stderr.append(raw)

    def finish(self, timeout: float = LINE_TIMEOUT_S) -> int:
        """Read every line to the end; the exit code. The process is killed (and its
        pipes closed) whatever happens."""
        try:
            code = self.proc.wait(timeout)
            self._read_rest()
        finally:
            self.kill()
        return code

    def kill(self) -> None:
        """Kill the process if it still runs (a crash), then close its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for reader in self._readers:
            reader.join(10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


class _LineWriter(io.TextIOBase):
    """A text stream that hands each complete line to ``on_line``."""

    def __init__(self, on_line: Callable[[str], None]) -> None:
        self._on_line = on_line
        self._partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *complete, self._partial = (self._partial + text).split("\n")
        for line in complete:
            self._on_line(line)
        return len(text)


class InProcessRollout(_Lines):
    """One ``rollout`` run: ``main(argv)`` on a thread, with the console's services and
    home, the password in the environment and standard input closed, as a child process
    would have them. Standard output and error are this run's while it lasts: one run at
    a time in a test."""

    def __init__(self, console: InProcessCli, sim: SimulatorProcess, *args: str) -> None:
        super().__init__()
        self._monkeypatch = pytest.MonkeyPatch()
        for name, value in cli_env(console.home, sim).items():
            if os.environ.get(name) != value:
                self._monkeypatch.setenv(name, value)
        self._monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        self._monkeypatch.setattr(sys, "stdout", _LineWriter(self._on_stdout))
        self._monkeypatch.setattr(
            sys, "stderr", _LineWriter(lambda line: self._stderr.append(line + "\n"))
        )
        self.code: int | None = None
        self._sim = sim
        argv = ["rollout", "-c", "Prod", "--json", "--yes", *args]
        self._thread = threading.Thread(
            target=self._run, args=(argv, console), name="rollout-main", daemon=True
        )
        self._thread.start()

    def _on_stdout(self, line: str) -> None:
        self._queue.put(json.loads(line))

    def _run(self, argv: list[str], console: InProcessCli) -> None:
        try:
            self.code = main(argv, services_factory=console.services)
        finally:
            forget_registered_secrets()  # a process would end here and take them along
            self._queue.put(None)

    def finish(self, timeout: float = LINE_TIMEOUT_S) -> int:
        """Read every line to the end; the exit code."""
        try:
            self._thread.join(timeout)
            assert not self._thread.is_alive(), f"still running; lines: {self.lines}"
            self._read_rest()
        finally:
            self.kill()
        assert self.code is not None, self.stderr
        return self.code

    def kill(self) -> None:
        """Give the streams and the environment back. A run still going (the test has
        failed) cannot be killed: its simulator is stopped instead, so that the run ends
        on its own thread and no later test gets that simulator from the pool."""
        self._monkeypatch.undo()
        if self._thread.is_alive():
            self._sim.stop()


def upgrade(sim: SimulatorProcess, server_id: str, version: str) -> None:
    """Play the admin: stop the server, wait until it is stopped, start it on ``version``."""
    sim.stop_server(server_id)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        state = {s["id"]: s for s in sim.state()["servers"]}
        if state[server_id]["process"] == "stopped":
            break
        time.sleep(0.05)
    time.sleep(0.6)  # long enough for a 0.5 s poll to see it offline
    sim.start_server(server_id, version)
