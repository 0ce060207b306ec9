"""The last steps of a download: checking the archive and moving it into place safely."""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

from app.downloads.filenames import unique_path


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


def move_into_place(part: Path, folder: Path, name: str) -> Path:
    """Rename ``part`` to a free name like ``name`` in ``folder``; never overwrites."""
    for _ in range(100):
        target = unique_path(folder, name)
        try:
            _rename_exclusive(part, target)
        except FileExistsError:
            continue
        return target
    raise FileExistsError(f"no free name like {name!r} in {folder}")


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
