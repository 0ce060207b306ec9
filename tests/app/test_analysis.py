from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from app.analysis import (
    can_download_logs,
    isolation_impact,
    load_share,
    majority_version,
    version_mismatches,
)
from app.api.models import Server

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def server(
    sid: str, status: str = "online", clients: int = 0, version: str | None = "9.2"
) -> Server:
    return Server(
        id=sid,
        name=sid.upper(),
        address="10.0.0.1",
        status=status,  # type: ignore[arg-type]
        clients=clients,
        version=version,
        last_seen=NOW,
    )


def naive_spread(loads: dict[str, int], extra: int) -> dict[str, int]:
    loads = dict(loads)
    for _ in range(extra if loads else 0):
        target = min(loads, key=lambda sid: (loads[sid], sid))
        loads[target] += 1
    return loads


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 50), min_size=0, max_size=8),
    st.integers(0, 200),
)
def test_impact_matches_least_connections_one_by_one(loads: list[int], moving: int) -> None:
    staying = [server(f"as-{i:02d}", clients=n) for i, n in enumerate(loads)]
    isolated = server("as-99", clients=moving)
    impact = isolation_impact([*staying, isolated], ["as-99"])
    expected = naive_spread({s.id: s.clients for s in staying}, moving)
    assert {s.id: n for s, n in impact.after} == expected
    assert impact.moving == moving
    assert impact.leaves_none_serving == (not staying)


def test_impact_ignores_servers_that_cannot_serve() -> None:
    servers = [
        server("a", clients=10),
        server("b", "isolated", clients=4),
        server("c", "offline"),
        server("d", clients=2),
    ]
    impact = isolation_impact(servers, ["a"])
    assert [(s.id, n) for s, n in impact.after] == [("d", 12)]
    assert not impact.leaves_none_serving
    assert isolation_impact(servers, ["a", "d"]).leaves_none_serving


def test_majority_version_and_mismatches() -> None:
    servers = [server("a"), server("b"), server("c", version="9.1"), server("d", version=None)]
    assert majority_version(servers) == "9.2"
    assert version_mismatches(servers) == {"c"}
    tie = [server("a", version="9.10.1"), server("b", version="9.9.7")]
    assert majority_version(tie) == "9.10.1"  # numeric, not lexical
    assert majority_version([server("a", version=None)]) is None


def test_load_share_and_logs_rule() -> None:
    servers = [server("a", clients=30), server("b", clients=10)]
    assert load_share(servers[0], servers) == 0.75
    assert load_share(server("z"), [server("z")]) == 0.0
    assert can_download_logs(server("a", "isolated"))[0]
    allowed, why = can_download_logs(server("a", "stopping"))
    assert not allowed
    assert "stopping" in why
