"""The audit trail: one JSON line per maintenance action, in ``audit.jsonl`` in the data folder.

Each line is ``{"ts", "connection", "server", "user", "action", "result", "detail"}``
with ``ts`` in RFC 3339 UTC. Lines are appended with a single write on a file opened in
append mode, so the window and the command line can write at the same time. At about
10 MB the file is renamed to ``audit.jsonl.1`` (replacing the previous one). Reading
skips damaged lines, such as a last line cut short by a crash.

A record that cannot be written (a full disk, a read-only folder) is never dropped
silently: ``append`` raises ``AuditNotWrittenError`` and keeps the entry in memory
(``pending``); every later ``append`` and ``retry_pending`` writes the kept entries
first, in order, once the disk has room again.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.connections.appending import append_whole_lines
from app.connections.filelock import InterProcessLock, LockTimeoutError
from app.logsetup import redact
from app.paths import AppPaths

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.jsonl"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_DETAIL_CHARS = 2000
APPEND_LOCK_TIMEOUT_S = 10.0


class AuditAction(StrEnum):
    ISOLATE = "isolate"
    RETURN = "return"  # return to service
    VERSION = "version"
    LOGS = "logs"
    ROLLOUT = "rollout"  # a step of a rolling maintenance run


class AuditResult(StrEnum):
    OK = "ok"
    FAILED = "failed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # the request may have reached the server: its outcome is not known


@dataclass(frozen=True)
class AuditEntry:
    """One action. ``connection`` is the connection's name, ``server`` the Application
    Server it acted on, ``user`` the Management Tool user it ran as."""

    ts: datetime
    connection: str
    server: str
    user: str
    action: AuditAction
    result: AuditResult
    detail: str = ""

    def to_json_line(self) -> str:
        """The entry as one line of JSON, newline included."""
        data: dict[str, Any] = asdict(self)
        data["ts"] = format_timestamp(self.ts)
        return json.dumps(data, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, data: Any) -> AuditEntry:
        """Parse one decoded line; raises ``ValueError`` if it is not an audit entry."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        texts = {key: data.get(key, "") for key in ("connection", "server", "user", "detail")}
        if not all(isinstance(value, str) for value in texts.values()):
            raise ValueError("a field is not text")
        return cls(
            ts=datetime.fromisoformat(str(data["ts"])).astimezone(UTC),
            action=AuditAction(data["action"]),
            result=AuditResult(data["result"]),
            **texts,
        )


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds: ``2025-03-01T12:00:00.000Z``."""
    utc = moment.astimezone(UTC)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditNotWrittenError(OSError):
    """An audit record could not be written; it is kept in memory and retried.

    ``entry`` is the record; ``path`` the file it belongs in; ``reason`` the system's
    one-line explanation (``"No space left on device"``).
    """

    def __init__(self, entry: AuditEntry, path: Path, cause: OSError) -> None:
        self.reason = cause.strerror or str(cause) or type(cause).__name__
        super().__init__(cause.errno, f"The audit record could not be written to {path}")
        self.entry = entry
        self.path = path

    def __str__(self) -> str:
        return f"The audit record could not be written to {self.path} ({self.reason})."


class AuditLog:
    """Append-only audit trail in one file (plus one rotated file).

    Thread-safe: the window's sessions share one instance, each writing from its own
    writer thread.
    """

    def __init__(self, path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.path = path
        self.rotated_path = path.with_name(path.name + ".1")
        self.max_bytes = max_bytes
        self._lock_path = path.with_name(path.name + ".lock")
        self._pending: list[AuditEntry] = []
        self._pending_lock = threading.Lock()
        self._listeners: list[Callable[[AuditEntry], None]] = []

    @property
    def pending(self) -> tuple[AuditEntry, ...]:
        """Records not written yet (oldest first), kept until the disk takes them."""
        with self._pending_lock:
            return tuple(self._pending)

    @classmethod
    def in_data_dir(cls, paths: AppPaths) -> AuditLog:
        """The audit trail of this user (``audit.jsonl`` in the data folder)."""
        return cls(paths.data_dir / AUDIT_FILE)

    def __repr__(self) -> str:
        return f"AuditLog({str(self.path)!r})"

    def subscribe(self, listener: Callable[[AuditEntry], None]) -> Callable[[], None]:
        """Call ``listener(entry)`` for every entry appended from now on, written or kept
        pending, on the appending thread; returns the unsubscriber. A listener that
        raises is logged and breaks nothing."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def append(
        self,
        *,
        connection: str,
        server: str,
        user: str,
        action: AuditAction,
        result: AuditResult,
        detail: str = "",
    ) -> AuditEntry:
        """Record an action now and return the entry written.

        ``detail`` is masked with ``app.logsetup.redact`` and shortened to 2,000
        characters. Records kept from earlier failures are written first. Raises
        ``AuditNotWrittenError`` if the file cannot be written; the entry is then kept
        in ``pending`` and written by a later call.
        """
        now = datetime.now(UTC)
        entry = AuditEntry(
            ts=now.replace(microsecond=now.microsecond // 1000 * 1000),  # as stored
            connection=connection,
            server=server,
            user=user,
            action=action,
            result=result,
            detail=redact(detail)[:MAX_DETAIL_CHARS],
        )
        try:
            with self._pending_lock:
                self._pending.append(entry)
                self._write_pending(entry)
        finally:
            for listener in list(self._listeners):
                try:
                    listener(entry)
                except Exception:
                    log.exception("audit listener %r failed", listener)
        return entry

    def retry_pending(self) -> int:
        """Write the kept records; returns how many are still pending (0: all written)."""
        with self._pending_lock:
            if self._pending:
                with contextlib.suppress(AuditNotWrittenError):
                    self._write_pending(self._pending[-1])
            return len(self._pending)

    def _write_pending(self, newest: AuditEntry) -> None:
        """Write the kept records in order (lock held); stop at the first failure."""
        while self._pending:
            try:
                self._write(self._pending[0])
            except OSError as exc:
                raise AuditNotWrittenError(newest, self.path, exc) from exc
            self._pending.pop(0)

    def _write(self, entry: AuditEntry) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._rotate_if_full()
        append_whole_lines(
            self.path,
            entry.to_json_line().encode("utf-8"),
            lock_path=self._lock_path,
            lock_timeout_s=APPEND_LOCK_TIMEOUT_S,
        )

    def read(self, limit: int = 1000) -> list[AuditEntry]:
        """The newest ``limit`` entries, oldest first, from this file and the rotated one."""
        if limit <= 0:
            return []
        entries: list[AuditEntry] = []
        for path in (self.path, self.rotated_path):
            entries[:0] = _read_entries(path)[-(limit - len(entries)) :]
            if len(entries) >= limit:
                break
        return entries

    def _rotate_if_full(self) -> None:
        try:
            if self.path.stat().st_size < self.max_bytes:
                return
        except FileNotFoundError:
            return
        try:
            with InterProcessLock(self._lock_path, timeout_s=2.0):
                # Another process may have rotated while this one waited.
                if self.path.stat().st_size >= self.max_bytes:
                    os.replace(self.path, self.rotated_path)
        except (LockTimeoutError, OSError) as exc:
            log.warning("The audit trail was not rotated: %s", exc)


def _read_entries(path: Path) -> list[AuditEntry]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    entries: list[AuditEntry] = []
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            entries.append(AuditEntry.from_json(json.loads(line)))
        except (ValueError, KeyError, TypeError):
            continue  # damaged line (e.g. cut short by a crash); the rest still counts
    return entries
