"""Downloadable log archives of simulated Application Servers.

An archive is a ZIP of the files an Ekran System support bundle holds: the Application
Server log with its rotated predecessors, the Management Tool log, the database
maintenance log and ``system-info.txt``. Its bytes depend only on the arguments of
``build_log_archive``, its size is within a line of the requested size, and building a
gigabyte takes seconds with flat memory: text comes from pre-rendered windows of lines
(see ``simulator.log_content``), written through in chunks without compression.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import random
import re
import tempfile
import threading
import zipfile
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, BinaryIO

from simulator.log_content import (
    APP_SERVER,
    DB_MAINTENANCE,
    MANAGEMENT_TOOL,
    Context,
    LogKind,
    make_context,
    system_info,
)

FORMAT_VERSION = 1
MIN_ARCHIVE_BYTES = 8 * 1024
# The Application Server log rotates at this size, or at half its share of a small
# archive, so that every archive holds a rotated log.
ROTATE_BYTES = 16 * 1024 * 1024
_POOL_LIMIT = 64
_CHUNK_BYTES = 1 << 20
_EPOCH = datetime(2026, 10, 1)
_APP_SERVER_LOG = "AppServer/EkranSystem_AppServer"
_SIDE_LOGS = (  # name, kind, share of the text budget; the Application Server gets the rest
    ("Database/DbMaintenance.log", DB_MAINTENANCE, 0.06),
    ("ManagementTool/ManagementTool.log", MANAGEMENT_TOOL, 0.14),
)


@dataclass(frozen=True)
class LogArchive:
    """A built archive in the cache.

    ``etag`` is a quoted strong ETag derived from every input of the build, so it is
    stable for the same (server id, size, seed) while name and version stay the same.
    ``filename`` is the name to offer for download, e.g. ``EKRAN-AS01_logs.zip``.
    """

    path: Path
    size: int
    etag: str
    filename: str


def build_log_archive(
    server_id: str, server_name: str, version: str, *, size: int, seed: int, cache_dir: Path
) -> LogArchive:
    """The log archive of one server, built on the first call and reused afterwards.

    ``size`` is the wanted archive size in bytes (at least ``MIN_ARCHIVE_BYTES`` is
    produced). Same arguments give byte-identical archives. Safe to call from several
    threads and processes: a build goes to a temporary file that replaces the cached
    one atomically, and threads of one process share a single build.
    """
    if size < 0:
        raise ValueError("size must not be negative")
    inputs = (FORMAT_VERSION, server_id, server_name, version, size, seed)
    digest = hashlib.sha256("\x1f".join(map(str, inputs)).encode()).hexdigest()
    path = cache_dir / f"{_safe(server_id)}-{size}-{seed}-{digest[:12]}.zip"
    with _build_lock(path):
        if not path.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            _build_atomically(path, _Recipe(server_id, server_name, version, size, digest))
        return LogArchive(
            path=path,
            size=path.stat().st_size,
            etag=f'"{digest[:32]}"',
            filename=f"{_safe(server_name)}_logs.zip",
        )


_locks_guard = threading.Lock()
_locks: dict[Path, threading.Lock] = {}


def _build_lock(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text) or "server"


def _build_atomically(path: Path, recipe: _Recipe) -> None:
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w+b") as file:
            recipe.write(file)
        try:
            os.replace(temp, path)
        except PermissionError:  # Windows: another process published it and has it open
            if not path.exists():
                raise
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


@dataclass
class _Segment:
    """One file's share of a log stream: whole windows, then one window cut at a newline."""

    name: str
    windows: array[int]
    tail_index: int
    tail_length: int
    first_window: int
    size: int


