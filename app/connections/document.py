"""The JSON document that holds connections, shared by the saved file and exports.

Shape: ``{"format": <kind>, "version": <major>, "connections": [<profile>, ...]}``.
Readers ignore unknown keys; a document with a higher major version is read as far as
possible and reported as newer (``ParsedDocument.is_newer``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.connections.errors import ProfileValidationError

if TYPE_CHECKING:
    from app.connections.model import ConnectionProfile

STORE_FORMAT = "ekran-console/connections"
EXPORT_FORMAT = "ekran-console/connections-export"
FORMAT_VERSION = 1


class DocumentError(ValueError):
    """The bytes are not a document of the expected kind; ``str()`` says why in one line.

    ``found_format`` is the document's ``format`` value when it had one.
    """

    def __init__(self, message: str, found_format: str | None = None) -> None:
        super().__init__(message)
        self.found_format = found_format


class NewerDocumentError(DocumentError):
    """A newer major version whose layout this version cannot read at all."""


@dataclass(frozen=True)
class SkippedEntry:
    """An entry that is not a valid connection; ``raw`` is kept so it can be set aside."""

    position: int  # 1-based place in the "connections" list
    name: str | None
    reason: str
    raw: Any

    def describe(self) -> str:
        """'Connection 3 ("Acme")' or 'Connection 3'."""
        return (
            f'Connection {self.position} ("{self.name}")'
            if self.name
            else (f"Connection {self.position}")
        )


@dataclass(frozen=True)
class ParsedDocument:
    version: int
    profiles: list[ConnectionProfile]
    skipped: list[SkippedEntry]

    @property
    def is_newer(self) -> bool:
        """True when a newer console wrote it: it must not be overwritten by this one."""
        return self.version > FORMAT_VERSION


def parse_document(data: bytes, expected_format: str) -> ParsedDocument:
    """Decode a document of kind ``expected_format``; invalid entries are skipped, not fatal.

    Raises ``DocumentError`` when the bytes are not JSON, not of that kind, or have no
    ``connections`` list (``NewerDocumentError`` when a newer major version changed the
    layout). Entries repeating an earlier id are skipped.
    """
    try:
        decoded = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DocumentError("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise DocumentError(f"it is not valid JSON ({where})") from None
    except RecursionError:
        raise DocumentError("it is nested too deeply") from None
    if not isinstance(decoded, dict):
        raise DocumentError("it is not a connections document")
    found = decoded.get("format")
    if found != expected_format:
        raise DocumentError(
            "it is not a connections document" if found is None else f'its kind is "{found}"',
            found_format=found if isinstance(found, str) else None,
        )
    version = decoded.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DocumentError("it has no valid format version", found_format=found)
    entries = decoded.get("connections")
    if not isinstance(entries, list):
        if version > FORMAT_VERSION:
            raise NewerDocumentError(
                f"it uses format version {version}, which this version cannot read",
                found_format=found,
            )
        raise DocumentError("it has no list of connections", found_format=found)
    return _parse_entries(version, entries)


def _parse_entries(version: int, entries: list[Any]) -> ParsedDocument:
    from app.connections.model import ConnectionProfile  # pydantic: when there is a file

    profiles: list[ConnectionProfile] = []
    skipped: list[SkippedEntry] = []
    seen_ids: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        shown_name = name.strip()[:100] if isinstance(name, str) and name.strip() else None
        try:
            profile = ConnectionProfile.from_data(entry)
        except ProfileValidationError as exc:
            skipped.append(SkippedEntry(position, shown_name, str(exc), entry))
            continue
        if profile.id in seen_ids:
            reason = "It has the same id as an earlier connection."
            skipped.append(SkippedEntry(position, shown_name, reason, entry))
            continue
        seen_ids.add(profile.id)
        profiles.append(profile)
    return ParsedDocument(version=version, profiles=profiles, skipped=skipped)


def render_document(profiles: Iterable[ConnectionProfile], kind: str) -> bytes:
    """The UTF-8 JSON document of kind ``kind`` holding ``profiles`` in order."""
    # The layout of ``json.dumps(indent=2)`` for the envelope, one compact line per
    # connection written by pydantic's serializer (``indent`` would use the pure-Python
    # encoder; pydantic's own is three times faster than ``json.dumps`` of ``to_data``).
    entries = ",\n    ".join(profile.model_dump_json() for profile in profiles)
    body = f"\n    {entries}\n  " if entries else ""
    text = (
        f'{{\n  "format": {json.dumps(kind)},\n  "version": {FORMAT_VERSION},\n'
        f'  "connections": [{body}]\n}}\n'
    )
    return text.encode("utf-8")
