"""Behaviour of the simulated cluster over time: load balancing, isolation, stop/start."""

from __future__ import annotations

import itertools
import math
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

import pytest

from simulator.cluster import (
    ActionConflict,
    Cluster,
    ClusterConfig,
    ClusterError,
    InvalidRequest,
    ServerNotFound,
)

START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def make_cluster(**overrides: Any) -> Cluster:
    return Cluster(ClusterConfig(**overrides), start=START)


def loads(cluster: Cluster) -> list[int]:
    return [server.clients for server in cluster.servers]


def snapshot(cluster: Cluster) -> tuple[object, ...]:
    return (
        cluster.now,
        cluster.revision,
        cluster.pending,
        cluster.arrivals,
        cluster.departures,
        tuple(
            (s.id, s.process, s.status, s.clients, s.last_seen, s.health_override, s.isolation)
            for s in cluster.servers
        ),
    )


def advance_until_stable(cluster: Cluster, seconds: int) -> None:
    for _ in range(seconds):
        cluster.advance(1)
        cluster.check_invariants()


# -- initial state --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("servers", "clients"), [(4, 200), (3, 100), (7, 1000), (1, 5), (5, 0), (6, 3)]
)
def test_initial_clients_are_spread_evenly_lowest_ids_first(servers: int, clients: int) -> None:
    cluster = make_cluster(servers=servers, clients=clients, seed=3)

    counts = loads(cluster)
    assert sum(counts) == clients == cluster.population == cluster.connected
    assert max(counts) - min(counts) <= 1
    assert counts == sorted(counts, reverse=True)  # ties go to the lowest id
    assert cluster.pending == 0
    assert all(server.status == "online" for server in cluster.servers)
    cluster.check_invariants()


def test_server_identities_are_stable_and_padded_to_the_count() -> None:
    small = make_cluster(servers=4)
    assert [s.id for s in small.servers] == ["as-01", "as-02", "as-03", "as-04"]
    assert small.servers[0].name == "EKRAN-AS01"
    assert small.servers[0].address == "10.20.0.11"
    assert small.server("as-03") is small.servers[2]

    large = make_cluster(servers=1000, clients=0)
    ids = [s.id for s in large.servers]
    assert ids[0] == "as-0001"
    assert ids[-1] == "as-1000"
    assert ids == sorted(ids)
    assert large.servers[-1].name == "EKRAN-AS1000"
    assert len({s.address for s in large.servers}) == 1000


@pytest.mark.parametrize(("old", "expected_old"), [(0, 0), (1, 1), (2, 2), (9, 4)])
def test_last_servers_run_the_old_version(old: int, expected_old: int) -> None:
    config = ClusterConfig(servers=4, old_version_servers=old)
    cluster = Cluster(config, start=START)

    versions = [(s.version, s.build, s.released) for s in cluster.servers]
    new = (config.version, config.build, config.released)
    previous = (config.old_version, config.old_build, config.old_released)
    assert versions == [new] * (4 - expected_old) + [previous] * expected_old


# -- isolation ------------------------------------------------------------------------
def test_isolated_server_drains_linearly_and_reaches_zero_at_drain_seconds() -> None:
    cluster = make_cluster(servers=4, clients=400, churn_per_minute=0.0, drain_seconds=120)
    isolated = cluster.set_isolation("as-02", isolated=True, reason="patching", by="admin")
    assert isolated.status == "isolated"
    assert isolated.clients == 100

    for elapsed in range(1, 131):
        cluster.advance(1)
        cluster.check_invariants()
        expected = max(0, math.ceil(Fraction(100 * (120 - elapsed), 120)))
        assert isolated.clients == expected, f"after {elapsed} s"
        assert cluster.connected == 400
        assert cluster.pending == 0
        if elapsed == 60:
            assert isolated.clients == 50  # isolated, 50 Clients still connected
    assert isolated.status == "isolated"
    others = [s.clients for s in cluster.servers if s.id != "as-02"]
    assert max(others) - min(others) <= 1


def test_isolated_server_never_gains_clients_while_others_absorb_churn() -> None:
    cluster = make_cluster(servers=3, clients=600, churn_per_minute=0.5, seed=11)
    isolated = cluster.set_isolation("as-01", isolated=True, reason=None, by="admin")
    cluster.stop_server("as-02")
    arrivals_before = cluster.arrivals

    previous = isolated.clients
    for _ in range(150):
        cluster.advance(1)
        cluster.check_invariants()
        assert isolated.clients <= previous
        previous = isolated.clients
    assert isolated.clients == 0
    assert cluster.arrivals > arrivals_before
    assert cluster.server("as-03").clients == cluster.connected


