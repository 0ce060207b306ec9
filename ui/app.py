"""The composition root: ``python -m ui`` and ``ekran-console`` start here.

``main`` builds the services (folders, logging, saved connections, keyring, audit,
task runner), the QApplication and its qasync event loop, then runs the window until
it has closed and every shutdown coroutine has finished. A request to end from outside
(SIGTERM, Ctrl+C, the console window closing, log-off) runs the same shutdown and the
process exits 0. ``--demo`` and ``--smoke`` run in a throw-away home (``DemoHome``).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import linecache
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import qasync
from PySide6.QtCore import QTimer, SignalInstance
from PySide6.QtWidgets import QApplication

import app
from app.alerts.settings_store import AlertSettingsStore
from app.audit import AuditLog
from app.connections import ConnectionStore
from app.credentials import CredentialStore, DeferredCredentialStore
from app.logsetup import configure_logging, shutdown_logging
from app.paths import AppPaths
from app.removal import ConnectionRemoval
from ui.connections.repository import ConnectionRepository
from ui.demo import DemoCluster
from ui.demo_home import DemoHome
from ui.icons import icon
from ui.main_window import MainWindow
from ui.settings import APPLICATION, ORGANIZATION, WindowSettings
from ui.tasks import TaskRunner
from ui.termination import TerminationRequests
from ui.theme import apply_style, configure_high_dpi
from ui.window.services import HistoryOnFirstUse, OnFirstUse, WindowServices, history_in_memory

if TYPE_CHECKING:
    from app.history import OpenedHistory

log = logging.getLogger(__name__)

DESKTOP_FILE_NAME = "ekran-cluster-console"
SMOKE_TIMEOUT_S = 90.0
FREEZE_AFTER_FIRST_SNAPSHOT_MS = 10_000
"""After the first snapshot, time for the window to show it and the Load graph to draw
it (its first redraws import what they use) before ``freeze_after_first_snapshot``."""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ekran-console", description=f"{APPLICATION}: manage Ekran System clusters."
    )
    parser.add_argument(
        "--demo", action="store_true", help="start a simulated cluster on this computer and open it"
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="start, open the demo cluster, wait for its first update, then exit (0 on success)",
    )
    parser.add_argument(
        "--smoke-timeout",
        type=float,
        default=SMOKE_TIMEOUT_S,
        metavar="SECONDS",
        help=f"how long --smoke waits for the first update (default {SMOKE_TIMEOUT_S:g})",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser.parse_args(list(argv) if argv is not None else None)


def system_credentials() -> CredentialStore:
    """The system keyring's store, looked for when first used (from a worker thread)."""
    return DeferredCredentialStore()


def history_on_file(paths: AppPaths) -> OpenedHistory:
    """The load history opened on its file (numpy and SQLite; blocks: a worker thread)."""
    from app.history import HistoryStore, history_file

    return HistoryStore.open(history_file(paths))


def build_services(
    paths: AppPaths,
    settings: WindowSettings,
    credentials: CredentialStore,
    *,
    history: OpenedHistory | OnFirstUse[OpenedHistory] | None = None,
) -> WindowServices:
    """The window's services over ``paths`` (the folders must exist).

    ``history`` is the load history opened on its file, or how to open it when first
    needed; without it, history is kept in memory only.
    """
    runner = TaskRunner()
    store = ConnectionStore(paths)
    if history is None:
        opened_history = OnFirstUse(history_in_memory)
    elif isinstance(history, OnFirstUse):
        opened_history = history
    else:
        opened_history = OnFirstUse.of(history)
    alert_settings = AlertSettingsStore.in_config_dir(paths)
    removal = ConnectionRemoval(
        store, credentials, alert_settings, HistoryOnFirstUse(opened_history)
    )
    repository = ConnectionRepository(store, credentials, runner, removal)
    return WindowServices(
        paths=paths,
        settings=settings,
        runner=runner,
        repository=repository,
        audit=AuditLog.in_data_dir(paths),
        alert_settings=alert_settings,
        credentials=credentials,
        opened_history=opened_history,
    )


def freeze_startup_objects() -> None:
    """Exempt what start-up allocated (modules, Qt bindings, validators) from garbage
    collection: full collections then scan only what the running window allocates, and
    stop blocking the event loop for 50–70 ms every 20 s or so.

    The source lines ``linecache`` holds are dropped first: PySide reads the source of
    every module imported after it (to look for ``__feature__`` imports), which leaves
    the lines of every module in the cache, hundreds of thousands of strings for a full
    collection to visit. A traceback reads the lines it needs again."""
    linecache.clearcache()
    gc.collect()
    gc.freeze()


def freeze_opened_objects() -> None:
    """``freeze_startup_objects`` for a running window: only the younger generations are
    collected first (a full collection would stall the window for 50-70 ms, to free a
    dozen more objects); what is frozen leaves every later full collection."""
    linecache.clearcache()
    gc.collect(1)
    gc.freeze()


def freeze_after_first_snapshot(
    snapshot_shown: SignalInstance,
    *,
    delay_ms: int = FREEZE_AFTER_FIRST_SNAPSHOT_MS,
    freeze: Callable[[], None] = freeze_opened_objects,
) -> None:
    """Run ``freeze`` once, ``delay_ms`` after the first emission of ``snapshot_shown``.

    Opening the first connection imports what start-up deferred (the network stack,
    the history, the alert rules, pyqtgraph for the Load graph: about 500 modules) and
    fills the source-line cache again; left unfrozen, every full collection visits all
    of it, 50-140 ms with the GUI thread (or whichever thread collects) holding the
    GIL. Freezing once the first data is shown (and the graph has drawn it) leaves the
    collector the objects the running window renews, a few milliseconds' worth.
    """

    def on_first(*_: object) -> None:
        snapshot_shown.disconnect(on_first)
        QTimer.singleShot(delay_ms, freeze)

    snapshot_shown.connect(on_first)


