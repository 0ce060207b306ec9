"""EventsRecorder: changes and actions into the events table at once, onto disk off the
UI thread."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from app.alerts import Alert, AlertEngine, Severity
from app.api.models import ClusterSnapshot, Server
from app.audit import AuditEntry, AuditLog
from app.events import (
    EventRecord,
    EventsNotWrittenError,
    EventSource,
    EventStore,
    event_from_alert,
    event_from_audit,
    merge_newest_first,
)
from app.monitor import ConnectionState, MonitorStatus
from ui.events.events_model import EventsTableModel
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

RETRY_MS = 30_000
"""How often records a full or read-only disk refused are tried again."""
PRUNE_MS = 3_600_000
"""How often rows older than the retention leave the table and the file."""
AUDIT_READ_LIMIT = 50_000


def _utcnow() -> datetime:
    return datetime.now(UTC)


class EventsRecorder(QObject):
    """Feeds ``model`` with every change ``engine`` finds (whatever the alert settings
    and rate limits) and every action ``audit`` records, and keeps the changes in
    ``store`` (actions with their servers' names, see ``learn_names``). At ``start`` the
    journal and the audit trail are read back: an action the journal lacks (done by the
    command line, or not written) comes from the audit trail.

    The table gets a record at once; the disk gets it from a worker thread, one batch
    at a time, in order. A batch the disk refuses stays in memory, is reported once
    (``problem_reported``) and tried again every ``RETRY_MS``; ``flush_now`` writes
    what is left when the window has closed.

    Signals:
        loaded(int): the journal and the audit trail were read; that many rows shown.
        problem_reported(str, bool): a one-line message; True for a problem, False for
            the good news that kept records were written.
    """

    loaded = Signal(int)
    problem_reported = Signal(str, bool)
    _audit_appended = Signal(object)  # from the audit's writer threads to this thread

    def __init__(
        self,
        store: EventStore,
        model: EventsTableModel,
        runner: TaskRunner,
        *,
        audit: AuditLog | None,
        clock: Callable[[], datetime] = _utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.model = model
        self._runner = runner
        self._audit = audit
        self._clock = clock
        self._detach: list[Callable[[], None]] = []
        self._live: list[EventRecord] | None = []  # None once loaded
        # connection name -> its latest snapshot's servers (named when an action comes)
        self._servers: dict[str, tuple[Server, ...]] = {}
        self._serving: dict[str, str] = {}  # connection id -> the endpoint that answered
        self._unwritten: list[EventRecord] = []
        self._in_flight: list[_BatchWrite] = []  # batches handed to worker threads
        self._writing = False
        self._reported = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._on_flush_timer_timeout)
        self._retry_timer = QTimer(self)
        self._retry_timer.setInterval(RETRY_MS)
        self._retry_timer.timeout.connect(self._on_retry_timer_timeout)
        self._prune_timer = QTimer(self)
        self._prune_timer.setInterval(PRUNE_MS)
        self._prune_timer.timeout.connect(self._on_prune_timer_timeout)
        self._audit_appended.connect(self._on_audit_appended)

    # -- lifetime ---------------------------------------------------------------------------
    def attach(self, engine: AlertEngine) -> None:
        """Record ``engine``'s changes and the audit trail's new actions from now on."""
        self._detach.append(engine.subscribe_changes(self._on_engine_change))
        if self._audit is not None:
            self._detach.append(self._audit.subscribe(self._audit_appended.emit))

    def start(self) -> None:
        """Read the journal (pruning it) and the audit trail off the UI thread."""
        now = self._clock()
        self._runner.start(
            asyncio.to_thread(self._read_all, now),
            name="read the events journal",
            on_done=self._on_read,
            on_error=self._on_read_failed,
        )
        self._prune_timer.start()

    def detach(self) -> None:
        """Stop recording (the window is closing)."""
        for detach in self._detach:
            detach()
        self._detach.clear()
        self._retry_timer.stop()
        self._prune_timer.stop()

    def flush_now(self) -> None:
        """Write what is still unwritten, blocking: only once the window has closed.

        A batch handed to a worker thread is written here if that thread never started
        (its task was cancelled first), or waited for if it did, so everything recorded
        is in the journal when this returns (or kept in the store's ``pending`` and
        logged).
        """
        self._flush_timer.stop()
        batch, self._unwritten = self._unwritten, []
        in_flight, self._in_flight = self._in_flight, []
        try:
            for write in in_flight:
                write.finish_here()
            self.store.append(batch)
        except EventsNotWrittenError as error:
            log.error("%s They are lost when the console ends.", error)

    # -- recording --------------------------------------------------------------------------
    def record(self, records: Sequence[EventRecord], *, keep: bool = True) -> None:
        """Show ``records`` now; with ``keep``, write them to the journal too."""
        self.model.add(records)
        if self._live is not None:
            self._live.extend(records)
        if keep:
            self._unwritten.extend(records)
            if not self._writing:
                self._flush_timer.start()

    def _on_engine_change(self, change: Alert) -> None:
        self.record([event_from_alert(change)])

    def note_status(self, connection_id: str, name: str, status: MonitorStatus) -> None:
        """Record the endpoint change of a connection that moved to another endpoint (which
        one serves, and what each endpoint tried answered)."""
        url = status.active_url
        previous = self._serving.get(connection_id)
        if status.state is ConnectionState.IDLE:
            self._serving.pop(connection_id, None)
            return
        if url is None or status.error is not None or not status.attempts:
            return
        self._serving[connection_id] = url
        if previous is None or previous == url:
            return
        served = status.attempts[-1]
        where = "a server's own endpoint from the cluster" if served.from_cluster else "endpoint"
        self.record(
            [
                EventRecord(
                    ts=status.last_success_at or self._clock(),
                    source=EventSource.CLUSTER,
                    severity=Severity.WARNING if served.from_cluster else Severity.INFO,
                    kind="endpoint",
                    connection_id=connection_id,
                    connection=name,
                    servers=(),
                    title=f"Now served by {where} {url}",
                    text="; ".join(a.describe() for a in status.attempts),
                )
            ]
        )

    def learn_names(self, connection_name: str, snapshot: ClusterSnapshot) -> None:
        """Name the servers of the connection's later actions (the audit trail has ids)."""
        self._servers[connection_name] = snapshot.servers  # looked at only for an action

    def _on_audit_appended(self, entry: object) -> None:
        if isinstance(entry, AuditEntry):
            names = {server.id: server.name for server in self._servers.get(entry.connection, ())}
            self.record([event_from_audit(entry).named(names)])

    # -- reading ----------------------------------------------------------------------------
    def _read_all(self, now: datetime) -> list[EventRecord]:
        """(Worker thread) the journal's records and the audit trail's recent actions."""
        records = self.store.load(now)
        if self._audit is not None:
            cutoff = now - self.store.retention
            entries = self._audit.read(limit=AUDIT_READ_LIMIT)
            records += [event_from_audit(e) for e in entries if e.ts >= cutoff]
        return records

    def _on_read(self, records: list[EventRecord]) -> None:
        live, self._live = self._live or [], None
        self.model.set_records(merge_newest_first(live, records))
        self.loaded.emit(self.model.rowCount())

    def _on_read_failed(self, error: BaseException) -> None:
        log.warning("the events journal could not be read: %r", error)
        self._live = None
        self.problem_reported.emit(
            f"The events of earlier runs could not be read ({error}); new ones are recorded.",
            True,
        )
        self.loaded.emit(self.model.rowCount())

    # -- writing ----------------------------------------------------------------------------
    def _on_flush_timer_timeout(self) -> None:
        if self._writing or not self._unwritten:
            return
        batch, self._unwritten = self._unwritten, []
        write = _BatchWrite(self.store, batch)
        task = self._runner.start(
            asyncio.to_thread(write.run),
            name="write events",
            on_done=lambda _none: self._on_written(),
            on_error=self._on_write_failed,
        )
        if task is None:  # the window is closing: flush_now writes them
            self._unwritten[:0] = batch
            return
        self._in_flight.append(write)
        self._writing = True
        task.add_done_callback(lambda _task: self._on_write_ended())

    def _on_write_ended(self) -> None:
        # A task cancelled as the window closes ends before its thread has written.
        self._writing = False
        self._in_flight = [write for write in self._in_flight if not write.finished]
        if self._unwritten:
            self._flush_timer.start()

    def _on_written(self) -> None:
        if self._reported:
            self._reported = False
            self._retry_timer.stop()
            self.problem_reported.emit("The events kept in memory were written.", False)

    def _on_write_failed(self, error: BaseException) -> None:
        # The store keeps the batch in ``pending``; the next write or retry writes it first.
        log.warning("events not written: %s", error)
        if not self._reported:
            self._reported = True
            self.problem_reported.emit(
                f"{error} They are kept and written as soon as the disk takes them.", True
            )
        if not self._retry_timer.isActive():
            self._retry_timer.start()

    def _on_retry_timer_timeout(self) -> None:
        if self._writing:
            return
        self._writing = True

        def done(left: int) -> None:
            if left == 0:
                self._on_written()

        task = self._runner.start(
            asyncio.to_thread(self.store.retry_pending),
            name="write kept events",
            on_done=done,
            on_error=self._on_write_failed,
        )
        if task is None:
            self._writing = False
            return
        task.add_done_callback(lambda _task: self._on_write_ended())

    def _on_prune_timer_timeout(self) -> None:
        now = self._clock()
        self.model.drop_older_than(now - self.store.retention)
        self._runner.start(
            asyncio.to_thread(self.store.load, now),
            name="prune the events journal",
            on_error=lambda error: log.warning("events journal not pruned: %r", error),
        )


class _BatchWrite:
    """One batch of records for the journal, written exactly once: by the worker thread it
    was handed to, or by ``finish_here`` when the window closes before that thread ran."""

    WAIT_S = 30.0  # the store's own lock waits at most LOCK_TIMEOUT_S

    def __init__(self, store: EventStore, batch: list[EventRecord]) -> None:
        self._store = store
        self._batch = batch
        self._claim_lock = threading.Lock()
        self._claimed = False
        self._done = threading.Event()

    def run(self) -> None:
        """(Worker thread) write the batch unless ``finish_here`` already did."""
        self._write_if_unclaimed()

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def finish_here(self) -> None:
        """Write the batch on this thread, or wait for the worker thread writing it."""
        if not self._write_if_unclaimed() and not self._done.wait(self.WAIT_S):
            log.error("an events write on a worker thread did not end within %s s", self.WAIT_S)

    def _write_if_unclaimed(self) -> bool:
        """Write the batch on this thread if no other thread claimed it; whether it did."""
        if not self._claim():
            return False
        try:
            self._store.append(self._batch)
        finally:
            self._done.set()
        return True

    def _claim(self) -> bool:
        with self._claim_lock:
            claimed, self._claimed = self._claimed, True
            return not claimed