def test_isolating_twice_keeps_the_original_record_and_revision() -> None:
    cluster = make_cluster()
    cluster.set_isolation("as-01", isolated=True, reason="disk check", by="alice")
    original = cluster.server("as-01").isolation
    cluster.advance(10)
    revision = cluster.revision

    again = cluster.set_isolation("as-01", isolated=True, reason="other", by="bob", force=True)

    assert again.isolation == original
    assert original is not None
    assert (original.since, original.by, original.reason) == (START, "alice", "disk check")
    assert cluster.revision == revision


def test_returned_server_is_favoured_by_the_load_balancer() -> None:
    cluster = make_cluster(servers=4, clients=400, churn_per_minute=0.0)
    returned = cluster.server("as-01")
    cluster.set_isolation("as-01", isolated=True, reason=None, by="admin")
    advance_until_stable(cluster, 120)
    assert returned.clients == 0

    cluster.set_isolation("as-01", isolated=False, reason=None, by="admin")
    assert returned.status == "online"
    assert returned.isolation is None
    cluster.set_isolation("as-01", isolated=False, reason=None, by="admin")  # idempotent
    cluster.stop_server("as-02")
    advance_until_stable(cluster, 11)

    online = [s.clients for s in cluster.servers if s.status == "online"]
    assert returned.clients > 0
    assert max(online) - min(online) <= 1
    assert sum(online) == 400


def test_last_server_in_service_is_isolated_only_with_force() -> None:
    cluster = make_cluster(servers=2, clients=100, churn_per_minute=0.0, drain_seconds=20)
    cluster.stop_server("as-02")
    advance_until_stable(cluster, 11)
    last = cluster.server("as-01")
    assert last.clients == 100
    revision = cluster.revision

    with pytest.raises(ActionConflict) as refused:
        cluster.set_isolation("as-01", isolated=True, reason=None, by="admin")
    assert refused.value.status == 409
    assert "last server" in refused.value.detail
    assert last.isolation is None
    assert cluster.revision == revision

    cluster.set_isolation("as-01", isolated=True, reason="maintenance", by="admin", force=True)
    advance_until_stable(cluster, 10)
    assert 0 < last.clients < 100  # still draining, the rest waits for a server
    assert cluster.pending == 100 - last.clients
    advance_until_stable(cluster, 10)
    assert (last.clients, cluster.pending, cluster.population) == (0, 100, 100)

    cluster.set_isolation("as-01", isolated=False, reason=None, by="admin")
    cluster.check_invariants()
    assert (last.clients, cluster.pending) == (100, 0)


def test_single_server_cluster_needs_force_to_isolate() -> None:
    cluster = make_cluster(servers=1, clients=10)
    with pytest.raises(ActionConflict):
        cluster.set_isolation("as-01", isolated=True, reason=None, by="admin")
    cluster.set_isolation("as-01", isolated=True, reason=None, by="admin", force=True)
    assert cluster.server("as-01").status == "isolated"


# -- refused operations -----------------------------------------------------------------
def _stopped(cluster: Cluster) -> None:
    cluster.stop_server("as-01")
    cluster.advance(5)


def _stopping(cluster: Cluster) -> None:
    cluster.stop_server("as-01")


def _starting(cluster: Cluster) -> None:
    _stopped(cluster)
    cluster.start_server("as-01")


def _running(cluster: Cluster) -> None:
    del cluster


@pytest.mark.parametrize(
    ("prepare", "action"),
    [
        (_stopped, lambda c: c.set_isolation("as-01", isolated=True, reason=None, by="a")),
        (_stopping, lambda c: c.set_isolation("as-01", isolated=True, reason=None, by="a")),
        (_stopped, lambda c: c.set_isolation("as-01", isolated=False, reason=None, by="a")),
        (_stopping, lambda c: c.set_isolation("as-01", isolated=False, reason=None, by="a")),
        (_stopped, lambda c: c.stop_server("as-01")),
        (_stopping, lambda c: c.stop_server("as-01")),
        (_running, lambda c: c.start_server("as-01")),
        (_starting, lambda c: c.start_server("as-01")),
        (_stopping, lambda c: c.start_server("as-01")),
    ],
)
def test_actions_that_do_not_fit_the_state_are_refused_with_409(prepare: Any, action: Any) -> None:
    cluster = make_cluster(servers=3, clients=30)
    prepare(cluster)
    before = snapshot(cluster)

    with pytest.raises(ActionConflict) as refused:
        action(cluster)

    assert refused.value.status == 409
    assert refused.value.title
    assert "EKRAN-AS01" in refused.value.detail
    assert str(refused.value) == refused.value.detail
    assert snapshot(cluster) == before


