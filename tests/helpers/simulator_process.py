"""Run the reference cluster simulator as a real child process for integration tests.

The simulator announces itself through ``--ready-file``; tests never guess ports.
Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Endpoint:
    server_id: str
    url: str


@dataclass(frozen=True)
class SimulatorInfo:
    """What the simulator wrote to its ready file."""

    endpoints: list[Endpoint]
    control_url: str
    control_token: str
    ca_file: Path | None
    username: str
    password: str
    raw: dict[str, Any]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SimulatorInfo:
        return cls(
            endpoints=[Endpoint(e["server_id"], e["url"]) for e in data["endpoints"]],
            control_url=data["control_url"],
            control_token=data["control_token"],
            ca_file=Path(data["ca_file"]) if data.get("ca_file") else None,
            username=data["username"],
            password=data["password"],
            raw=data,
        )


class SimulatorProcess:
    """A ``python -m simulator`` child process on loopback.

    ``args`` are extra command-line options (for example ``["--servers", "3"]``).
    ``stop()`` sends SIGTERM (on Windows it calls the control API's ``POST /shutdown``)
    and waits; it is idempotent.
    """

    def __init__(self, workdir: Path, args: list[str] | None = None) -> None:
        self.workdir = workdir
        self.args = list(args or [])
        self.ready_file = workdir / "ready.json"
        self.tls_dir = workdir / "tls"
        self.stderr_path = workdir / "simulator.stderr.log"
        self.stdout_path = workdir / "simulator.stdout.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._info: SimulatorInfo | None = None

    # -- lifecycle -----------------------------------------------------------------
    def start(self) -> SimulatorInfo:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "simulator",
            "--base-port",
            "0",
            "--tls-dir",
            str(self.tls_dir),
            "--ready-file",
            str(self.ready_file),
            "--parent-pid",  # never outlives a test run that is killed (``args`` may override)
            str(os.getpid()),
            *self.args,
        ]
        flags = subprocess.CREATE_NEW_PROCESS_GROUP if os.name == "nt" else 0  # type: ignore[attr-defined]
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, creationflags=flags)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"simulator exited with {self.proc.returncode}:\n{self.stderr_tail()}"
                )
            if self.ready_file.exists():
                try:
                    data = json.loads(self.ready_file.read_text(encoding="utf-8"))
                except (json.JSONDecodeError, OSError):
                    time.sleep(0.05)
                    continue
                self._info = SimulatorInfo.from_json(data)
                return self._info
            time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"simulator not ready after {START_TIMEOUT_S}s:\n{self.stderr_tail()}")

    def stop(self, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.request_stop()
        return self.wait_ended(timeout)

    def wait_ended(self, timeout: float = 15.0) -> int | None:
        """Wait for the process to end (killed after ``timeout`` seconds, then this raises);
        its exit code, or None if it was never started."""
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise

    def request_stop(self) -> None:
        """Ask the process to end as ``stop()`` does, without waiting for it."""
        if self.proc is None or self.proc.poll() is not None:
            return
        if os.name == "nt":
            self._ask_to_shut_down()
        else:
            self.proc.send_signal(signal.SIGTERM)

    def _ask_to_shut_down(self) -> None:
        """Windows: the control API's ``POST /shutdown`` (the run ends as on SIGTERM).

        No console control event: CTRL_BREAK needs the child to share the test's console,
        and under Wine it reaches the sender as well. A child that cannot be asked (it never
        announced itself, or its control API does not answer) is terminated.
        """
        assert self.proc is not None
        try:
            self.control("POST", "shutdown")
        except (RuntimeError, httpx.HTTPError):
            self.proc.kill()

    def stderr_tail(self, lines: int = 40) -> str:
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- accessors -----------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True from a successful ``start()`` until the process ends."""
        return self._info is not None and self.proc is not None and self.proc.poll() is None

    @property
    def info(self) -> SimulatorInfo:
        if self._info is None:
            raise RuntimeError("simulator not started")
        return self._info

    @property
    def url(self) -> str:
        """Management Tool base URL of the first server's endpoint."""
        return self.info.endpoints[0].url

    def url_of(self, server_id: str) -> str:
        for endpoint in self.info.endpoints:
            if endpoint.server_id == server_id:
                return endpoint.url
        raise KeyError(server_id)

    @property
    def verify(self) -> ssl.SSLContext | bool:
        """What httpx's ``verify=`` needs to trust this simulator."""
        if self.info.ca_file is None:
            return True
        return ssl.create_default_context(cafile=str(self.info.ca_file))

    # -- control API -----------------------------------------------------------------
    def control(self, method: str, path: str, json_body: Any = None) -> Any:
        """Call the control API; raises on a non-2xx answer and returns the decoded JSON."""
        response = httpx.request(
            method,
            self.info.control_url.rstrip("/") + "/" + path.lstrip("/"),
            headers={"X-Sim-Token": self.info.control_token},
            json=json_body,
            verify=self.verify,
            timeout=10.0,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def stop_server(self, server_id: str) -> Any:
        return self.control("POST", f"servers/{server_id}/stop")

    def start_server(self, server_id: str, version: str | None = None) -> Any:
        """Start a stopped server; with ``version`` it comes back upgraded to it."""
        body = None if version is None else {"version": version}
        return self.control("POST", f"servers/{server_id}/start", body)

    def advance(self, seconds: float) -> Any:
        """Move simulated time forward at once."""
        return self.control("POST", "advance", {"seconds": seconds})

    def add_fault(self, **fault: Any) -> Any:
        return self.control("POST", "faults", fault)

    def clear_faults(self) -> Any:
        return self.control("DELETE", "faults")

    def state(self) -> Any:
        return self.control("GET", "state")
