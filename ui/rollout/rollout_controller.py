"""RolloutController: the window's rolling maintenance runs, one per open connection.

It starts a run from the panel's plan, resumes a saved run when its connection opens
(after a restart of the console or a crash), passes the admin's commands to the run's
driver, and shows in the panel the run (or the plan) of the connection on screen. The
sequence itself lives in ``app.rollout``; this class only wires it to the window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.api.models import ClusterSnapshot
from app.rollout import (
    Admin,
    RolloutBusyError,
    RolloutMessage,
    RolloutPlan,
    RolloutState,
    RolloutStore,
    RolloutStoreError,
    start_run,
)
from app.rollout.driver import RolloutDriver
from ui.rollout.rollout_panel import RolloutPanel
from ui.sessions import OpenConnection, SessionManager
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)


@dataclass
class _Run:
    driver: RolloutDriver
    release: Callable[[], None]  # the lock's, called once the driver has stopped
    task: asyncio.Task[RolloutState] | None = None


class RolloutController(QObject):
    """Owns the drivers of the window's runs and keeps ``panel`` current.

    Signals:
        message_posted(str, object): a run's ``RolloutMessage`` (connection id first).
        problem_reported(str): a run could not start or resume; one line.
    """

    message_posted = Signal(str, object)
    problem_reported = Signal(str)

    def __init__(
        self,
        runner: TaskRunner,
        sessions: SessionManager,
        store: RolloutStore,
        panel: RolloutPanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._sessions = sessions
        self._store = store
        self.panel = panel
        self._runs: dict[str, _Run] = {}
        self._last: dict[str, RolloutState] = {}  # runs that ended in this window
        self._shown: OpenConnection | None = None
        panel.start_requested.connect(self._on_panel_start_requested)
        panel.command_requested.connect(self._on_panel_command_requested)

    # -- what the window tells it -------------------------------------------------------------
    def run_of(self, connection_id: str) -> RolloutState | None:
        """The state of the connection's run in this window, if one is driven here."""
        run = self._runs.get(connection_id)
        return run.driver.state if run is not None else None

    def show(self, connection: OpenConnection | None) -> None:
        """Show the run, the last run or a new plan of ``connection`` in the panel."""
        previous, self._shown = self._shown, connection
        panel = self.panel
        if connection is None:
            panel.show_nothing("Open a connection, then choose Server > Rolling maintenance…")
            return
        snapshot = connection.session.monitor.snapshot
        run = self._runs.get(connection.id)
        if snapshot is not None and not panel.showing_nothing:
            panel.set_snapshot(snapshot)
        if run is not None:
            if snapshot is not None:
                panel.set_snapshot(snapshot)
            panel.show_run(run.driver.state)
        elif connection.profile.read_only:
            panel.show_nothing(
                f"{connection.profile.name} is read-only: it cannot isolate servers, so it "
                "cannot run a rolling maintenance."
            )
        elif snapshot is None:
            panel.show_nothing(f"Waiting for the first update of {connection.profile.name}…")
        elif previous is connection and panel.planning:
            pass  # keep the plan being edited
        elif connection.id in self._last:
            panel.set_snapshot(snapshot)
            panel.show_run(self._last[connection.id])
        else:
            panel.show_planning(connection.profile.name, snapshot)

    def connection_opened(self, connection: OpenConnection) -> None:
        """Resume the connection's saved run, if one is still going on."""
        self._runner.start(self._resume_saved(connection), name="resume a rolling maintenance")

    def connection_closed(self, connection_id: str) -> None:
        """Stop driving the connection's run (it stays saved and resumes on the next open)."""
        run = self._runs.get(connection_id)
        if run is not None and run.task is not None:
            run.task.cancel()
        if self._shown is not None and self._shown.id == connection_id:
            self.show(None)

    def snapshot_received(self, connection_id: str, snapshot: ClusterSnapshot) -> None:
        shown = self._shown
        if shown is None or shown.id != connection_id:
            return
        if self.panel.showing_nothing:
            self.show(shown)  # e.g. the first update has come
        else:
            self.panel.set_snapshot(snapshot)

    # -- starting and resuming ------------------------------------------------------------
    async def _resume_saved(self, connection: OpenConnection) -> None:
        try:
            saved = await asyncio.to_thread(self._store.load, connection.id)
        except RolloutStoreError as error:
            self.problem_reported.emit(str(error))
            return
        if saved is None or not saved.status.active or connection.id in self._runs:
            return
        if self._sessions.connection(connection.id) is not connection:
            return  # closed meanwhile
        self._begin(connection, saved)

    def _begin(self, connection: OpenConnection, state: RolloutState) -> bool:
        lock = self._store.lock(connection.id)
        try:
            lock.acquire()
        except RolloutStoreError as error:
            self.problem_reported.emit(f"{connection.profile.name}: {error}")
            return False
        session = connection.session
        connection_id = connection.id
        driver = RolloutDriver(
            state,
            key=connection_id,
            store=self._store,
            monitor=session.monitor,
            client=session.client,
            actions=session.actions,
            read_only=connection.profile.read_only,
            on_message=lambda message: self._on_driver_message(connection_id, message),
            on_state=lambda changed: self._on_driver_state(connection_id, changed),
        )
        run = _Run(driver, lock.release)
        self._runs[connection_id] = run
        run.task = self._runner.start(
            driver.run(),
            name="rolling maintenance",
            on_error=lambda error: self._failed(connection_id, run, error),
        )
        if run.task is None:  # the window is closing
            self._ended(connection_id, run)
            return False
        run.task.add_done_callback(lambda _task: self._ended(connection_id, run))
        self._last.pop(connection_id, None)
        if self._shown is connection:
            self.show(connection)
        return True

    def _ended(self, connection_id: str, run: _Run) -> None:
        if self._runs.get(connection_id) is run:
            del self._runs[connection_id]
            run.release()
            state = run.driver.state
            if not state.status.active:
                self._last[connection_id] = state

    def _failed(self, connection_id: str, run: _Run, error: BaseException) -> None:
        log.error("rolling maintenance of %s failed", connection_id, exc_info=error)
        self._ended(connection_id, run)
        self.problem_reported.emit(f"The rolling maintenance stopped: {error}")

    # -- the panel ------------------------------------------------------------------------
    def _on_panel_start_requested(self, plan: RolloutPlan) -> None:
        connection = self._shown
        if connection is None or connection.id in self._runs:
            return
        snapshot = connection.session.monitor.snapshot
        if snapshot is None:
            self.problem_reported.emit("The cluster has not answered yet; try again in a moment.")
            return
        try:
            state = start_run(
                plan,
                snapshot,
                connection_id=connection.id,
                connection_name=connection.profile.name,
                user=connection.profile.username,
                now=snapshot.received_at,
            )
        except ValueError as error:
            self.problem_reported.emit(str(error))
            return
        if not self._begin(connection, state):
            return
        self.panel.show_run(state)

    def _on_panel_command_requested(self, admin: Admin) -> None:
        connection = self._shown
        run = self._runs.get(connection.id) if connection is not None else None
        if run is not None:
            run.driver.command(admin)

    # -- the drivers ------------------------------------------------------------------------
    def _on_driver_message(self, connection_id: str, message: RolloutMessage) -> None:
        self.message_posted.emit(connection_id, message)

    def _on_driver_state(self, connection_id: str, state: RolloutState) -> None:
        if self._shown is not None and self._shown.id == connection_id:
            self.panel.show_run(state)


__all__ = ["RolloutBusyError", "RolloutController"]
