"""Export connections to a file and import them on another machine or for another user.

An export is the saved-connections document with ``"format":
"ekran-console/connections-export"``. It never contains passwords: they live only in
the system keyring. Imported connections get new ids when an id is already saved and a
" (imported)" name suffix when a name is already taken.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.connections.atomic import write_atomically
from app.connections.document import (
    EXPORT_FORMAT,
    STORE_FORMAT,
    DocumentError,
    parse_document,
    render_document,
)
from app.connections.errors import TransferError
from app.connections.model import ConnectionProfile
from app.connections.naming import unique_name_among

MAX_IMPORT_BYTES = 32 * 1024 * 1024  # 10,000 exported connections take about 5.5 MB


@dataclass(frozen=True)
class ImportResult:
    """Connections ready to add (ids and names already made unique) and notes on the rest.

    ``skipped`` counts the entries of the file that were left out (each has a problem).
    """

    profiles: list[ConnectionProfile]
    problems: list[str] = field(default_factory=list)
    skipped: int = 0


def export_connections(profiles: Iterable[ConnectionProfile], path: Path) -> int:
    """Write ``profiles`` to ``path`` (replacing it atomically); returns how many were written.

    Raises ``TransferError`` when the file cannot be written.
    """
    chosen = list(profiles)
    try:
        write_atomically(path, render_document(chosen, EXPORT_FORMAT))
    except OSError as exc:
        raise TransferError(
            f"The export could not be written to {path} ({exc.strerror})."
        ) from None
    return len(chosen)


def import_connections(path: Path, existing: Sequence[ConnectionProfile]) -> ImportResult:
    """Read an export and prepare its connections to be added next to ``existing``.

    Raises ``TransferError`` when the file cannot be read, is larger than 5 MB, or is not
    a connections export. Invalid entries are left out and described in ``problems``.
    """
    data = _read_capped(path)
    try:
        document = parse_document(data, EXPORT_FORMAT)
    except DocumentError as exc:
        if exc.found_format == STORE_FORMAT:
            raise TransferError(
                f"{path.name} is the console's own saved-connections file, not an export; "
                "export the connections from the console that uses it."
            ) from None
        raise TransferError(
            f"{path.name} is not an Ekran Cluster Console connections export ({exc})."
        ) from None
    problems = [
        f"{entry.describe()} was not imported: {entry.reason}" for entry in document.skipped
    ]
    if document.is_newer:
        problems.append(
            f"{path.name} was made by a newer version of Ekran Cluster Console; "
            "settings this version does not know were left out."
        )
    return ImportResult(
        _make_unique(document.profiles, existing), problems, skipped=len(document.skipped)
    )


def _read_capped(path: Path) -> bytes:
    too_large = TransferError(
        f"{path.name} is too large to be a connections export "
        f"(the limit is {MAX_IMPORT_BYTES // (1024 * 1024)} MB)."
    )
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise too_large
        with path.open("rb") as stream:
            data = stream.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise TransferError(f"{path} could not be read ({exc.strerror}).") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise too_large
    return data


def _make_unique(
    imported: Iterable[ConnectionProfile], existing: Sequence[ConnectionProfile]
) -> list[ConnectionProfile]:
    taken_ids = {p.id for p in existing}
    taken_names = {p.name.casefold() for p in existing}
    ready: list[ConnectionProfile] = []
    for profile in imported:
        changes: dict[str, str] = {}
        if profile.id in taken_ids:
            changes["id"] = str(uuid.uuid4())
        name = unique_name_among(profile.name, "imported", taken_names)
        if name != profile.name:
            changes["name"] = name
        accepted = profile.with_changes(**changes) if changes else profile
        taken_ids.add(accepted.id)
        taken_names.add(accepted.name.casefold())
        ready.append(accepted)
    return ready
