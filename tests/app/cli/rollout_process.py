"""``ekran-console-cli rollout --json`` as a child process the test reads line by line,
so that the test can play the admin (stop and start servers) at the right moments."""

from __future__ import annotations

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


class RolloutRun:
    """One ``rollout`` process; ``lines`` are its JSON objects as they came."""

    def __init__(self, home: Path, sim: SimulatorProcess, *args: str) -> None:
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
        self.lines: list[dict[str, Any]] = []
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._stderr: list[str] = []
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

    def finish(self, timeout: float = LINE_TIMEOUT_S) -> int:
        """Read every line to the end; the exit code. The process is killed (and its
        pipes closed) whatever happens."""
        try:
            code = self.proc.wait(timeout)
            while (line := self._queue.get(timeout=10)) is not None:
                self.lines.append(line)
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