@pytest.mark.parametrize(
    "action",
    [
        lambda c: c.server("as-99"),
        lambda c: c.set_isolation("as-99", isolated=True, reason=None, by="a"),
        lambda c: c.stop_server("as-5"),
        lambda c: c.start_server("AS-01"),
        lambda c: c.set_health("", "Healthy"),
    ],
)
def test_unknown_server_ids_are_refused_with_404(action: Any) -> None:
    cluster = make_cluster()
    with pytest.raises(ServerNotFound) as refused:
        action(cluster)
    assert refused.value.status == 404
    assert isinstance(refused.value, ClusterError)


def test_health_overrides_are_validated_set_and_cleared() -> None:
    cluster = make_cluster()
    with pytest.raises(InvalidRequest) as refused:
        cluster.set_health("as-01", "Sick")
    assert refused.value.status == 400

    revision = cluster.revision
    cluster.set_health("as-02", "Degraded")
    cluster.set_health("as-03", "Unhealthy")
    assert cluster.revision == revision + 2
    assert [s.health_override for s in cluster.servers] == [None, "Degraded", "Unhealthy", None]
    cluster.set_health("as-02", "Degraded")
    assert cluster.revision == revision + 2

    cluster.clear_health_overrides()
    assert all(s.health_override is None for s in cluster.servers)
    assert cluster.revision == revision + 3


# -- stop and start ---------------------------------------------------------------------
def test_stopped_servers_clients_reconnect_to_the_others_within_the_delay() -> None:
    cluster = make_cluster(
        servers=4, clients=400, churn_per_minute=0.0, stop_seconds=3, reconnect_seconds=10
    )
    stopped = cluster.stop_server("as-01")
    assert (stopped.status, stopped.clients, cluster.pending) == ("stopping", 0, 100)

    pending = [cluster.pending]
    for elapsed in range(1, 11):
        cluster.advance(1)
        cluster.check_invariants()
        pending.append(cluster.pending)
        assert cluster.population == 400
        if elapsed >= 3:
            assert stopped.status == "offline"
            assert stopped.process == "stopped"
    assert pending == sorted(pending, reverse=True)
    assert 0 < pending[5] < 100  # reconnects are spread over the delay
    assert pending[-1] == 0
    others = [s.clients for s in cluster.servers[1:]]
    assert sum(others) == 400
    assert max(others) - min(others) <= 1


def test_started_server_runs_after_start_seconds_and_takes_clients() -> None:
    cluster = make_cluster(servers=3, clients=300, start_seconds=5, churn_per_minute=0.0)
    server = cluster.stop_server("as-02")
    advance_until_stable(cluster, 15)
    frozen = server.last_seen

    assert cluster.start_server("as-02").status == "starting"
    advance_until_stable(cluster, 4)
    assert server.status == "starting"
    assert server.last_seen == frozen
    cluster.advance(1)
    assert server.status == "online"
    assert server.last_seen == cluster.now

    cluster.stop_server("as-01")  # its Clients now favour the empty, restarted server
    advance_until_stable(cluster, 11)
    assert server.clients == 150 == cluster.server("as-03").clients


def test_isolation_survives_stop_and_start() -> None:
    cluster = make_cluster(servers=3, clients=300, churn_per_minute=0.5, seed=4)
    cluster.set_isolation("as-03", isolated=True, reason="upgrade", by="ops")
    record = cluster.server("as-03").isolation
    cluster.stop_server("as-03")
    advance_until_stable(cluster, 10)
    server = cluster.server("as-03")
    assert server.status == "offline"
    assert server.isolation is record

    cluster.start_server("as-03")
    advance_until_stable(cluster, 60)
    assert server.status == "isolated"
    assert server.isolation is record
    assert server.clients == 0


def test_last_seen_follows_the_heartbeat_and_freezes_while_stopped() -> None:
    cluster = make_cluster(servers=3, heartbeat_seconds=30)
    running, stopped = cluster.server("as-01"), cluster.server("as-02")
    cluster.stop_server("as-02")
    frozen = stopped.last_seen
    beats = {running.last_seen}
    for _ in range(100):
        previous = (running.last_seen, cluster.revision)
        cluster.advance(1)
        if running.last_seen != previous[0]:
            assert cluster.revision > previous[1]
        assert running.last_seen <= cluster.now
        assert cluster.now - running.last_seen <= timedelta(seconds=30)
        beats.add(running.last_seen)
    assert stopped.last_seen == frozen
    ordered = sorted(beats)[1:]  # the first value is the staggered initial one
    assert len(ordered) >= 3
    assert all(b - a == timedelta(seconds=30) for a, b in itertools.pairwise(ordered))


