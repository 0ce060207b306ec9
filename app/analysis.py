"""Facts derived from a cluster snapshot, shared by the window and the command line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING

from app.api.states import ServerStatus
from app.impact import IsolationImpact, is_serving, isolation_impact

if TYPE_CHECKING:
    from app.api.models import Server

_VERSION = attrgetter("version")

__all__ = [
    "IsolationImpact",
    "can_download_logs",
    "is_serving",
    "isolation_impact",
    "load_share",
    "majority_version",
    "version_facts",
    "version_mismatches",
]


def majority_version(servers: Iterable[Server]) -> str | None:
    """The version most servers run (ties: the highest version string), or None."""
    counts = Counter(s.version for s in servers if s.version)
    if not counts:
        return None
    best = max(counts.values())
    return max((v for v, n in counts.items() if n == best), key=_version_key)


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts: list[tuple[int, int | str]] = []
    for piece in version.replace("-", ".").split("."):
        parts.append((1, int(piece)) if piece.isdigit() else (0, piece))
    return tuple(parts)


def version_mismatches(servers: Sequence[Server]) -> set[str]:
    """Ids of servers whose known version differs from the majority's."""
    majority = majority_version(servers)
    if majority is None:
        return set()
    return {s.id for s in servers if s.version and s.version != majority}


def version_facts(servers: Iterable[Server]) -> tuple[str | None, set[str]]:
    """``majority_version`` and ``version_mismatches`` in one pass, mostly in C (a
    1,000-server cluster is looked at on every poll)."""
    servers = list(servers)
    counts = Counter(map(_VERSION, servers))
    counts.pop(None, None)
    counts.pop("", None)
    if not counts:
        return None, set()
    best = max(counts.values())
    majority = max((v for v, n in counts.items() if n == best), key=_version_key)
    if len(counts) == 1:
        return majority, set()
    return majority, {s.id for s in servers if s.version and s.version != majority}


def load_share(server: Server, servers: Sequence[Server]) -> float:
    """The server's fraction (0..1) of all connected Clients; 0 when there are none."""
    total = sum(s.clients for s in servers)
    return server.clients / total if total else 0.0


def can_download_logs(server: Server) -> tuple[bool, str]:
    """Whether logs can be downloaded now and, if not, why (one line)."""
    if server.status in (ServerStatus.ONLINE, ServerStatus.ISOLATED):
        return True, ""
    return (
        False,
        f"{server.name} is {server.status.value}: logs can only be downloaded while it runs.",
    )
