"""Replace a file so that readers, and the file after a crash, see either the old or the new
content in full, never a mix or a truncated file."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path

_TEMP_SUFFIX = ".tmp"
_REPLACE_RETRIES = 20  # Windows: a reader or a virus scanner may hold the target briefly


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a flushed, fsync'ed temporary file in the same folder
    and ``os.replace``, then fsync the folder where the platform supports it.

    The new file is readable by its owner only (mode 0600 where modes exist).
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TEMP_SUFFIX, dir=path.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        _replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_directory(path.parent)


if sys.platform == "win32":

    def _replace(source: Path, target: Path) -> None:
        for attempt in range(_REPLACE_RETRIES):
            try:
                os.replace(source, target)
                return
            except PermissionError:
                if attempt == _REPLACE_RETRIES - 1:
                    raise
                time.sleep(0.05)

else:

    def _replace(source: Path, target: Path) -> None:
        os.replace(source, target)


def fsync_directory(folder: Path) -> None:
    """Make a rename in ``folder`` durable; a no-op where folders cannot be opened (Windows)."""
    if sys.platform == "win32":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a folder; the rename itself has happened
    finally:
        os.close(fd)


def remove_leftover_temp_files(path: Path) -> None:
    """Delete temporary files a killed writer of ``path`` left behind.

    Call only while holding the lock that serializes writers of ``path``.
    """
    for leftover in path.parent.glob(f".{path.name}.*{_TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            leftover.unlink()
