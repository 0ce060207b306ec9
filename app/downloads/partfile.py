"""The files of an unfinished download: ``<final>.part`` and its ``<final>.part.json`` sidecar.

The sidecar records what a later run needs to resume safely (the archive's ETag and
size, the server and the URL); the number of bytes already saved is the size of the
``.part`` file itself, so it is always true even after a crash.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from app.downloads.filenames import unique_path

log = logging.getLogger(__name__)

PART_SUFFIX = ".part"
SIDECAR_SUFFIX = ".part.json"
_FORMAT = 1


@dataclass(frozen=True)
class PartState:
    """What the sidecar says about a download; ``final_name`` is the name it will get."""

    server_id: str
    url: str
    etag: str | None
    total_size: int | None
    final_name: str

    def to_json(self) -> str:
        return json.dumps({"format": _FORMAT, **asdict(self)}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> PartState:
        """Parse a sidecar; raises ``ValueError`` for anything not written by ``to_json``."""
        data: Any = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a download sidecar of a known format")
        state = cls(
            server_id=_typed(data, "server_id", str),
            url=_typed(data, "url", str),
            etag=_optional(data, "etag", str),
            total_size=_optional(data, "total_size", int),
            final_name=_typed(data, "final_name", str),
        )
        if Path(state.final_name).name != state.final_name or state.final_name in ("", ".", ".."):
            raise ValueError("the sidecar's final_name is not a plain file name")
        return state


@dataclass(frozen=True)
class ResumableDownload:
    """An unfinished download found in a folder."""

    part_path: Path
    state: PartState
    bytes_done: int

    @property
    def sidecar_path(self) -> Path:
        return sidecar_path(self.part_path)

    @property
    def final_path(self) -> Path:
        return self.part_path.parent / self.state.final_name


def part_path(final_path: Path) -> Path:
    return final_path.with_name(final_path.name + PART_SUFFIX)


def sidecar_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def reserve_part(folder: Path, name: str) -> Path:
    """Claim a free final name like ``name`` in ``folder`` by creating its empty ``.part``.

    Creating the file exclusively makes the choice safe against a concurrent download
    picking the same name. Returns the final path (the ``.part`` is ``part_path`` of it).
    """
    for _ in range(100):
        final = unique_path(folder, name, also_free=(PART_SUFFIX, SIDECAR_SUFFIX))
        try:
            create_private(part_path(final))
        except FileExistsError:
            continue
        return final
    raise FileExistsError(f"no free name like {name!r} in {folder}")


PRIVATE_MODE = 0o600
"""Downloaded archives are readable by their owner only: logs can hold sensitive data."""


def create_private(path: Path) -> None:
    """Create an empty ``path`` readable and writable by its owner only (where modes exist).

    Raises ``FileExistsError`` if it exists (the check and the creation are one step).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    os.close(os.open(path, flags, PRIVATE_MODE))


def write_state(part: Path, state: PartState) -> None:
    """Write the sidecar of ``part`` atomically (a reader never sees half of it)."""
    target = sidecar_path(part)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(state.to_json(), encoding="utf-8")
    os.replace(temporary, target)


def remove_part(part: Path) -> None:
    """Delete ``part`` and its sidecar; missing files are fine."""
    for path in (part, sidecar_path(part)):
        path.unlink(missing_ok=True)


def find_resumable(folder: Path) -> list[ResumableDownload]:
    """The unfinished downloads in ``folder`` that have a readable sidecar and a .part file.

    Unreadable sidecars are skipped (and logged), never deleted. Newest first. Blocking
    (small file reads): from async code call it through ``asyncio.to_thread``.
    """
    found: list[tuple[float, ResumableDownload]] = []
    try:
        sidecars = list(folder.glob("*" + SIDECAR_SUFFIX))
    except OSError as exc:
        log.warning("Cannot list %s: %s", folder, exc.strerror)
        return []
    for sidecar in sidecars:
        part = sidecar.with_name(sidecar.name.removesuffix(".json"))
        try:
            state = PartState.from_json(sidecar.read_text(encoding="utf-8"))
            stat = part.stat()
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:
            log.warning("Ignoring the download state %s: %s", sidecar.name, exc)
            continue
        found.append((stat.st_mtime, ResumableDownload(part, state, stat.st_size)))
    return [item for _, item in sorted(found, key=lambda pair: pair[0], reverse=True)]


def _typed(data: dict[str, Any], key: str, kind: type) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"sidecar field {key!r} is missing or not a {kind.__name__}")
    return value


def _optional(data: dict[str, Any], key: str, kind: type) -> Any:
    return None if data.get(key) is None else _typed(data, key, kind)
