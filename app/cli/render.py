"""Plain-text tables and JSON output for the command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from app.analysis import majority_version
from app.api.models import Server, ServerStatus
from app.api.settings import ProxyMode, TrustMode
from app.connections import ConnectionProfile
from app.text_safety import DISPLAY_LIMIT, display_text, escape_json_output

WARNING_LIMIT = 400
"""The longest warning line shown (a file's problem can quote much of the file)."""


def print_json(data: Any, out: TextIO | None = None) -> None:
    """``data`` as indented JSON; texts whole, with controls and bidi marks ``\\u``-escaped."""
    stream = out or sys.stdout
    stream.write(escape_json_output(json.dumps(data, indent=2, ensure_ascii=False, default=str)))
    stream.write("\n")


def print_json_line(data: Any, out: TextIO | None = None) -> None:
    """One compact JSON document on one line, flushed (a line of an NDJSON stream).

    Texts are whole, with controls and bidi marks ``\\u``-escaped as in ``print_json``.
    """
    stream = out or sys.stdout
    document = json.dumps(data, ensure_ascii=False, default=str, separators=(",", ":"))
    stream.write(escape_json_output(document))
    stream.write("\n")
    stream.flush()


def describe_profile(profile: ConnectionProfile) -> dict[str, Any]:
    """A saved connection as ``--json`` shows it (never a password)."""
    return {
        "id": profile.id,
        "name": profile.name,
        "group": profile.group,
        "tag": profile.tag.value,
        "read_only": profile.read_only,
        "urls": list(profile.urls),
        "username": profile.username,
        "tls": profile.tls.mode.value,
        "ca_file": profile.tls.ca_file if profile.tls.mode is TrustMode.CA_FILE else None,
        "pinned_sha256": (
            profile.tls.pinned_sha256 if profile.tls.mode is TrustMode.PINNED else None
        ),
        "proxy": profile.proxy.url if profile.proxy.mode is ProxyMode.URL else profile.proxy.mode,
        "poll_interval_s": profile.poll_interval_s,
        "notes": profile.notes,
        "remember_password": profile.remember_password,
        "capacity": profile.capacity,
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces, with a header line.

    Every cell goes through ``display_text``: escapes spelled out, long texts cut.
    """
    rows = [[display_text(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def status_text(server: Server) -> str:
    """The status as a person reads it: "isolated, 12 Clients still connected"."""
    if server.status is ServerStatus.ISOLATED and server.clients:
        noun = "Client" if server.clients == 1 else "Clients"
        return f"isolated, {server.clients} {noun} still connected"
    return server.status.value


def age_text(moment: datetime, now: datetime | None = None) -> str:
    seconds = max(0, int(((now or datetime.now(UTC)) - moment).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


def servers_table(servers: Sequence[Server], now: datetime | None = None) -> str:
    """The cluster as a table; a version that differs from the majority is marked with '*'."""
    majority = majority_version(servers)
    rows = []
    for s in servers:
        version = display_text(s.version or "-", DISPLAY_LIMIT - 2)
        if s.version and majority and s.version != majority:
            version += " *"  # kept visible: the version was cut short enough for it
        isolation = "-"
        if s.isolation is not None:
            isolation = s.isolation.by or "?"
            if s.isolation.reason:
                isolation += f": {s.isolation.reason}"
        rows.append(
            [
                s.name,
                s.id,
                status_text(s),
                str(s.clients),
                version,
                isolation,
                age_text(s.last_seen, now),
            ]
        )
    headers = ["NAME", "ID", "STATUS", "CLIENTS", "VERSION", "ISOLATED BY", "LAST SEEN"]
    text = table(headers, rows)
    if any(row[4].endswith(" *") for row in rows):
        text += f"\n* differs from the version most servers run ({display_text(majority or '')})"
    return text
