"""Facts derived from a cluster snapshot, shared by the window and the command line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.api.models import Server, ServerStatus


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


def is_serving(server: Server) -> bool:
    """True when the load balancer may place new Clients on the server."""
    return server.status is ServerStatus.ONLINE


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


@dataclass(frozen=True)
class IsolationImpact:
    """What isolating some servers would do to the rest of the cluster.

    ``moving`` is how many Clients the isolated servers carry now; ``after`` maps each
    server that stays in service to the Clients it would carry once they moved (spread
    by least connections, as the load balancer does); ``leaves_none_serving`` is True
    when no server would stay in service (the action then needs ``force``).
    """

    isolating: tuple[Server, ...]
    moving: int
    after: tuple[tuple[Server, int], ...]

    @property
    def leaves_none_serving(self) -> bool:
        return not self.after


def isolation_impact(servers: Sequence[Server], isolate_ids: Iterable[str]) -> IsolationImpact:
    """Predict the load on the remaining serving servers after isolating ``isolate_ids``."""
    ids = set(isolate_ids)
    isolating = tuple(s for s in servers if s.id in ids)
    moving = sum(s.clients for s in isolating)
    staying = [s for s in servers if s.id not in ids and is_serving(s)]
    after = tuple(zip(staying, _spread(staying, moving), strict=True))
    return IsolationImpact(isolating, moving, after)


def _spread(servers: Sequence[Server], extra: int) -> list[int]:
    """Loads after placing ``extra`` Clients one by one on the least-loaded server."""
    loads = [s.clients for s in servers]
    if not servers:
        return loads
    order = sorted(range(len(servers)), key=lambda i: (loads[i], servers[i].id))
    # Water-filling: raise the lowest loads to a common level, then one more each in order.
    remaining = extra
    level = loads[order[0]]
    count = 1
    while remaining > 0:
        if count == len(order) or (loads[order[count]] - level) * count >= remaining:
            level += remaining // count
            remaining %= count
            break
        remaining -= (loads[order[count]] - level) * count
        level = loads[order[count]]
        count += 1
    filled = sorted(order[:count], key=lambda i: servers[i].id)
    for position, index in enumerate(filled):
        loads[index] = level + (1 if position < remaining else 0)
    return loads
