"""The words of alerts: a one-line title and a one-line body per kind, single or grouped."""

from __future__ import annotations

from collections.abc import Sequence

from app.alerts.findings import Finding
from app.alerts.model import AlertKind
from app.text_safety import display_text

MAX_NAMES = 5


def names_list(names: Sequence[str]) -> str:
    """ "A, B, C", or "A, B, C, D, E and 3 more" past ``MAX_NAMES``."""
    shown = ", ".join(display_text(name) for name in names[:MAX_NAMES])
    extra = len(names) - MAX_NAMES
    return f"{shown} and {extra} more" if extra > 0 else shown


def duration(seconds: float) -> str:
    """ "45 s", "3 min", "2 h 5 min"."""
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def _by(variant: str) -> str:
    return f" by {variant}" if variant else ""


def single_title(finding: Finding, connection: str) -> str:
    """The title of an alert about one server, or about the connection itself."""
    # Server names and "by" users are the server's words: shown safe and cut.
    name = display_text(finding.server_name or connection)
    variant = display_text(finding.variant)
    match finding.kind:
        case AlertKind.DRAINED:
            return f"{name} has no Clients left: safe to stop or upgrade"
        case AlertKind.OFFLINE:
            return f"{name} went offline"
        case AlertKind.BACK_ONLINE:
            return f"{name} is back online"
        case AlertKind.HEALTH:
            return f"{name} is {variant} again" if variant == "Healthy" else f"{name} is {variant}"
        case AlertKind.ISOLATED:
            return f"{name} was isolated{_by(variant)}"
        case AlertKind.RETURNED:
            return f"{name} was returned to service{_by(variant)}"
        case AlertKind.CONNECTION_LOST:
            return f"Lost connection to {connection}"
        case AlertKind.CONNECTION_RECOVERED:
            return f"Connection to {connection} is back"
        case AlertKind.FLAPPING:
            if variant == "stable":
                return f"{name} is stable again"
            return f"{name} keeps going offline and online"
        case AlertKind.SUPPRESSED:
            return f"More alerts for {connection}"


def group_title(kind: AlertKind, variant: str, names: Sequence[str], connection: str) -> str:
    """The title of one alert about several servers of ``connection``."""
    count, listed = len(names), names_list(names)
    match kind:
        case AlertKind.DRAINED:
            what = "isolated servers have no Clients left"
        case AlertKind.OFFLINE:
            what = "servers went offline"
        case AlertKind.BACK_ONLINE:
            what = "servers are back online"
        case AlertKind.HEALTH:
            what = (
                f"servers are {variant} again" if variant == "Healthy" else f"servers are {variant}"
            )
        case AlertKind.ISOLATED:
            what = f"servers were isolated{_by(variant)}"
        case AlertKind.RETURNED:
            what = f"servers were returned to service{_by(variant)}"
        case AlertKind.FLAPPING:
            what = "servers are stable again" if variant == "stable" else "servers are flapping"
        case _:
            what = "servers changed"
    return f"{count} {what} in {connection}: {listed}"


def group_body(kind: AlertKind, connection: str) -> str:
    """The body of a grouped alert."""
    match kind:
        case AlertKind.DRAINED:
            return "Their Clients have moved to other servers; they can be stopped or upgraded."
        case AlertKind.OFFLINE:
            return "Their Clients reconnect to the other servers of the cluster."
        case AlertKind.FLAPPING:
            return "Alerts about them going offline or online are held until they settle."
        case _:
            return f"Seen in {connection}."


def single_body(finding: Finding, connection: str) -> str:
    """The body of an alert about one server: its detail, else where it was seen."""
    return finding.detail or f"Seen in {connection}."
