"""Soak: the window and the core against a cluster that misbehaves every few seconds.

Run: ``.venv/bin/python -m tests.bench.bench_soak [--minutes 30] [--warmup-seconds 60]
[--seed 1] [--json FILE]``.

One simulator process runs five Application Servers with time scaled x20 (an isolated
server drains in 6 s, stopped servers come back within seconds). This process is the
console, on a qasync loop as ``ui.app`` runs it:

- the real ``MainWindow`` (offscreen) monitors the cluster, polling every second, with
  its load history, alerts and audit trail in a temporary home;
- the core, through its own ``ConnectionSession`` (the command line's failover rule),
  runs an action every 2 s: isolate, return to service, ask the version, or download
  a server's logs, each written to the audit trail.

A fault injector picks a random fault every 2 to 5 s: latency, 5xx answers, malformed
or oversized JSON, a cross-origin redirect, a cut or hostile logs download, revoked
tokens, an unhealthy server, a stopped and restarted server, or a hostile server name
(escape sequences, a right-to-left override, 10,000 characters).

Printed at the end (and written with ``--json``):

- unhandled exceptions: the loop's exception handler, ``sys.excepthook``,
  ``threading.excepthook`` and records the code logs as unexpected (target 0);
- actions and downloads: succeeded, failed with a one-line error (a ``ConsoleError``
  or a ``DownloadError``), failed otherwise (target 0);
- RSS and open file descriptors after the warm-up and at the end (growth < 10 %).

A run that ends early for any reason (an exception, a signal, Qt leaving its event loop,
``SystemExit``) prints why and the figures so far, then exits 1. ``--census`` and
``--tracemalloc`` print what grew between the end of the warm-up and the end (objects
by type; Python allocations by line) to tell a leak from caches and arenas filling up.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import ctypes
import faulthandler
import gc
import logging
import os
import random
import signal
import sys
import threading
import time
import traceback
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import qasync
import shiboken6

from app.api.errors import ConsoleError
from app.api.settings import FailoverRule, TrustMode
from app.audit import AuditLog
from app.connections import ConnectionProfile, TlsOptions
from app.credentials import CredentialStore, Secret
from app.downloads import DownloadError
from app.paths import AppPaths
from app.session import ConnectionSession
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.bench.bench_window import close_window, use_offscreen_screen, wait_for, window_revision
from tests.bench.harness import run_in_scratch
from tests.bench.measure import MB, load_average, machine_description, vm_rss_bytes
from tests.helpers.simulator_process import SimulatorProcess
from ui.app import build_services, create_application
from ui.main_window import MainWindow
from ui.settings import WindowSettings

SERVERS = 5
SIMULATOR_ARGS = ["--servers", str(SERVERS), "--clients", "500", "--time-scale", "20",
                  "--log-size", "400000", "--drain-seconds", "120"]  # fmt: skip
ACTION_EVERY_S = 2.0
FAULT_EVERY_S = (2.0, 5.0)
PROGRESS_EVERY_S = 60.0
HOSTILE_NAMES = (
    "ctl\x1b[31mRED\x1b[0m\r\nFAKE line\x07",
    "report\u202eexe.txt",
    "N" * 10_000,
    "<img src=x onerror=alert(1)>\x9b2J",
)
UNEXPECTED_LOG_MARKERS = ("unexpected", "Traceback")


def open_fds() -> int:
    """Open file descriptors of this process (Linux)."""
    return len(os.listdir("/proc/self/fd"))


@dataclass
class Tally:
    """What happened during the measured period."""

    unhandled: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    unclear: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    errors_logged: int = 0


class _UnexpectedLogs(logging.Handler):
    """Counts log records that carry a traceback or call a failure unexpected."""

    def __init__(self, tally: Tally) -> None:
        super().__init__(logging.ERROR)
        self.tally = tally

    def emit(self, record: logging.LogRecord) -> None:
        self.tally.errors_logged += 1
        text = record.getMessage()
        if record.exc_info or any(marker in text for marker in UNEXPECTED_LOG_MARKERS):
            self.tally.unhandled.append(f"log {record.name}: {text[:200]}")


def watch_for_unhandled(loop: asyncio.AbstractEventLoop, tally: Tally) -> None:
    def on_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        tally.unhandled.append(f"loop: {context.get('message')} {context.get('exception')!r}")

    def on_thread_error(hook: threading.ExceptHookArgs) -> None:
        tally.unhandled.append(f"thread {hook.thread}: {hook.exc_value!r}")

    def on_error(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        tally.unhandled.append(f"excepthook: {value!r}")
        sys.__excepthook__(kind, value, tb)  # still printed: it may end the run itself

    def on_unraisable(hook: Any) -> None:
        tally.unhandled.append(f"unraisable in {hook.object!r}: {hook.exc_value!r}"[:300])

    loop.set_exception_handler(on_loop_error)
    sys.unraisablehook = on_unraisable
    threading.excepthook = on_thread_error
    sys.excepthook = on_error
    logging.getLogger().addHandler(_UnexpectedLogs(tally))


def profile_for(sim: SimulatorProcess) -> ConnectionProfile:
    return ConnectionProfile(
        name="Soak cluster",
        urls=[endpoint.url for endpoint in sim.info.endpoints],
        username=sim.info.username,
        tls=TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(sim.info.ca_file)),
        poll_interval_s=1.0,
    )


class FaultInjector:
    """Adds one random fault every few seconds through the simulator's control API."""

    def __init__(self, sim: SimulatorProcess, rng: random.Random, tally: Tally) -> None:
        self.sim, self.rng, self.tally = sim, rng, tally
        self.ids = [endpoint.server_id for endpoint in sim.info.endpoints]
        self.stopped: set[str] = set()

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.rng.uniform(*FAULT_EVERY_S))
            kind = self.rng.choice(FAULT_KINDS)
            try:
                await asyncio.to_thread(getattr(self, f"_{kind}"))
            except Exception as error:  # a refused fault (e.g. stop twice) is no finding
                kind += " (refused)"
                logging.getLogger(__name__).info("fault %s refused: %s", kind, error)
            self.tally.faults[kind] += 1

    def _server(self) -> str:
        return self.rng.choice(self.ids)

    def _latency(self) -> None:
        self.sim.add_fault(kind="latency", seconds=self.rng.uniform(0.5, 4.0),
                           server_id=self._server(), count=self.rng.randint(1, 4))  # fmt: skip

    def _fail(self) -> None:
        self.sim.add_fault(kind="fail", status=self.rng.choice([500, 502, 503, 504, 429]),
                           server_id=self._server(), count=self.rng.randint(1, 3))  # fmt: skip

    def _malformed(self) -> None:
        self.sim.add_fault(kind="malformed_json", server_id=self._server(), path="/cluster")

    def _oversized(self) -> None:
        self.sim.add_fault(kind="oversized_body", bytes=12_000_000, chunked=self.rng.random() < 0.5,
                           server_id=self._server(), path="/cluster")  # fmt: skip

    def _redirect(self) -> None:
        self.sim.add_fault(kind="redirect", location="https://elsewhere.invalid/EkranSystem",
                           server_id=self._server())  # fmt: skip

    def _cut_download(self) -> None:
        self.sim.add_fault(kind="cut_download", after_bytes=self.rng.randint(0, 200_000))

    def _hostile_download(self) -> None:
        name = self.rng.choice(["../../evil.zip", "CON.zip", "a\x1b[31m.zip", ""])
        self.sim.add_fault(kind="content_disposition", value=f'attachment; filename="{name}"')

    def _expire_tokens(self) -> None:
        self.sim.add_fault(kind="expire_tokens")

    def _unhealthy(self) -> None:
        self.sim.add_fault(kind="health", server_id=self._server(), status="Unhealthy")

    def _clear(self) -> None:
        self.sim.clear_faults()

    def _stop_start(self) -> None:
        if self.stopped and self.rng.random() < 0.7:
            server = self.stopped.pop()
            self.sim.start_server(server)
            return
        running = [s for s in self.ids if s not in self.stopped]
        if len(running) > 2:
            server = self.rng.choice(running)
            self.sim.stop_server(server)
            self.stopped.add(server)

    def _rename(self) -> None:
        self.sim.control("POST", f"servers/{self._server()}/rename",
                         {"name": self.rng.choice(HOSTILE_NAMES)})  # fmt: skip


