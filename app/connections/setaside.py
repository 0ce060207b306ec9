"""Keep damaged connection files out of the way without ever deleting them."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from app.connections.atomic import fsync_directory, write_atomically

CORRUPT_MARKER = ".corrupt-"


def _free_name(path: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}{CORRUPT_MARKER}{stamp}")
    number = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.name}{CORRUPT_MARKER}{stamp}-{number}")
        number += 1
    return candidate


def set_aside_file(path: Path) -> Path:
    """Rename ``path`` to ``<name>.corrupt-<UTC timestamp>`` and return the new path."""
    target = _free_name(path)
    os.replace(path, target)
    fsync_directory(path.parent)
    return target


def set_aside_copy(path: Path, data: bytes) -> Path:
    """Keep ``data`` (the content of ``path``) as a ``.corrupt-`` copy next to it.

    When an earlier copy has exactly this content, that copy is returned instead of a new one.
    """
    for earlier in sorted(path.parent.glob(f"{path.name}{CORRUPT_MARKER}*")):
        try:
            if earlier.read_bytes() == data:
                return earlier
        except OSError:
            continue
    target = _free_name(path)
    write_atomically(target, data)
    return target
