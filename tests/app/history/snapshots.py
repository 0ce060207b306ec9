"""Realistic ``ClusterSnapshot`` values for history and alert tests (no network)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.api.models import ClusterInfo, ClusterSnapshot, Isolation, Server, ServerStatus

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
T0 = NOW.timestamp()


def server(
    number: int,
    *,
    clients: int = 40,
    status: ServerStatus = ServerStatus.ONLINE,
    isolated_by: str | None = None,
    reason: str | None = None,
    name: str | None = None,
) -> Server:
    """Server ``as-0N`` named ``EKRAN-AS0N``, isolated when ``isolated_by`` is given."""
    isolation = None
    if isolated_by is not None:
        isolation = Isolation(since=NOW, by=isolated_by or None, reason=reason)
        if status is ServerStatus.ONLINE:
            status = ServerStatus.ISOLATED
    return Server(
        id=f"as-{number:02d}",
        name=name or f"EKRAN-AS{number:02d}",
        address=f"10.20.0.{10 + number}",
        status=status,
        clients=clients,
        version="7.4.1",
        isolation=isolation,
        last_seen=NOW,
        management_url=f"https://as{number:02d}.corp.example/EkranSystem",
    )


def snapshot(*servers: Server, cluster: str = "Prod", changed: bool = True) -> ClusterSnapshot:
    return ClusterSnapshot(
        cluster=ClusterInfo(name=cluster, generated_at=NOW),
        servers=servers,
        etag='"r1"',
        received_at=NOW,
        source_url="https://as01.corp.example/EkranSystem",
        changed=changed,
    )


def cluster(clients: list[int], **overrides: ServerStatus) -> ClusterSnapshot:
    """Servers 1..n with these Clients counts, all online unless ``as_0N=status`` says else."""
    return snapshot(
        *(
            server(
                index + 1,
                clients=count,
                status=overrides.get(f"as_{index + 1:02d}", ServerStatus.ONLINE),
            )
            for index, count in enumerate(clients)
        )
    )