# -- revision, determinism, churn, time ---------------------------------------------------
def test_revision_changes_only_with_visible_state() -> None:
    cluster = make_cluster(churn_per_minute=0.0, drain_seconds=10, heartbeat_seconds=1e7)
    first_heartbeat = min(s.last_seen for s in cluster.servers) + timedelta(seconds=1e7)
    quiet_seconds = (first_heartbeat - cluster.now).total_seconds() - 1
    assert quiet_seconds > 200  # the heartbeats are spread over 10^7 s

    revision = cluster.revision
    cluster.advance(50)
    cluster.set_health("as-01", None)
    cluster.set_isolation("as-01", isolated=False, reason=None, by="a")
    assert cluster.revision == revision

    cluster.set_isolation("as-01", isolated=True, reason=None, by="a")
    assert cluster.revision == revision + 1
    cluster.advance(1)  # the drain moves Clients away
    assert cluster.revision == revision + 2
    cluster.advance(20)
    drained = cluster.revision
    assert cluster.server("as-01").clients == 0
    cluster.advance(50)
    assert cluster.revision == drained


def run_scenario(seed: int) -> list[tuple[object, ...]]:
    cluster = make_cluster(servers=5, clients=500, churn_per_minute=0.2, seed=seed)
    history = [snapshot(cluster)]
    cluster.set_isolation("as-02", isolated=True, reason="x", by="y")
    for second in range(200):
        if second == 30:
            cluster.stop_server("as-04")
        if second == 90:
            cluster.start_server("as-04")
        cluster.advance(1)
        history.append(snapshot(cluster))
    return history


def test_same_seed_gives_the_same_history_and_another_seed_does_not() -> None:
    assert run_scenario(5) == run_scenario(5)
    assert run_scenario(5) != run_scenario(6)


def test_churn_replaces_clients_and_keeps_the_population_near_target() -> None:
    cluster = make_cluster(servers=4, clients=2000, churn_per_minute=0.1, seed=8)
    for _ in range(30):
        cluster.advance(60)
        cluster.check_invariants()
        assert abs(cluster.population - 2000) <= 100
    # about 10% leave per minute for 30 minutes
    assert 4000 < cluster.departures < 8000
    assert cluster.arrivals - cluster.departures == cluster.population - 2000


def test_simulated_time_moves_only_through_advance() -> None:
    cluster = make_cluster()
    assert cluster.now == START
    for _ in range(4):
        cluster.advance(0.25)
    assert cluster.now == START + timedelta(seconds=1)
    cluster.advance(2.5)
    assert cluster.now == START + timedelta(seconds=3.5)
    with pytest.raises(ValueError, match="forward"):
        cluster.advance(-1)
    with pytest.raises(ValueError, match="timezone"):
        Cluster(ClusterConfig(), start=datetime(2026, 1, 1))
    assert Cluster(ClusterConfig()).now.tzinfo is not None


@pytest.mark.parametrize(
    "bad",
    [
        {"servers": 0},
        {"clients": -1},
        {"drain_seconds": -1},
        {"heartbeat_seconds": 0},
        {"churn_per_minute": 1.5},
    ],
)
def test_config_rejects_values_outside_their_range(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ClusterConfig(**bad)


# -- the invariant checker itself ---------------------------------------------------------
def test_invariant_checker_names_a_lost_client() -> None:
    cluster = make_cluster()
    cluster.servers[0].clients -= 1
    with pytest.raises(AssertionError, match="not conserved"):
        cluster.check_invariants()


def test_invariant_checker_notices_clients_on_a_stopped_server() -> None:
    cluster = make_cluster()
    cluster.stop_server("as-01")
    cluster.advance(10)
    cluster.servers[0].clients = 1
    cluster.servers[1].clients -= 1
    with pytest.raises(AssertionError, match="stopped server as-01 holds 1"):
        cluster.check_invariants()


def test_invariant_checker_notices_an_isolated_server_gaining_clients() -> None:
    cluster = make_cluster(churn_per_minute=0.0)
    cluster.set_isolation("as-01", isolated=True, reason=None, by="a")
    cluster.advance(60)
    cluster.check_invariants()
    cluster.servers[0].clients += 1
    cluster.servers[1].clients -= 1
    with pytest.raises(AssertionError, match="isolated server as-01"):
        cluster.check_invariants()
