"""The last steps of a download: checking the archive and moving it into place safely."""

from __future__ import annotations

import os
import time
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from app.downloads.filenames import unique_path

BUSY_RETRY_S = 5.0
"""How long a rename refused because another program holds the file open is retried."""
_BUSY_FIRST_WAIT_S = 0.05
_BUSY_MAX_WAIT_S = 0.5
_WINDOWS_BUSY_ERRORS = frozenset({5, 32, 33})
"""ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION."""


CHECK_THREADS = 2
"""Threads that read an archive's members back for ``zip_is_valid``: the file is in the
page cache, so reading and the CRC (both outside the GIL) make it CPU-bound."""
_CHECK_READ_SIZE = 1 << 20
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


def zip_is_valid(path: Path, *, threads: int = CHECK_THREADS) -> bool:
    """Whether ``path`` is a zip archive whose every member reads back with a good CRC.

    The members are shared out by size among up to ``threads`` threads (this one and
    ``threads - 1`` more, each with a file handle of its own, all closed on return),
    so that a large archive is checked on several CPUs at once.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            groups = _shared_out(archive.infolist(), threads)
            if len(groups) <= 1:
                return _members_sound(archive, groups[0] if groups else [])
            with ThreadPoolExecutor(len(groups) - 1, thread_name_prefix="zip-check") as pool:
                others = [pool.submit(_group_sound, path, group) for group in groups[1:]]
                first = _members_sound(archive, groups[0])
                return all([first, *(other.result() for other in others)])
    except _UNREADABLE:
        return False


def _shared_out(members: list[zipfile.ZipInfo], count: int) -> list[list[zipfile.ZipInfo]]:
    """``members`` in at most ``count`` groups of about the same size, largest first."""
    groups: list[list[zipfile.ZipInfo]] = [[] for _ in range(max(1, min(count, len(members))))]
    sizes = [0] * len(groups)
    for member in sorted(members, key=lambda info: info.compress_size, reverse=True):
        smallest = sizes.index(min(sizes))
        groups[smallest].append(member)
        sizes[smallest] += member.compress_size
    return [group for group in groups if group]


def _group_sound(path: Path, members: list[zipfile.ZipInfo]) -> bool:
    with zipfile.ZipFile(path) as archive:
        return _members_sound(archive, members)


def _members_sound(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bool:
    """Read every member to its end: ``ZipExtFile`` compares the CRC there (as
    ``ZipFile.testzip`` does, which stops at the first bad one)."""
    for member in members:
        try:
            with archive.open(member) as data:
                while data.read(_CHECK_READ_SIZE):
                    pass
        except zipfile.BadZipFile:
            return False
    return True


def move_into_place(
    part: Path, folder: Path, name: str, *, busy_retry_s: float = BUSY_RETRY_S
) -> Path:
    """Rename ``part`` to a free name like ``name`` in ``folder``; never overwrites.

    Blocks (run it on a worker thread). On Windows a file another program holds open
    cannot be renamed: an antivirus scanner opens a fresh download for a moment, so a
    rename refused that way is retried for up to ``busy_retry_s`` seconds before its
    ``PermissionError`` is raised.
    """
    deadline = time.monotonic() + busy_retry_s
    wait = _BUSY_FIRST_WAIT_S
    attempts = 0
    while attempts < 100:
        target = unique_path(folder, name)
        try:
            _rename_exclusive(part, target)
        except FileExistsError:
            attempts += 1
            continue
        except PermissionError as error:
            if not _held_open_by_another_program(error) or time.monotonic() >= deadline:
                raise
            time.sleep(min(wait, max(0.0, deadline - time.monotonic())))
            wait = min(wait * 2, _BUSY_MAX_WAIT_S)
            continue
        return target
    raise FileExistsError(f"no free name like {name!r} in {folder}")


def _held_open_by_another_program(error: PermissionError) -> bool:
    """Windows' refusal to rename a file that is open elsewhere (POSIX renames open files)."""
    return getattr(error, "winerror", None) in _WINDOWS_BUSY_ERRORS


def _rename_exclusive(source: Path, target: Path) -> None:
    if os.name == "nt":
        os.rename(source, target)  # refuses to replace an existing file on Windows
        return
    try:
        os.link(source, target)  # fails if target exists, atomically
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if target.exists():
            raise FileExistsError(target) from None
        os.rename(source, target)
        return
    os.unlink(source)
