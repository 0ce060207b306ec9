"""The demo cluster: the reference simulator as a child process, and a connection to it.

``python -m ui --demo`` starts it so that the console can be tried without a real
deployment. The simulator listens on 127.0.0.1 only, with its own throw-away CA.

The simulator never outlives the console: it is told the console's process id
(``--parent-pid``: on Linux a parent-death signal, elsewhere it watches that process) and,
on Windows, runs in a Job Object that kills it when the console ends. On POSIX it runs in
a session of its own, so Ctrl+C in a terminal reaches the console, which stops it in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api.errors import ConsoleError
from app.api.settings import TrustMode
from app.connections import EnvironmentTag
from app.credentials import Secret
from app.logsetup import register_secret
from ui.demo_home import remove_folder
from ui.kill_on_close_job import KillOnCloseJob

if TYPE_CHECKING:
    from app.connections import ConnectionProfile

log = logging.getLogger(__name__)

STAGED_ISOLATED = ("as-02", "Windows updates")
STAGED_OFFLINE = "as-03"

DEMO_CONNECTION_NAME = "Demo cluster"
DEMO_SERVERS = 5
DEMO_CLIENTS = 240
DEMO_DRAIN_SECONDS = 60.0
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


class DemoError(ConsoleError):
    """The demo cluster could not start; ``message`` is one line for people."""


@dataclass(frozen=True)
class DemoEndpoints:
    """What the simulator announced: endpoint URLs by server id, its CA and control API.

    The control token is a secret (it drives the simulator) and is hidden from ``repr``.
    """

    urls: dict[str, str]
    ca_file: Path
    control_url: str
    control_token: Secret


class DemoCluster:
    """Starts and stops one simulator child process with a five-server demo cluster.

    ``extra_args`` are appended to the simulator's command line. ``workdir`` is the
    simulator's folder (CA, certificates, ready file, log; created and removed here),
    by default a new temporary folder. ``start()`` may be called once; ``stop()`` and
    ``stop_now()`` are idempotent and always remove the folder (it holds the CA's key).
    With ``staged`` the cluster starts at a moment worth looking at (``stage_demo``):
    one server isolated and still draining, one stopped, one on the older version.
    """

    def __init__(
        self,
        *,
        servers: int = DEMO_SERVERS,
        clients: int = DEMO_CLIENTS,
        drain_seconds: float = DEMO_DRAIN_SECONDS,
        poll_interval_s: float = 2.0,
        extra_args: tuple[str, ...] = (),
        ready_timeout_s: float = READY_TIMEOUT_S,
        workdir: Path | None = None,
        staged: bool = False,
    ) -> None:
        self._args = [
            "--servers",
            str(servers),
            "--clients",
            str(clients),
            "--drain-seconds",
            f"{drain_seconds:g}",
            *extra_args,
        ]
        self._poll_interval_s = poll_interval_s
        self._staged = staged
        self._ready_timeout_s = ready_timeout_s
        self._process: asyncio.subprocess.Process | None = None
        self._chosen_workdir = workdir
        self._workdir: Path | None = None
        self._job: KillOnCloseJob | None = None
        self._endpoints: DemoEndpoints | None = None

    def __repr__(self) -> str:
        pid = self._process.pid if self._process is not None else None
        return f"DemoCluster(pid={pid}, running={self.running})"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def endpoints(self) -> DemoEndpoints:
        """The announced endpoints; raises ``RuntimeError`` before ``start()`` finished."""
        if self._endpoints is None:
            raise RuntimeError("the demo cluster has not started")
        return self._endpoints

    async def start(self) -> tuple[ConnectionProfile, Secret]:
        """Start the simulator and wait until it is ready.

        Returns a transient "Demo cluster" profile (every endpoint URL, trusting the
        simulator's CA, tagged Test) and the administrator's password, kept in memory
        only. Raises ``DemoError`` when the simulator cannot start or is not ready in
        time; nothing is left running then.
        """
        if self._process is not None:
            raise RuntimeError("the demo cluster was already started")
        self._workdir = await asyncio.to_thread(_make_workdir, self._chosen_workdir)
        ready_file = self._workdir / "ready.json"
        try:
            self._job = KillOnCloseJob.create()
            self._process = await self._spawn(ready_file)
            if self._job is not None:
                self._job.assign(self._process.pid)
            data = await self._wait_until_ready(ready_file)
            connection = self._connection_from(data)
            if self._staged:
                await stage_demo(self.endpoints, connection[0].username, connection[1])
            log.info("demo cluster ready: simulator pid %d in %s", self.pid, self._workdir)
            return connection
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Stop the simulator (SIGTERM, killed after a timeout; on Windows it is ended at
        once) and remove its folder."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            _ask_to_stop(process)
            try:
                await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
            except TimeoutError:
                log.warning("the demo cluster did not stop in time; killing it")
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                await process.wait()
        self._close_job()
        workdir, self._workdir = self._workdir, None
        if workdir is not None:
            await asyncio.to_thread(remove_folder, workdir)

    def stop_now(self) -> None:
        """Kill the simulator and remove its folder without the event loop (the process
        is about to end: Windows' ``WM_ENDSESSION``). Blocks for at most a few seconds."""
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        self._close_job()  # kills it too, on Windows
        workdir, self._workdir = self._workdir, None
        if workdir is not None:
            remove_folder(workdir)  # retried while the dying simulator holds its log

    def _close_job(self) -> None:
        job, self._job = self._job, None
        if job is not None:
            job.close()

    async def _spawn(self, ready_file: Path) -> asyncio.subprocess.Process:
        assert self._workdir is not None
        package_parent = _simulator_root()
        command = [
            *simulator_command(),
            "--base-port",
            "0",
            "--tls-dir",
            str(self._workdir / "tls"),
            "--ready-file",
            str(ready_file),
            "--remove-tls-dir",
            "--parent-pid",
            str(os.getpid()),
            *self._args,
        ]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(package_parent), env.get("PYTHONPATH", "")) if p
        )
        stderr = (self._workdir / "simulator.log").open("wb")
        try:
            return await asyncio.create_subprocess_exec(
                *command,
                cwd=str(package_parent),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                **_platform_options(),
            )
        except OSError as error:
            raise DemoError(f"The demo cluster could not start: {error.strerror}.") from None
        finally:
            stderr.close()

    async def _wait_until_ready(self, ready_file: Path) -> dict[str, Any]:
        process = self._process
        assert process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._ready_timeout_s
        while loop.time() < deadline:
            if process.returncode is not None:
                raise DemoError(
                    f"The demo cluster stopped at start-up (exit code {process.returncode})."
                    f"{self._stderr_hint()}"
                )
            data = await asyncio.to_thread(_read_ready_file, ready_file)
            if data is not None:
                return data
            await asyncio.sleep(0.1)
        raise DemoError(f"The demo cluster was not ready after {self._ready_timeout_s:.0f} s.")

    def _connection_from(self, data: dict[str, Any]) -> tuple[ConnectionProfile, Secret]:
        try:
            urls = {str(e["server_id"]): str(e["url"]) for e in data["endpoints"]}
            ca_file = Path(str(data["ca_file"]))
            password = Secret(str(data["password"]))
            control_token = Secret(str(data["control_token"]))
            username, control_url = str(data["username"]), str(data["control_url"])
        except (KeyError, TypeError) as error:
            raise DemoError("The demo cluster announced itself in an unknown format.") from error
        register_secret(password)
        register_secret(control_token)
        self._endpoints = DemoEndpoints(urls, ca_file, control_url, control_token)
        from app.connections import ConnectionProfile, TlsOptions  # pydantic: with the demo

        profile = ConnectionProfile(
            name=DEMO_CONNECTION_NAME,
            tag=EnvironmentTag.TEST,
            urls=tuple(urls.values()),
            username=username,
            tls=TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(ca_file)),
            poll_interval_s=self._poll_interval_s,
            notes="A simulated cluster on this computer; it stops when the console closes.",
        )
        return profile, password

    def _stderr_hint(self) -> str:
        if self._workdir is None:
            return ""
        try:
            lines = (self._workdir / "simulator.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        text = [line for line in lines if line.strip() and not line.startswith("{")]
        return f" {text[-1].strip()}" if text else ""


def simulator_command() -> list[str]:
    """The simulator's program: ``python -m simulator``, or in a frozen build the bundled
    ``ekran-console-cli --simulator`` next to this executable (there is no Python there)."""
    if getattr(sys, "frozen", False):
        cli = "ekran-console-cli.exe" if os.name == "nt" else "ekran-console-cli"
        return [str(Path(sys.executable).with_name(cli)), "--simulator"]
    return [sys.executable, "-m", "simulator"]


def _simulator_root() -> Path:
    """The folder that holds the ``simulator`` package (its child's working directory)."""
    spec = importlib.util.find_spec("simulator")
    if spec is None or spec.origin is None:
        raise DemoError("The demo needs the cluster simulator, which is not installed.")
    return Path(spec.origin).resolve().parent.parent


def _make_workdir(chosen: Path | None) -> Path:
    if chosen is None:
        return Path(tempfile.mkdtemp(prefix="ekran-demo-"))
    chosen.mkdir(mode=0o700, parents=True, exist_ok=True)
    return chosen


def _read_ready_file(path: Path) -> dict[str, Any] | None:
    """The ready JSON, or None while it is missing or still being written."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _platform_options() -> dict[str, Any]:
    """No console window on Windows, and a process group of its own: Ctrl+C and
    Ctrl+Break in the console's console reach only the console; on POSIX a session of its
    own, so a terminal's Ctrl+C or hang-up reaches only the console (which then stops the
    simulator)."""
    if os.name == "nt":
        flags = subprocess.CREATE_NO_WINDOW | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        return {"creationflags": flags}
    return {"start_new_session": True}


def _ask_to_stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM on POSIX (the simulator stops cleanly). On Windows the windowless simulator
    has a hidden console of its own, which a console event from here cannot reach
    (``GenerateConsoleCtrlEvent`` fails), so it is ended outright: it keeps nothing worth
    saving, and its folder is removed here."""
    try:
        if os.name == "nt":
            process.kill()
        else:
            process.terminate()
    except (ProcessLookupError, OSError) as error:
        log.warning("cannot stop the demo cluster (%s); killing it", error)
        with contextlib.suppress(ProcessLookupError, OSError):
            process.kill()


async def stage_demo(endpoints: DemoEndpoints, username: str, password: Secret) -> None:
    """Isolate ``STAGED_ISOLATED`` (as its administrator, through the Management API: the
    console sees someone else's isolation) and stop ``STAGED_OFFLINE`` (control API).

    Raises ``DemoError`` when the simulator refuses.
    """
    import ssl

    import httpx  # only the demo needs it here

    server_id, reason = STAGED_ISOLATED
    context = await asyncio.to_thread(ssl.create_default_context, cafile=str(endpoints.ca_file))
    url = endpoints.urls.get(server_id) or next(iter(endpoints.urls.values()))
    try:
        async with httpx.AsyncClient(verify=context, timeout=10.0, trust_env=False) as client:
            reply = await client.post(
                f"{url}/api/v1/auth/token",
                json={"username": username, "password": password.reveal()},
            )
            reply.raise_for_status()
            token = str(reply.json()["access_token"])
            reply = await client.post(
                f"{url}/api/v1/cluster/servers/{server_id}/isolation",
                json={"isolated": True, "reason": reason},
                headers={"Authorization": f"Bearer {token}"},
            )
            reply.raise_for_status()
            reply = await client.post(
                f"{endpoints.control_url}/servers/{STAGED_OFFLINE}/stop",
                headers={"X-Sim-Token": endpoints.control_token.reveal()},
            )
            reply.raise_for_status()
    except (httpx.HTTPError, KeyError, ValueError) as error:
        raise DemoError(f"The demo cluster could not be prepared ({error}).") from None