FAULT_KINDS = (
    "latency", "fail", "malformed", "oversized", "redirect", "cut_download",
    "hostile_download", "expire_tokens", "unhealthy", "clear", "stop_start", "rename",
)  # fmt: skip


class ActionRunner:
    """The core's actions, one every ``ACTION_EVERY_S``; each outcome is tallied."""

    def __init__(
        self, session: ConnectionSession, folder: Path, rng: random.Random, tally: Tally
    ) -> None:
        self.session, self.folder, self.rng, self.tally = session, folder, rng, tally

    async def run(self) -> None:
        while True:
            await asyncio.sleep(ACTION_EVERY_S)
            action = self.rng.choice(["isolate", "return", "version", "logs", "servers"])
            try:
                await asyncio.wait_for(self._act(action), 120)
            except (ConsoleError, DownloadError) as error:
                self.tally.outcomes[f"{action} failed, clear"] += 1
                if "\n" in error.message if isinstance(error, ConsoleError) else "\n" in str(error):
                    self.tally.unclear.append(f"{action}: a message of several lines")
            except TimeoutError:
                self.tally.outcomes[f"{action} timed out"] += 1
                self.tally.unclear.append(f"{action}: no answer within 120 s")
            except Exception as error:
                self.tally.outcomes[f"{action} failed, UNCLEAR"] += 1
                self.tally.unclear.append(f"{action}: {error!r}"[:300])
            else:
                self.tally.outcomes[f"{action} ok"] += 1

    async def _act(self, action: str) -> None:
        client, actions = self.session.client, self.session.actions
        snapshot = await client.cluster()
        server = self.rng.choice(snapshot.servers)
        if action == "servers":
            return
        if action == "isolate":
            await actions.isolate(server.id, reason="soak")
        elif action == "return":
            await actions.return_to_service(server.id)
        elif action == "version":
            await actions.version(server.id)
        else:
            download = self.session.download_logs(
                server.id, self.folder, fallback_name=f"{server.id}_logs.zip"
            )
            path = await download.run()
            path.unlink()


