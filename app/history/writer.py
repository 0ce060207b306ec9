"""The history writer: one thread that owns the database connection.

Callers hand it ``WriteBatch`` objects and never wait on the disk; it commits them in
one transaction per second or so, deletes rows past the retention limits, and answers
reads, flushes and a final close in queue order (so a read sees every earlier write).
A damaged file met on the way is set aside and replaced; other disk failures drop the
batch at hand and are reported through ``problem``.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from app.history import tables
from app.history.database import is_damage, replace_damaged
from app.history.tables import SeriesIds, StoredHistory, WriteBatch

log = logging.getLogger(__name__)

DAY_S = 86_400.0
KEEP_S = 7 * DAY_S
RAW_KEEP_S = 3600.0 + 120.0


@dataclass(frozen=True)
class _Read:
    since: float
    raw_since: float
    done: Future[tuple[StoredHistory, str | None]]


@dataclass(frozen=True)
class _Forget:
    connection_id: str


@dataclass(frozen=True)
class _Flush:
    done: Future[None] = field(default_factory=Future)


@dataclass(frozen=True)
class _Close:
    done: Future[None] = field(default_factory=Future)


_Control = _Read | _Forget | _Flush | _Close


class HistoryWriter:
    """Writes history batches to ``path`` on a thread of its own.

    ``connection`` must be a checked connection to ``path`` (``database.open_checked``);
    the writer owns it from then on and closes it in ``close()``. ``clock`` gives the
    time (POSIX seconds) for retention: raw rows are kept ``raw_keep_s``, minute rows and
    events ``keep_s``; the check runs every ``prune_interval_s``.
    """

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        *,
        clock: Callable[[], float] = time.time,
        keep_s: float = KEEP_S,
        raw_keep_s: float = RAW_KEEP_S,
        commit_interval_s: float = 1.0,
        prune_interval_s: float = 300.0,
    ) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = connection
        self._clock = clock
        self._keep_s = keep_s
        self._raw_keep_s = raw_keep_s
        self._commit_interval_s = commit_interval_s
        self._prune_interval_s = prune_interval_s
        self._queue: queue.SimpleQueue[WriteBatch | _Control] = queue.SimpleQueue()
        self._ids: SeriesIds = {}
        self._last_prune: float | None = None
        self._problem: str | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="history-writer", daemon=True)
        self._thread.start()

    @property
    def problem(self) -> str | None:
        """One line about the latest disk problem (None while all went well)."""
        return self._problem

    def submit(self, batch: WriteBatch) -> None:
        """Queue a batch; returns at once. Ignored after ``close()``."""
        if not self._closed and batch:
            self._queue.put(batch)

    def forget(self, connection_id: str) -> None:
        """Queue the deletion of everything stored for ``connection_id``."""
        if not self._closed:
            self._queue.put(_Forget(connection_id))

    def read(self, since: float, raw_since: float) -> Future[tuple[StoredHistory, str | None]]:
        """Rows stored from ``since`` on (see ``tables.read``), read after every queued write.

        The future's second item is a one-line notice when the file turned out damaged
        (it was then set aside and replaced, and the rows are empty).
        """
        request = _Read(since, raw_since, Future())
        if self._closed:
            request.done.set_result((StoredHistory(), None))
        else:
            self._queue.put(request)
        return request.done

    def flush(self, timeout: float | None = 30.0) -> None:
        """Block until everything queued so far is written; ``TimeoutError`` after ``timeout``."""
        if self._closed:
            return
        request = _Flush()
        self._queue.put(request)
        request.done.result(timeout)

    def close(self, timeout: float | None = 30.0) -> None:
        """Write what is queued, close the database and end the thread; idempotent."""
        if self._closed:
            return
        self._closed = True
        request = _Close()
        self._queue.put(request)
        request.done.result(timeout)
        self._thread.join(timeout)

    # -- the thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while self._step():
            pass

    def _step(self) -> bool:
        """Handle what the queue holds next; False once closed.

        A method of its own so that nothing handled (rows read, batches) stays referenced
        while the thread waits for more.
        """
        batches, control = self._collect()
        try:
            if batches:
                self._write(batches)
            self._maybe_prune()
            return control is None or not self._handle(control)
        except Exception as error:  # a bug must neither stop history nor hang a caller
            log.exception("history writer failed")
            self._problem = "The load history could not be saved (internal error)."
            if control is None or isinstance(control, _Forget):
                return True
            if not control.done.done():
                control.done.set_exception(error)
            if isinstance(control, _Close):
                self._disconnect()
                return False
            return True

    def _collect(self) -> tuple[list[WriteBatch], _Control | None]:
        """Batches that arrived within one commit interval, and the control that ended it."""
        batches: list[WriteBatch] = []
        deadline: float | None = None
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                return batches, None
            if not isinstance(item, WriteBatch):
                return batches, item
            batches.append(item)
            if deadline is None:
                deadline = time.monotonic() + self._commit_interval_s

    def _write(self, batches: list[WriteBatch]) -> None:
        if self._connection is None:
            return
        try:
            tables.write(self._connection, batches, self._ids)
        except sqlite3.Error as error:
            self._on_error(error)

    def _handle(self, control: _Control) -> bool:
        """Carry out a control request; True when the thread must end."""
        if isinstance(control, _Read):
            stored, notice = StoredHistory(), None
            if self._connection is not None:
                try:
                    stored = tables.read(self._connection, control.since, control.raw_since)
                except sqlite3.Error as error:
                    notice = self._on_error(error)
            control.done.set_result((stored, notice))
        elif isinstance(control, _Forget):
            if self._connection is not None:
                try:
                    tables.forget(self._connection, control.connection_id)
                except sqlite3.Error as error:
                    self._on_error(error)
            self._ids = {k: v for k, v in self._ids.items() if k[0] != control.connection_id}
        elif isinstance(control, _Flush):
            control.done.set_result(None)
        else:
            self._disconnect()
            control.done.set_result(None)
            return True
        return False

    def _maybe_prune(self) -> None:
        now = self._clock()
        if self._connection is None or (
            self._last_prune is not None and now - self._last_prune < self._prune_interval_s
        ):
            return
        self._last_prune = now
        try:
            emptied = tables.prune(
                self._connection,
                raw_before=now - self._raw_keep_s,
                minute_before=now - self._keep_s,
            )
        except sqlite3.Error as error:
            self._on_error(error)
            return
        if emptied:
            self._ids.clear()

    def _on_error(self, error: sqlite3.Error) -> str:
        """Record a failure as ``problem`` (replacing a damaged file) and return the line."""
        self._ids.clear()
        if not is_damage(error):
            log.warning("history write failed: %s", error)
            self._problem = f"The load history could not be saved: {error}."
            return self._problem
        self._disconnect()
        try:
            self._connection, self._problem = replace_damaged(self._path, _first_line(error))
        except (sqlite3.Error, OSError) as failure:
            log.warning("history database could not be replaced: %s", failure)
            self._problem = (
                f"The load history file is damaged and could not be replaced ({failure}); "
                "history is kept in memory only."
            )
        return self._problem

    def _disconnect(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self._connection.close()
            self._connection = None


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines and lines[0] else type(error).__name__
