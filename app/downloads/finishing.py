"""The last steps of a download: checking the archive and moving it into place safely."""

from __future__ import annotations

import os
import time
import zipfile
import zlib
from pathlib import Path

from app.downloads.filenames import unique_path

BUSY_RETRY_S = 5.0
"""How long a rename refused because another program holds the file open is retried."""
_BUSY_FIRST_WAIT_S = 0.05
_BUSY_MAX_WAIT_S = 0.5
_WINDOWS_BUSY_ERRORS = frozenset({5, 32, 33})
"""ERROR_ACCESS_DENIED, ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION."""


def zip_is_valid(path: Path) -> bool:
    """Whether ``path`` is a zip archive whose every member reads back with a good CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.testzip() is None
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ValueError,
        NotImplementedError,
        RuntimeError,
    ):
        return False


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
