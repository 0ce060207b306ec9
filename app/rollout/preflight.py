"""Pre-flight checks, before a run starts and before each server: pure functions of
the cluster as seen, so the window, the command line and the tests agree."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from app.api.models import ClusterSnapshot, HealthStatus, Server, ServerStatus
from app.text_safety import display_text


@dataclass(frozen=True)
class CheckResult:
    """One check: ``ok``, a one-line ``text`` saying what was checked or what is wrong,
    and whether the admin may ``overridable`` pass it anyway."""

    name: str
    ok: bool
    text: str
    overridable: bool = True


def preflight(
    snapshot: ClusterSnapshot,
    server_id: str,
    *,
    health: Mapping[str, HealthStatus],
    health_problems: Mapping[str, str] | None = None,
    own_isolations: Collection[str] = (),
    read_only: bool = False,
    capacity_per_server: int | None = None,
) -> list[CheckResult]:
    """The checks before maintaining ``server_id``; every result, passed or not.

    - connection: not read-only (never overridable);
    - others: every other server of the cluster online and healthy;
    - capacity: the servers left in service can take every Client (with
      ``capacity_per_server``), else at least one stays in service;
    - isolation: no server is isolated except by this run (``own_isolations``) and
      ``server_id`` itself is not already isolated by someone else.
    """
    problems = health_problems or {}
    target = snapshot.server(server_id)
    results = [_connection(read_only)]
    if target is None:
        text = f"The cluster has no server {display_text(server_id)}."
        results.append(CheckResult("server", False, text, False))
        return results
    others = [s for s in snapshot.servers if s.id != server_id]
    results.append(_others(others, health, problems, own_isolations))
    results.append(_capacity(snapshot, target, others, own_isolations, capacity_per_server))
    results.append(_isolation(snapshot, own_isolations))
    return results


def failures(results: list[CheckResult], *, override: bool = False) -> list[CheckResult]:
    """The failed checks that stop a run (overridable ones pass with ``override``)."""
    return [r for r in results if not r.ok and not (override and r.overridable)]


def _connection(read_only: bool) -> CheckResult:
    if read_only:
        return CheckResult(
            "connection",
            False,
            "The connection is read-only: it cannot isolate servers.",
            overridable=False,
        )
    return CheckResult("connection", True, "The connection may isolate servers.", False)


def _others(
    others: list[Server],
    health: Mapping[str, HealthStatus],
    problems: Mapping[str, str],
    own: Collection[str],
) -> CheckResult:
    wrong: list[str] = []
    for server in others:
        if server.id in own:
            continue  # isolated by this run and left so (skipped): not "someone else's"
        name = display_text(server.name)
        if server.status is not ServerStatus.ONLINE and server.status is not ServerStatus.ISOLATED:
            wrong.append(f"{name} is {server.status.value}")
            continue
        status = health.get(server.id)
        if status is HealthStatus.HEALTHY or server.status is ServerStatus.ISOLATED:
            continue  # an isolated server reports itself degraded; the isolation check says why
        if status is None:
            if server.id in problems:  # no problem and no status: it has no endpoint to probe
                wrong.append(f"{name}: {problems[server.id].rstrip('.')}")
        else:
            wrong.append(f"{name} is {status.value.lower()}")
    if wrong:
        return CheckResult(
            "others", False, "Not every other server is ready: " + "; ".join(wrong) + "."
        )
    return CheckResult("others", True, f"The {len(others)} other servers are online and healthy.")


def _capacity(
    snapshot: ClusterSnapshot,
    target: Server,
    others: list[Server],
    own: Collection[str],
    capacity: int | None,
) -> CheckResult:
    serving = [s for s in others if s.status is ServerStatus.ONLINE and s.id not in own]
    total = sum(s.clients for s in snapshot.servers)
    if not serving:
        return CheckResult(
            "capacity",
            False,
            f"No other server would stay in service to take {display_text(target.name)}'s Clients.",
        )
    if capacity is None:
        return CheckResult(
            "capacity",
            True,
            f"{len(serving)} servers stay in service for {total} Clients "
            "(no Clients-per-server capacity is set, so their room was not checked).",
        )
    room = capacity * len(serving)
    if total > room:
        return CheckResult(
            "capacity",
            False,
            f"{total} Clients would not fit on the {len(serving)} servers left in service "
            f"({capacity} each, {room} in all).",
        )
    return CheckResult(
        "capacity",
        True,
        f"{total} Clients fit on the {len(serving)} servers left in service ({room} places).",
    )


def _isolation(snapshot: ClusterSnapshot, own: Collection[str]) -> CheckResult:
    foreign = [s for s in snapshot.servers if s.isolation is not None and s.id not in own]
    if not foreign:
        return CheckResult("isolation", True, "No server is isolated by someone else.")
    names = ", ".join(
        f"{display_text(s.name)} (by {display_text(s.isolation.by or 'unknown')})"
        for s in foreign
        if s.isolation is not None
    )
    return CheckResult("isolation", False, f"Already isolated by someone else: {names}.")
