"""What isolating servers would do to the rest of the cluster (the window and the CLI).

The projection counts every Client that is still to move, not only those of the servers
being isolated now: a server isolated earlier that is still draining, and any other
server out of service (offline, starting, stopping) that still reports Clients, hands
its Clients to the servers in service as well. They are spread by least connections,
as the load balancer places them (one at a time on the server with the fewest Clients,
ties to the lowest id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.api.states import ServerStatus
from app.text_safety import display_text

if TYPE_CHECKING:
    from app.api.models import Server

__all__ = ["IsolationImpact", "StayingServer", "is_serving", "isolation_impact"]


def is_serving(server: Server) -> bool:
    """True when the load balancer may place new Clients on the server."""
    return server.status is ServerStatus.ONLINE


def _clients(count: int) -> str:
    return f"{count} Client" if count == 1 else f"{count} Clients"


def _names(servers: Sequence[Server]) -> str:
    names = [display_text(s.name) for s in servers]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class StayingServer:
    """A server that stays in service: its Clients ``now`` and once every move is done."""

    server: Server
    now: int
    after: int
    over_capacity: bool


@dataclass(frozen=True)
class IsolationImpact:
    """The projected load after isolating ``isolating``.

    ``leaving`` are the other servers out of service that still hold Clients (isolated
    and draining, offline, starting, stopping); their Clients move too. ``after`` pairs
    each server that stays in service with the Clients it would carry once every Client
    to move has moved. ``capacity`` is the connection's "Clients per server", if set;
    ``problems`` maps a server id to what its own healthcheck found wrong (see
    ``app.server_health``), so that a server left to carry the load while unhealthy is
    named.
    """

    isolating: tuple[Server, ...]
    leaving: tuple[Server, ...]
    after: tuple[tuple[Server, int], ...]
    capacity: int | None = None
    problems: Mapping[str, str] = field(default_factory=dict)

    @property
    def moving(self) -> int:
        """Clients on the servers being isolated now."""
        return sum(s.clients for s in self.isolating)

    @property
    def still_leaving(self) -> int:
        """Clients still leaving servers already out of service."""
        return sum(s.clients for s in self.leaving)

    @property
    def to_move(self) -> int:
        """Every Client still to move: ``moving`` plus ``still_leaving``."""
        return self.moving + self.still_leaving

    @property
    def staying(self) -> tuple[StayingServer, ...]:
        """The servers that stay in service, with their load now and after."""
        cap = self.capacity
        return tuple(
            StayingServer(s, s.clients, n, cap is not None and n > cap) for s, n in self.after
        )

    @property
    def leaves_none_serving(self) -> bool:
        """No server would stay in service (the action then needs ``force``)."""
        return not self.after

    @property
    def leaves_one_serving(self) -> bool:
        """Exactly one server would stay in service: nothing left to fail over to."""
        return len(self.after) == 1

    @property
    def over_capacity(self) -> tuple[StayingServer, ...]:
        return tuple(s for s in self.staying if s.over_capacity)

    def moving_text(self) -> str:
        """ "108 Clients on the servers to isolate and 45 still leaving EKRAN-AS02"."""
        text = _clients(self.moving) + (f" on {_names(self.isolating)}" if self.isolating else "")
        if self.leaving:
            text += f", and {self.still_leaving} still leaving {_names(self.leaving)}"
        return text

    def warnings(self) -> list[str]:
        """One line per danger: no or one server left in service, capacity exceeded."""
        lines: list[str] = []
        if self.leaves_none_serving:
            lines.append(
                "No server would stay in service: new and reconnecting Clients cannot "
                "connect until a server returns to service."
            )
        elif self.leaves_one_serving:
            only, load = self.after[0]
            lines.append(
                f"Only {display_text(only.name)} would stay in service: it would carry "
                f"{_clients(load)}, with no other server to take them if it fails."
            )
        for row in self.over_capacity:
            lines.append(
                f"{display_text(row.server.name)} would carry {_clients(row.after)}, more "
                f"than the {self.capacity} per server this connection allows."
            )
        for server, _load in self.after:
            problem = self.problems.get(server.id)
            if problem is not None:
                lines.append(
                    f"{display_text(server.name)}, which would stay in service, is "
                    f"{display_text(problem)}."
                )
        return lines

    def to_json(self) -> dict[str, Any]:
        """The projection as a JSON-ready object (``isolate --dry-run --json``)."""

        def brief(server: Server) -> dict[str, Any]:
            return {
                "id": server.id,
                "name": server.name,
                "status": server.status.value,
                "clients": server.clients,
            }

        return {
            "isolating": [brief(s) for s in self.isolating],
            "still_leaving": [brief(s) for s in self.leaving],
            "clients_to_move": self.to_move,
            "staying": [
                {
                    "id": row.server.id,
                    "name": row.server.name,
                    "clients_now": row.now,
                    "clients_after": row.after,
                    "over_capacity": row.over_capacity,
                }
                for row in self.staying
            ],
            "capacity": self.capacity,
            "health_problems": {
                s.id: self.problems[s.id] for s, _ in self.after if s.id in self.problems
            },
            "leaves_none_serving": self.leaves_none_serving,
            "leaves_one_serving": self.leaves_one_serving,
            "warnings": self.warnings(),
        }


def isolation_impact(
    servers: Sequence[Server],
    isolate_ids: Iterable[str],
    *,
    capacity: int | None = None,
    problems: Mapping[str, str] | None = None,
) -> IsolationImpact:
    """Project the load on the servers that stay in service after isolating ``isolate_ids``.

    Every Client on a server that will not be in service moves: those of the servers
    being isolated and those still on servers already out of service.
    """
    ids = set(isolate_ids)
    isolating = tuple(s for s in servers if s.id in ids)
    leaving = tuple(s for s in servers if s.id not in ids and not is_serving(s) and s.clients)
    staying = [s for s in servers if s.id not in ids and is_serving(s)]
    to_move = sum(s.clients for s in isolating) + sum(s.clients for s in leaving)
    after = tuple(zip(staying, _spread(staying, to_move), strict=True))
    return IsolationImpact(isolating, leaving, after, capacity, dict(problems or {}))


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