@dataclass
class RunState:
    """The figures of one run as they build up, so that a run ending early can print them."""

    tally: Tally = field(default_factory=Tally)
    phase: str = "starting"
    soak_started: float | None = None  # monotonic, at the end of the warm-up
    rss_start: int = 0
    fds_start: int = 0
    blocks_start: int = 0
    census_start: Counter[str] | None = None
    trace_start: tracemalloc.Snapshot | None = None
    growth: list[str] = field(default_factory=list)
    audit_records: int | None = None
    rss_trimmed: int | None = None  # after handing freed heap back to the OS
    ended_early: str | None = None  # why the run stopped before its time
    ended_traceback: str = ""
    summary_printed: bool = False


def trimmed_rss() -> int | None:
    """RSS after glibc has returned its free heap memory to the OS (``malloc_trim``).

    What RSS loses here was freed but kept by the allocator (high-water marks of
    transient buffers), not leaked. None where there is no glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return vm_rss_bytes()


def object_census() -> Counter[str]:
    """Live objects tracked by the garbage collector, counted by type (after a collection)."""
    gc.collect()
    return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())


def census_growth(before: Counter[str], after: Counter[str], top: int = 15) -> list[str]:
    grown = sorted(((after[k] - before[k], k) for k in after), reverse=True)[:top]
    return [f"objects {kind}: {before[kind]} -> {after[kind]} ({delta:+d})"
            for delta, kind in grown if delta > 0]  # fmt: skip


def trace_growth(
    before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, top: int = 15
) -> list[str]:
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    diffs = after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "lineno")
    return [f"python heap {stat}" for stat in diffs[:top]]


async def soak(
    args: argparse.Namespace, sim: SimulatorProcess, home: Path, state: RunState
) -> None:
    tally = state.tally
    loop = asyncio.get_running_loop()
    watch_for_unhandled(loop, tally)
    rng = random.Random(args.seed)
    paths = AppPaths.under(home / "home").ensure()
    services = build_services(
        paths, WindowSettings.in_file(home / "settings.ini"), CredentialStore(MemoryKeyring())
    )
    window = MainWindow(services)
    window.start()
    window.resize(1280, 800)
    window.show()
    profile = profile_for(sim)
    window.repository.add_transient(profile)
    window.repository.set_transient_password(profile.id, Secret(sim.info.password))
    window.open_connection(profile)
    state.phase = "waiting for the first data"
    await wait_for(lambda: window.cluster_pane.model.rowCount() == SERVERS, 120, "first data")

    password = sim.info.password

    async def password_source() -> str:
        return password

    session = ConnectionSession(
        profile,
        password_source,
        audit=AuditLog.in_data_dir(paths),
        failover=FailoverRule.ANY_FAILURE,
    )
    downloads = home / "downloads"
    downloads.mkdir()
    tasks = [
        asyncio.create_task(FaultInjector(sim, rng, tally).run(), name="faults"),
        asyncio.create_task(ActionRunner(session, downloads, rng, tally).run(), name="actions"),
    ]
    main = asyncio.current_task()

    def on_task_done(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None and main is not None:
            error = task.exception()
            state.ended_early = f"the {task.get_name()} task failed: {error!r}"
            state.ended_traceback = "".join(traceback.format_exception(error))
            main.cancel()

    for task in tasks:
        task.add_done_callback(on_task_done)
    try:
        state.phase = "warm-up"
        await progress(args.warmup_seconds, "warm-up")
        if args.census:
            state.census_start = object_census()
        if args.tracemalloc:
            state.trace_start = tracemalloc.take_snapshot()
        state.rss_start, state.fds_start = vm_rss_bytes(), open_fds()
        state.blocks_start = sys.getallocatedblocks()
        tally.unhandled.clear()
        tally.outcomes.clear()
        tally.unclear.clear()
        tally.faults.clear()
        tally.errors_logged = 0
        state.phase = "soak"
        state.soak_started = time.monotonic()
        await progress(args.minutes * 60 - args.warmup_seconds, "soak", tally)
        state.phase = "settling"
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
    await asyncio.to_thread(sim.clear_faults)
    await asyncio.sleep(3)  # the window and the core settle (isolated servers stay so)
    state.phase = "measuring"
    if state.census_start is not None:
        state.growth += census_growth(state.census_start, object_census())
    if state.trace_start is not None:
        state.growth += trace_growth(state.trace_start, tracemalloc.take_snapshot())
    state.audit_records = len(AuditLog.in_data_dir(paths).read(limit=100_000))
    state.rss_trimmed = trimmed_rss()
    state.phase = "closing"
    await session.aclose()
    await close_window(window)
    for parentless in (services.repository, services.runner, services.settings.qsettings):
        shiboken6.delete(parentless)
    state.phase = "done"


def figures(state: RunState, rss_end: int, fds_end: int) -> dict[str, Any]:
    """What the run measured so far; RSS and descriptors "at the end" are given."""
    tally = state.tally
    measured = 0.0 if state.soak_started is None else time.monotonic() - state.soak_started
    return {
        "phase_reached": state.phase,
        "ended_early": state.ended_early,
        "ended_traceback": state.ended_traceback,
        "measured_seconds": measured,
        "faults": dict(tally.faults),
        "faults_total": sum(tally.faults.values()),
        "outcomes": dict(sorted(tally.outcomes.items())),
        "unclear": tally.unclear,
        "unhandled": tally.unhandled,
        "errors_logged": tally.errors_logged,
        "audit_records": state.audit_records,
        "rss_start": state.rss_start,
        "rss_end": rss_end,
        "rss_end_trimmed": state.rss_trimmed,
        "fds_start": state.fds_start,
        "fds_end": fds_end,
        "python_blocks_start": state.blocks_start,
        "python_blocks_end": sys.getallocatedblocks(),
        "growth": state.growth,
    }


def say(line: str) -> None:
    """Print one line; when standard output has gone (a pipe whose reader ended), say so
    once and carry on on standard error, so that the run and its summary go on."""
    try:
        print(line, flush=True)
        return
    except (BrokenPipeError, ValueError):  # ValueError: the stream was closed
        pass
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())  # nothing more fails at exit either
    sys.stdout = sys.stderr
    print("bench_soak: standard output was closed; going on on standard error", flush=True)
    print(line, flush=True)


async def progress(seconds: float, label: str, tally: Tally | None = None) -> None:
    started = time.monotonic()
    reported = 0
    while (left := seconds - (time.monotonic() - started)) > 0.1:
        await asyncio.sleep(min(left, PROGRESS_EVERY_S))
        if tally is not None:
            for line in (tally.unhandled + tally.unclear)[reported:]:
                say(f"  ! {line}")
            reported = len(tally.unhandled) + len(tally.unclear)
        extra = ""
        if tally is not None:
            extra = (
                f"; {sum(tally.faults.values())} faults, {sum(tally.outcomes.values())} "
                f"actions, {len(tally.unhandled)} unhandled"
            )
        say(
            f"{label}: {time.monotonic() - started:5.0f} of {seconds:.0f} s; RSS "
            f"{vm_rss_bytes() / MB:.1f} MB, {open_fds()} fds, "
            f"{sys.getallocatedblocks() / 1e6:.2f} M Python blocks{extra}"
        )


def watch_for_early_end(
    qt_app: Any, loop: asyncio.AbstractEventLoop, main: asyncio.Task[None], state: RunState
) -> None:
    """Turn every way a run can stop before its time into a reason printed with the figures.

    Fatal signals dump every thread's stack (``faulthandler``); SIGTERM, SIGINT and SIGHUP
    cancel the run so that it ends through its summary; Qt leaving its event loop is
    reported with the stack that asked for it; leaving the interpreter without a summary
    says so on stderr.
    """
    faulthandler.enable(all_threads=True)

    def on_signal(number: int, _frame: FrameType | None) -> None:
        state.ended_early = f"signal {signal.Signals(number).name} during the {state.phase}"
        loop.call_soon_threadsafe(main.cancel)

    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, on_signal)

    def on_about_to_quit() -> None:  # also emitted when the finished run stops the loop
        if state.ended_early is None and state.phase != "done":
            state.ended_early = f"Qt left its event loop during the {state.phase}"
            state.ended_traceback = "".join(traceback.format_stack())

    qt_app.aboutToQuit.connect(on_about_to_quit)

    def on_exit() -> None:
        if not state.summary_printed:
            print(f"bench_soak: the process is ending without a summary during the "
                  f"{state.phase} ({state.ended_early or 'no reason recorded'})",
                  file=sys.stderr, flush=True)  # fmt: skip

    atexit.register(on_exit)


def run(args: argparse.Namespace, workdir: Path, state: RunState) -> dict[str, Any]:
    if args.tracemalloc:
        tracemalloc.start(args.tracemalloc)
    use_offscreen_screen(workdir)
    qt_app = create_application()
    loop = qasync.QEventLoop(qt_app)
    sim = SimulatorProcess(workdir / "sim", SIMULATOR_ARGS)
    main = loop.create_task(soak(args, sim, workdir, state), name="soak")
    watch_for_early_end(qt_app, loop, main, state)
    try:
        sim.start()
        say(f"simulator ready; {args.minutes:g} min, seed {args.seed}")
        loop.run_until_complete(main)
    except BaseException as error:  # every early end is reported, then the run exits 1
        if state.ended_early is None:
            state.ended_early = f"{type(error).__name__} during the {state.phase}: {error}"
        state.ended_traceback += traceback.format_exc()
    finally:
        if not main.done():
            main.cancel()
        rss_end, fds_end = vm_rss_bytes(), open_fds()
        sim.stop()
        with contextlib.suppress(RuntimeError):  # a loop Qt has left cannot close cleanly
            loop.close()
    return {
        "machine": machine_description(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "minutes": args.minutes,
        "seed": args.seed,
        "load_average_at_end": load_average(),
        **figures(state, rss_end, fds_end),
    }


def _megabytes(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:.1f} MB (freed heap returned to the OS)"


def print_summary(result: dict[str, Any]) -> None:
    def growth(start: float, end: float) -> float:
        return 100.0 * (end - start) / start if start else 0.0

    rss = growth(result["rss_start"], result["rss_end"])
    fds = growth(result["fds_start"], result["fds_end"])
    blocks = growth(result["python_blocks_start"], result["python_blocks_end"])
    unhandled, unclear = result["unhandled"], result["unclear"]
    if result["ended_early"]:
        say(f"\nENDED EARLY: {result['ended_early']}\n{result['ended_traceback']}")
    say(
        f"\n{result['machine']}; revision {result['revision']}; load at end "
        f"{result['load_average_at_end'][0]:.2f}\n"
        f"soaked {result['measured_seconds'] / 60:.1f} min after the warm-up, seed "
        f"{result['seed']}: {result['faults_total']} faults {result['faults']}\n"
        f"unhandled exceptions  {len(unhandled)} (target 0)\n"
        f"actions               {result['outcomes']}\n"
        f"unclear failures      {len(unclear)} (target 0)\n"
        f"errors logged         {result['errors_logged']}; "
        f"audit records {result['audit_records']}\n"
        f"RSS                   {result['rss_start'] / MB:.1f} MB -> {result['rss_end'] / MB:.1f}"
        f" MB ({rss:+.1f} %, target < 10 %)\n"
        f"RSS after malloc_trim {_megabytes(result['rss_end_trimmed'])}\n"
        f"Python heap blocks    {result['python_blocks_start'] / 1e6:.2f} M -> "
        f"{result['python_blocks_end'] / 1e6:.2f} M ({blocks:+.1f} %)\n"
        f"file descriptors      {result['fds_start']} -> {result['fds_end']} ({fds:+.1f} %)"
    )
    for line in (unhandled + unclear)[:20]:
        say(f"  {line}")
    for line in result["growth"]:
        say(f"  {line}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.bench_soak",
        description="The window and the core against a misbehaving cluster for a long time.",
    )
    parser.add_argument("--minutes", type=float, default=30.0, help="whole run (default 30)")
    parser.add_argument("--warmup-seconds", type=float, default=60.0, help="default 60")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temp dir)")
    parser.add_argument(
        "--census", action="store_true", help="print which object types grew during the soak"
    )
    parser.add_argument(
        "--tracemalloc",
        type=int,
        default=0,
        metavar="FRAMES",
        help="trace Python allocations (slower, more memory) and print the lines that grew",
    )
    args = parser.parse_args()
    if not 0 < args.warmup_seconds < args.minutes * 60:
        parser.error("--warmup-seconds must be positive and shorter than --minutes")
    return args


def main() -> int:
    args = parse_args()
    state = RunState()
    result = run_in_scratch(
        args, "bench-soak-", lambda a, workdir: run(a, workdir, state), window_revision()
    )
    print_summary(result)
    state.summary_printed = True
    return 1 if result["ended_early"] else 0


if __name__ == "__main__":
    sys.exit(main())
