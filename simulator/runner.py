"""Running the simulator: TLS, one site per Management Tool endpoint, the control API, the clock."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import shutil
import signal
import socket
import ssl
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiohttp import web

from simulator.announce import EndpointInfo, ReadyInfo, banner, write_ready_file
from simulator.assembly import Credentials, create_state
from simulator.control import build_control_app
from simulator.http_api import BASE_PATH, build_management_app
from simulator.http_documented import build_documented_app
from simulator.options import SimulatorOptions
from simulator.parent_watch import arm_parent_death_signal, watch_parent
from simulator.state import SimulatorState
from simulator.tls import ensure_certificates, server_ssl_context

TICK_S = 0.2
CONTROL_HOST = "127.0.0.1"
SHUTDOWN_TIMEOUT_S = 2.0


class StartupError(Exception):
    """The simulator could not start (a port in use, an unwritable directory...)."""


class SimulatorRunner:
    """One simulator run: ``start()`` opens every site and starts the clock, ``close()`` ends it."""

    def __init__(self, options: SimulatorOptions) -> None:
        self.options = options
        self.credentials = Credentials.for_options(options)
        self._temporary_dir: Path | None = None
        self._runners: list[web.AppRunner] = []
        self._ticker: asyncio.Task[None] | None = None
        self.state: SimulatorState | None = None

    async def start(self) -> ReadyInfo:
        """Open every endpoint and the control API; return what the ready file announces.

        Raises ``StartupError`` when a port cannot be bound or a file cannot be written.
        """
        options = self.options
        work_dir = self._work_dir()
        ca_file: Path | None = None
        ssl_context: ssl.SSLContext | None = None
        if not options.insecure_http:
            files = ensure_certificates(work_dir)
            ca_file, ssl_context = files.ca_file.resolve(), server_ssl_context(files)
        state = create_state(options, self.credentials, work_dir=work_dir)
        self.state = state
        scheme = "http" if ssl_context is None else "https"
        endpoints: list[EndpointInfo] = []
        for index, server in enumerate(state.cluster.servers[: options.endpoint_count]):
            port = 0 if options.base_port == 0 else options.base_port + index
            sock = _bind(options.host, port)
            base_path = options.base_path if options.documented_only else BASE_PATH
            url = f"{scheme}://{_url_host(options.host)}:{sock.getsockname()[1]}{base_path}"
            app = (
                build_documented_app(state, server.id, base_path)
                if options.documented_only
                else build_management_app(state, server.id)
            )
            await self._serve(app, sock, ssl_context)
            state.endpoint_urls[server.id] = url
            endpoints.append(EndpointInfo(server.id, url))
        control_sock = _bind(CONTROL_HOST, options.control_port)
        await self._serve(build_control_app(state), control_sock, ssl_context)
        self._ticker = asyncio.create_task(self._tick(state), name="simulator-clock")
        return ReadyInfo(
            endpoints=endpoints,
            control_url=f"{scheme}://{CONTROL_HOST}:{control_sock.getsockname()[1]}",
            control_token=self.credentials.control_token,
            ca_file=ca_file,
            username=self.credentials.username,
            password=self.credentials.password,
            viewer_username=self.credentials.viewer_username,
            viewer_password=self.credentials.viewer_password,
        )

    async def wait(self, stop: asyncio.Event) -> BaseException | None:
        """Wait until ``stop`` is set, the control API asks to shut down, or the simulated
        clock fails; return the clock's error."""
        ticker = self._ticker
        if ticker is None or self.state is None:
            raise RuntimeError("the simulator is not started")
        stopped = asyncio.create_task(stop.wait())
        asked = asyncio.create_task(self.state.shutdown_requested.wait())
        try:
            await asyncio.wait({stopped, asked, ticker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            asked.cancel()
        if ticker.done() and not ticker.cancelled():
            return ticker.exception()
        return None

    async def close(self) -> None:
        """Stop the clock, close every site, remove a temporary work directory. Idempotent."""
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        for runner in reversed(self._runners):
            await runner.cleanup()
        self._runners.clear()
        if self._temporary_dir is not None:
            shutil.rmtree(self._temporary_dir, ignore_errors=True)
            self._temporary_dir = None

    def _work_dir(self) -> Path:
        if self.options.tls_dir is not None:
            if self.options.remove_tls_dir:
                self._temporary_dir = self.options.tls_dir
            return self.options.tls_dir
        self._temporary_dir = Path(tempfile.mkdtemp(prefix="ekran-simulator-"))
        return self._temporary_dir

    async def _serve(
        self, app: web.Application, sock: socket.socket, ssl_context: ssl.SSLContext | None
    ) -> None:
        runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S
        )
        await runner.setup()
        self._runners.append(runner)
        await web.SockSite(runner, sock, ssl_context=ssl_context).start()

    async def _tick(self, state: SimulatorState) -> None:
        """Advance the cluster every ``TICK_S`` by the real time elapsed times the run's
        ``time_scale`` (which a ``POST /reset`` may change)."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(TICK_S)
            now = loop.time()
            time_scale = state.options.time_scale
            if time_scale > 0:
                state.cluster.advance((now - last) * time_scale)
            last = now


async def serve(options: SimulatorOptions) -> int:
    """Run until SIGINT/SIGTERM (CTRL_BREAK on Windows) or until ``options.parent_pid``
    ends; 0 on a clean stop, 1 if the clock failed.

    Prints a banner on stderr and the ready JSON on stdout, then writes
    ``options.ready_file`` (so stdout is complete once the ready file exists).
    """
    runner = SimulatorRunner(options)
    stop = asyncio.Event()
    restore_signals = _install_stop_signals(stop.set)
    parent_watch: asyncio.Task[None] | None = None
    if options.parent_pid is not None:
        arm_parent_death_signal()  # before the check below: no gap where a death goes unseen
        parent_watch = asyncio.create_task(watch_parent(options.parent_pid, stop.set))
    try:
        try:
            info = await runner.start()
        except OSError as exc:
            raise StartupError(f"Cannot start the simulator: {exc}") from exc
        print(banner(info, servers=options.servers, clients=options.clients), file=sys.stderr)
        print(json.dumps(info.to_json()), flush=True)
        if options.ready_file is not None:  # last: whoever sees it finds stdout written too
            try:
                write_ready_file(options.ready_file, info)
            except OSError as exc:
                raise StartupError(f"Cannot write the ready file: {exc}") from exc
        failure = await runner.wait(stop)
        if failure is not None:
            print(f"The simulated clock failed: {failure!r}", file=sys.stderr)
            return 1
        return 0
    finally:
        if parent_watch is not None:
            parent_watch.cancel()
        await runner.close()
        restore_signals()
        if options.ready_file is not None:
            options.ready_file.unlink(missing_ok=True)


def _install_stop_signals(callback: Callable[[], None]) -> Callable[[], None]:
    """Call ``callback`` on SIGINT, SIGTERM and (Windows) SIGBREAK; return an undo function."""
    loop = asyncio.get_running_loop()
    wanted = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):
        wanted.append(signal.SIGBREAK)
    via_loop: list[signal.Signals] = []
    previous: dict[signal.Signals, Any] = {}
    for sig in wanted:
        try:
            loop.add_signal_handler(sig, callback)
            via_loop.append(sig)
        except (NotImplementedError, RuntimeError):
            previous[sig] = signal.signal(sig, lambda *_: loop.call_soon_threadsafe(callback))

    def restore() -> None:
        for sig in via_loop:
            loop.remove_signal_handler(sig)
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: any free port)."""
    family = socket.AF_INET6 if _is_ipv6(host) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        sock.close()
        raise
    return sock


def _is_ipv6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def _url_host(host: str) -> str:
    """The host part of a URL a client can use to reach a socket bound to ``host``."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if _is_ipv6(host) else host