@dataclass
class _Stream:
    """A log kind's windows from ``start`` on, split over one or more files."""

    kind: LogKind
    pool: list[bytes]
    segments: list[_Segment]
    start: datetime = _EPOCH

    def plan(self, name: str, budget: int, rng: random.Random) -> int:
        """Append a segment of at most ``budget`` bytes; its exact size."""
        sizes = [len(fragment) for fragment in self.pool]
        first = sum(len(s.windows) + 1 for s in self.segments)
        windows: array[int] = array("H")
        used = 0
        while True:
            index = rng.randrange(len(sizes))
            if used + sizes[index] > budget:
                break
            windows.append(index)
            used += sizes[index]
        tail = self.pool[index].rfind(b"\n", 0, budget - used) + 1
        self.segments.append(_Segment(name, windows, index, tail, first, used + tail))
        return used + tail

    def end_of(self, segment: _Segment) -> datetime:
        return self.start + self.kind.window * (segment.first_window + len(segment.windows) + 1)

    def write(self, out: IO[bytes], segment: _Segment) -> None:
        kind, pool, placeholder = self.kind, self.pool, self.kind.placeholder
        moment = self.start + kind.window * segment.first_window
        parts: list[bytes] = []
        buffered = 0
        for index in segment.windows:
            part = pool[index].replace(placeholder, kind.prefix(moment))
            parts.append(part)
            buffered += len(part)
            moment += kind.window
            if buffered >= _CHUNK_BYTES:
                out.write(b"".join(parts))
                parts.clear()
                buffered = 0
        tail = pool[segment.tail_index][: segment.tail_length]
        parts.append(tail.replace(placeholder, kind.prefix(moment)))
        out.write(b"".join(parts))


@dataclass(frozen=True)
class _Recipe:
    server_id: str
    server_name: str
    version: str
    size: int
    digest: str

    def write(self, file: BinaryIO) -> None:
        """Plan every file so the archive hits the target size, then write the ZIP."""
        rng = random.Random(self.digest)
        ctx = make_context(rng, self.server_name, self.version)
        collected = _EPOCH + timedelta(hours=rng.randrange(24 * 60))
        info = system_info(rng, ctx, self.server_id, collected)
        streams = self._plan(rng, ctx, max(self.size, MIN_ARCHIVE_BYTES) - len(info))
        for stream in streams:
            windows = sum(len(segment.windows) + 1 for segment in stream.segments)
            stream.start = collected - stream.kind.window * windows

        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_entry("system-info.txt", collected, len(info)), info)
            for stream in streams:
                for segment in stream.segments:
                    entry = _entry(segment.name, stream.end_of(segment), segment.size)
                    with archive.open(entry, "w") as out:
                        stream.write(out, segment)

    @staticmethod
    def _plan(rng: random.Random, ctx: Context, budget: int) -> list[_Stream]:
        """Split ``budget`` bytes (data plus ZIP overhead) over the log files."""
        side_names = [name for name, _, _ in _SIDE_LOGS]
        text = budget - _zip_overhead(["system-info.txt", *side_names, *_app_names(1)])
        streams = []
        spent = 0
        for name, kind, share in _SIDE_LOGS:
            stream = _new_stream(kind, max(0, int(text * share)), rng, ctx)
            spent += stream.plan(name, max(0, int(text * share)), rng)
            streams.append(stream)
        rotate_at = max(1, min(ROTATE_BYTES, -(-(text - spent) // 2)))
        rotations = max(1, math.ceil((text - spent) / rotate_at))
        while True:
            names = _app_names(rotations)
            left = budget - spent - _zip_overhead(["system-info.txt", *side_names, *names])
            if left <= rotations * rotate_at:
                break
            rotations += 1
        left = max(0, left)
        app = _new_stream(APP_SERVER, left, rng, ctx)
        for position, name in enumerate(names):
            last = position == len(names) - 1
            left -= app.plan(name, left if last else min(rotate_at, left), rng)
        return [app, *streams]


def _app_names(rotations: int) -> list[str]:
    """The Application Server log files, oldest rotation first, the current log last."""
    rotated = [f"{_APP_SERVER_LOG}.{n}.log" for n in range(rotations - 1, 0, -1)]
    return [*rotated, f"{_APP_SERVER_LOG}.log"]


def _new_stream(kind: LogKind, budget: int, rng: random.Random, ctx: Context) -> _Stream:
    count = max(2, min(_POOL_LIMIT, budget // 2048 + 2))
    return _Stream(kind, [kind.render_fragment(rng, ctx) for _ in range(count)], [])


def _entry(name: str, modified: datetime, size: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=modified.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_STORED
    entry.create_system = 0  # written on Windows, the same bytes everywhere
    entry.external_attr = 0x20  # FILE_ATTRIBUTE_ARCHIVE
    entry.file_size = size
    return entry


def _zip_overhead(names: list[str]) -> int:
    """Bytes a stored ZIP adds around its entries' data: headers and directory."""
    local, central, end = 30, 46, 22
    return end + sum(local + central + 2 * len(name.encode()) for name in names)