def create_application() -> QApplication:
    """The QApplication with the console's names, icon and high-DPI settings."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        qt_app = existing
    else:
        configure_high_dpi()
        qt_app = QApplication(sys.argv[:1])
    qt_app.setOrganizationName(ORGANIZATION)
    qt_app.setApplicationName(APPLICATION)
    qt_app.setApplicationDisplayName(APPLICATION)
    qt_app.setApplicationVersion(app.__version__)
    qt_app.setDesktopFileName(DESKTOP_FILE_NAME)
    qt_app.setWindowIcon(icon("app"))
    qt_app.setQuitOnLastWindowClosed(False)  # the window quits after its async shutdown
    apply_style(qt_app)
    return qt_app


async def run_window(
    args: argparse.Namespace,
    paths: AppPaths,
    demo_home: DemoHome | None = None,
    termination: TerminationRequests | None = None,
) -> int:
    """Show the window and return the exit code once it has closed and shut down.

    The demo cluster's simulator keeps its files in ``demo_home`` when given. A request
    from ``termination`` (installed by the caller) shuts the window down; one that comes
    before the window exists ends the run at once.
    """
    loop = asyncio.get_running_loop()
    if not isinstance(loop, qasync.QEventLoop):
        raise RuntimeError(f"the window must run on the qasync loop, not {type(loop).__name__}")
    ended: list[str] = []
    requests = termination.requested if termination is not None else None
    if requests is not None:
        requests.connect(ended.append)  # until the window exists
    try:
        if ended:
            return 0
        services = build_services(
            paths,
            WindowSettings.for_paths(paths),
            system_credentials(),
            history=OnFirstUse(lambda: history_on_file(paths)),
        )
        window = MainWindow(services)
        closed: asyncio.Future[None] = loop.create_future()
        window.shutdown_finished.connect(lambda: _resolve(closed))
        if requests is not None:
            requests.disconnect(ended.append)
            requests.connect(window.shut_down)
        about_to_quit = QApplication.instance().aboutToQuit  # type: ignore[union-attr]
        about_to_quit.connect(window.shut_down_now)
        window.start()
        window.show()
        log.info("window open")
        freeze_startup_objects()
        freeze_after_first_snapshot(window.cluster_pane.snapshot_shown)
        code = 0
        simulator_dir = demo_home.simulator_dir if demo_home is not None else None
        if args.smoke:
            code = await _smoke(window, args.smoke_timeout, simulator_dir)
            window.close()
        elif args.demo:
            demo = DemoCluster(workdir=simulator_dir, staged=True)
            window.runner.start(window.open_demo(demo), name="start the demo cluster")
        await closed
        about_to_quit.disconnect(window.shut_down_now)
        opened = await asyncio.to_thread(services.opened_history.peek)
        if opened is not None:  # after the sessions: nothing records
            await asyncio.to_thread(opened.store.close)
        return code
    finally:
        if requests is not None and ended:
            requests.disconnect(ended.append)


async def _smoke(window: MainWindow, within: float, simulator_dir: Path | None) -> int:
    """Open the demo cluster and wait for its first snapshot; 0, or 1 with a reason."""
    loop = asyncio.get_running_loop()
    first: asyncio.Future[None] = loop.create_future()
    window.sessions.snapshot_received.connect(lambda _id, _snapshot: _resolve(first))

    async def open_and_wait() -> None:
        await window.open_demo(DemoCluster(workdir=simulator_dir))
        await first

    try:
        await asyncio.wait_for(open_and_wait(), within)
    except TimeoutError:
        print(f"smoke test failed: no cluster data within {within:g} s", file=sys.stderr)
        return 1
    except Exception as error:
        print(f"smoke test failed: {error}", file=sys.stderr)
        return 1
    print("smoke test passed: the demo cluster answered", file=sys.stderr)
    return 0


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console window; returns the process exit code."""
    args = parse_args(argv)
    if args.version:
        print(f"{APPLICATION} {app.__version__}")
        return 0
    demo_home: DemoHome | None = None
    try:
        if args.demo or args.smoke:
            demo_home = DemoHome.create()
            paths = demo_home.paths.ensure()
        else:
            paths = AppPaths.default().ensure()
        configure_logging(paths)
    except OSError as error:
        print(f"Cannot create the console's folders: {error}", file=sys.stderr)
        if demo_home is not None:
            demo_home.remove()
        return 1
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not one line per poll
    log.info("starting %s %s", APPLICATION, app.__version__)
    if demo_home is not None:
        log.info("demo run: every file under %s, removed at the end", demo_home.root)
    termination: TerminationRequests | None = None
    try:
        qt_app = create_application()
        loop = qasync.QEventLoop(qt_app)
        termination = TerminationRequests(loop)
        termination.install(qt_app)
        window_run = loop.create_task(run_window(args, paths, demo_home, termination))
        try:
            code: int = loop.run_until_complete(window_run)
            return code
        except RuntimeError:
            if window_run.done():
                raise
            # Qt left its event loop before the window had shut down: the display went
            # away (an X server ending) or the session did. ``shut_down_now`` has run on
            # ``aboutToQuit``; the loop cannot run again to finish the rest.
            log.warning("the window system ended the console before it had shut down")
            print("The display or the session ended; the console has closed.", file=sys.stderr)
            return 0
        finally:
            loop.close()
    finally:
        if demo_home is not None:
            shutdown_logging()  # its log file is in the demo home
            demo_home.remove()
        if termination is not None:
            termination.uninstall()
            termination.finished()  # last: Windows ends the process once a close event returns
