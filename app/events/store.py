"""EventStore: the events journal in ``events.jsonl`` beside the audit trail, kept 30 days.

One JSON object per line (``EventRecord.to_json``), appended with a single write on a
file opened in append mode under an inter-process lock, oldest first. ``load`` reads
the records of the last 30 days and rewrites the file without the older ones (and
without damaged lines) in one atomic replace. Blocking: call it off the UI thread.

A batch that cannot be written (a full disk, a read-only folder) is never dropped
silently: ``append`` raises ``EventsNotWrittenError`` and keeps the records in memory
(``pending``); the next ``append`` or ``retry_pending`` writes them first, in order.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

from app.connections.appending import append_whole_lines
from app.connections.atomic import write_atomically
from app.connections.filelock import InterProcessLock, LockTimeoutError
from app.events.record import EventRecord
from app.paths import AppPaths

log = logging.getLogger(__name__)

EVENTS_FILE = "events.jsonl"
RETENTION = timedelta(days=30)
LOCK_TIMEOUT_S = 10.0
MAX_FILE_BYTES = 64 * 1024 * 1024
"""Larger files are not read whole: only their last 64 MiB count (the oldest lines go)."""


class EventsNotWrittenError(OSError):
    """Events could not be written; they are kept in memory and retried.

    ``count`` is how many records wait; ``path`` the file; ``reason`` the system's
    one-line explanation.
    """

    def __init__(self, count: int, path: Path, cause: OSError) -> None:
        self.reason = cause.strerror or str(cause) or type(cause).__name__
        super().__init__(cause.errno, f"Events could not be written to {path}")
        self.count = count
        self.path = path

    def __str__(self) -> str:
        noun = "event" if self.count == 1 else "events"
        return f"{self.count} {noun} could not be written to {self.path} ({self.reason})."


class EventStore:
    """The events journal of one user. Thread-safe."""

    def __init__(self, path: Path, *, retention: timedelta = RETENTION) -> None:
        self.path = path
        self.retention = retention
        self._lock_path = path.with_name(path.name + ".lock")
        self._pending: list[EventRecord] = []
        self._mutex = threading.Lock()

    @classmethod
    def in_data_dir(cls, paths: AppPaths) -> EventStore:
        return cls(paths.data_dir / EVENTS_FILE)

    def __repr__(self) -> str:
        return f"EventStore({str(self.path)!r})"

    @property
    def pending(self) -> tuple[EventRecord, ...]:
        """Records not written yet, oldest first."""
        with self._mutex:
            return tuple(self._pending)

    def append(self, records: Sequence[EventRecord]) -> None:
        """Write ``records`` (after any kept from earlier failures).

        Raises ``EventsNotWrittenError`` when the file cannot be written; the records
        are then kept in ``pending``.
        """
        with self._mutex:
            self._pending.extend(records)
            self._write_pending()

    def retry_pending(self) -> int:
        """Write the kept records; returns how many still wait (0: all written)."""
        with self._mutex:
            if self._pending:
                with contextlib.suppress(EventsNotWrittenError):
                    self._write_pending()
            return len(self._pending)

    def load(self, now: datetime) -> list[EventRecord]:
        """The records of the last ``retention`` before ``now``, oldest first.

        Older records and damaged lines are dropped from the file (an atomic rewrite);
        if that rewrite fails the file stays as it was and the reason is logged.
        """
        cutoff = now - self.retention
        with self._mutex:
            try:
                lines = _read_lines(self.path)
            except FileNotFoundError:
                return []
            records: list[EventRecord] = []
            for line in lines:
                if not line.strip():
                    continue
                try:
                    records.append(EventRecord.from_json(json.loads(line)))
                except (ValueError, KeyError, TypeError):
                    continue  # damaged (cut short by a crash) or foreign
            kept = [record for record in records if record.ts >= cutoff]
            if len(kept) != len([line for line in lines if line.strip()]):
                self._rewrite(kept)
            return kept

    # -- internals ---------------------------------------------------------------------
    def _write_pending(self) -> None:
        if not self._pending:
            return
        data = "".join(
            json.dumps(record.to_json(), ensure_ascii=False) + "\n" for record in self._pending
        ).encode("utf-8")
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            append_whole_lines(
                self.path, data, lock_path=self._lock_path, lock_timeout_s=LOCK_TIMEOUT_S
            )
        except (OSError, LockTimeoutError) as exc:
            raise EventsNotWrittenError(len(self._pending), self.path, exc) from exc
        self._pending.clear()

    def _rewrite(self, kept: list[EventRecord]) -> None:
        data = "".join(
            json.dumps(record.to_json(), ensure_ascii=False) + "\n" for record in kept
        ).encode("utf-8")
        try:
            with InterProcessLock(self._lock_path, timeout_s=LOCK_TIMEOUT_S):
                write_atomically(self.path, data)
        except (OSError, LockTimeoutError) as exc:
            log.warning("The events journal was not pruned: %s", exc)


def _read_lines(path: Path) -> list[bytes]:
    with path.open("rb") as stream:
        size = stream.seek(0, os.SEEK_END)
        start = max(0, size - MAX_FILE_BYTES)
        stream.seek(start)
        raw = stream.read()
    lines = raw.splitlines()
    return lines[1:] if start > 0 and lines else lines  # the first line is cut
