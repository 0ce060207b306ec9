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


def test_impact_moves_the_clients_still_leaving_servers_out_of_service() -> None:
    servers = [
        server("a", clients=10),
        server("b", "isolated", clients=4),  # isolated earlier, still draining
        server("c", "offline", clients=3),  # a stopped server still reporting Clients
        server("e", "stopping"),
        server("d", clients=2),
    ]
    impact = isolation_impact(servers, ["a"])
    assert [(s.id, n) for s, n in impact.after] == [("d", 19)]  # 2 + 10 + 4 + 3
    assert [s.id for s in impact.leaving] == ["b", "c"]
    assert (impact.moving, impact.still_leaving, impact.to_move) == (10, 7, 17)
    assert impact.moving_text() == "10 Clients on A, and 7 still leaving B and C"
    assert not impact.leaves_none_serving
    assert impact.leaves_one_serving
    assert impact.warnings() == [
        "Only D would stay in service: it would carry 19 Clients, with no other server to "
        "take them if it fails."
    ]
    assert isolation_impact(servers, ["a", "d"]).leaves_none_serving
    assert isolation_impact(servers, ["a", "d"]).warnings()[0].startswith("No server would stay")


def test_the_concurrent_drain_case_in_exact_numbers() -> None:
    # AS02 isolated earlier with 45 Clients left; AS01 and AS03 isolated now.
    servers = [
        server("as-01", clients=51),
        server("as-02", "isolated", clients=45),
        server("as-03", clients=57),
        server("as-04", clients=44),
        server("as-05", "offline"),
    ]
    impact = isolation_impact(servers, ["as-01", "as-03"], capacity=150)
    assert [(row.server.id, row.now, row.after) for row in impact.staying] == [("as-04", 44, 197)]
    assert impact.to_move == 153
    assert [row.server.id for row in impact.over_capacity] == ["as-04"]
    assert impact.warnings()[1] == (
        "AS-04 would carry 197 Clients, more than the 150 per server this connection allows."
    )
    document = impact.to_json()
    assert document["clients_to_move"] == 153
    assert document["staying"] == [
        {
            "id": "as-04",
            "name": "AS-04",
            "clients_now": 44,
            "clients_after": 197,
            "over_capacity": True,
        }
    ]
    assert [s["id"] for s in document["still_leaving"]] == ["as-02"]


def test_capacity_spreads_and_flags_only_the_servers_above_it() -> None:
    servers = [server("a", clients=30), server("b", clients=10), server("c", clients=20)]
    impact = isolation_impact(servers, ["a"], capacity=34)
    assert [(r.server.id, r.after, r.over_capacity) for r in impact.staying] == [
        ("b", 30, False),
        ("c", 30, False),
    ]
    assert impact.warnings() == []
    tight = isolation_impact(servers, ["a"], capacity=29)
    assert [r.server.id for r in tight.over_capacity] == ["b", "c"]


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
