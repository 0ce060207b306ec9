"""Property tests: the cluster model keeps its invariants under any sequence of actions."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from simulator.balancer import least_connections
from simulator.cluster import (
    ActionConflict,
    Cluster,
    ClusterConfig,
    ClusterError,
    InvalidRequest,
    Isolation,
    ServerNotFound,
)
from simulator.sampling import binomial, poisson, split_evenly

START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
HEALTH_VALUES = [None, "Healthy", "Degraded", "Unhealthy", "Bogus"]


# -- load balancer and sampling -----------------------------------------------------------
def place_one_at_a_time(loads: list[int], count: int) -> list[int]:
    current = list(loads)
    for _ in range(count):
        target = min(range(len(current)), key=lambda index: (current[index], index))
        current[target] += 1
    return [after - before for after, before in zip(current, loads, strict=True)]


@settings(max_examples=300, deadline=None)
@given(
    loads=st.lists(st.integers(0, 40), min_size=1, max_size=8),
    count=st.integers(0, 120),
)
def test_water_filling_matches_placing_clients_one_by_one(loads: list[int], count: int) -> None:
    assert least_connections(loads, count) == place_one_at_a_time(loads, count)


def test_least_connections_without_candidates_places_nothing() -> None:
    assert least_connections([], 10) == []
    assert least_connections([3, 1], 0) == [0, 0]


@given(
    n=st.integers(0, 10**6),
    p=st.floats(0.0, 1.0, allow_nan=False),
    seed=st.integers(0, 2**32),
)
def test_binomial_draws_stay_within_zero_and_n(n: int, p: float, seed: int) -> None:
    assert 0 <= binomial(random.Random(seed), n, p) <= n


def test_binomial_and_poisson_have_the_right_mean_and_spread() -> None:
    rng = random.Random(1)
    for n, p in [(50, 0.03), (100_000, 0.0003), (2_000, 0.25), (40, 0.9)]:
        draws = [binomial(rng, n, p) for _ in range(4000)]
        mean, variance = n * p, n * p * (1 - p)
        assert abs(statistics.fmean(draws) - mean) < 0.1 * mean + 0.05
        assert abs(statistics.pvariance(draws) - variance) < 0.15 * variance + 0.05
    for mean in [0.2, 3.0, 500.0]:
        draws = [poisson(rng, mean) for _ in range(4000)]
        assert abs(statistics.fmean(draws) - mean) < 0.1 * mean
        assert abs(statistics.pvariance(draws) - mean) < 0.15 * mean


@given(n=st.integers(0, 5000), parts=st.integers(1, 12), seed=st.integers(0, 1000))
def test_split_evenly_keeps_every_item(n: int, parts: int, seed: int) -> None:
    sizes = split_evenly(random.Random(seed), n, parts)
    assert len(sizes) == parts
    assert sum(sizes) == n
    assert min(sizes) >= 0


# -- random action sequences --------------------------------------------------------------
configs = st.builds(
    ClusterConfig,
    servers=st.integers(1, 5),
    clients=st.integers(0, 80),
    seed=st.integers(0, 10_000),
    drain_seconds=st.sampled_from([0.0, 1.5, 10.0, 30.0]),
    start_seconds=st.sampled_from([0.0, 2.0, 5.0]),
    stop_seconds=st.sampled_from([0.0, 1.0, 3.0]),
    reconnect_seconds=st.sampled_from([0.0, 0.5, 4.0, 10.0]),
    churn_per_minute=st.sampled_from([0.0, 0.05, 0.5]),
    heartbeat_seconds=st.sampled_from([1.0, 30.0]),
)
server_ids = st.sampled_from([1, 1, 2, 2, 3, 4, 9]).map(lambda number: f"as-{number:02d}")
actions = st.one_of(
    st.tuples(st.just("isolate"), server_ids, st.booleans()),
    st.tuples(st.just("return"), server_ids),
    st.tuples(st.just("stop"), server_ids),
    st.tuples(st.just("start"), server_ids),
    st.tuples(st.just("health"), server_ids, st.sampled_from(HEALTH_VALUES)),
    st.tuples(st.just("advance"), st.floats(0.0, 40.0, allow_nan=False)),
)


def expected_refusal(cluster: Cluster, action: tuple[Any, ...]) -> type[ClusterError] | None:
    """The error class the action must raise in the cluster's current state, if any."""
    kind = action[0]
    if kind == "advance":
        return None
    if kind == "health" and action[2] not in (None, "Healthy", "Degraded", "Unhealthy"):
        return InvalidRequest
    known = {server.id: server for server in cluster.servers}
    server = known.get(action[1])
    if server is None:
        return ServerNotFound
    offline = server.process in ("stopped", "stopping")
    if kind == "start":
        return None if server.process == "stopped" else ActionConflict
    if kind in ("return", "stop"):
        return ActionConflict if offline else None
    if kind == "isolate":
        last_in_service = [s for s in cluster.servers if s.status == "online"] == [server]
        if offline or (server.isolation is None and last_in_service and not action[2]):
            return ActionConflict
    return None


def apply(cluster: Cluster, action: tuple[Any, ...]) -> None:
    kind = action[0]
    if kind == "isolate":
        cluster.set_isolation(action[1], isolated=True, reason="test", by="prop", force=action[2])
    elif kind == "return":
        cluster.set_isolation(action[1], isolated=False, reason=None, by="prop")
    elif kind == "stop":
        cluster.stop_server(action[1])
    elif kind == "start":
        cluster.start_server(action[1])
    elif kind == "health":
        cluster.set_health(action[1], action[2])
    else:
        cluster.advance(action[1])


@dataclass(frozen=True)
class Before:
    now: datetime
    revision: int
    isolation: Isolation | None
    state: tuple[object, ...]


def check_outcome(cluster: Cluster, action: tuple[Any, ...], before: Before) -> None:
    """What a successful action must have done."""
    kind = action[0]
    if kind == "advance":
        assert cluster.now == before.now + timedelta(microseconds=round(action[1] * 1e6))
        return
    server = cluster.server(action[1])
    if kind == "isolate":
        assert server.isolation is not None
        if before.isolation is not None:
            assert server.isolation is before.isolation
    elif kind == "return":
        assert server.isolation is None
    elif kind == "stop":
        assert server.clients == 0
        assert server.process in ("stopping", "stopped")
    elif kind == "start":
        assert server.process in ("starting", "running")
    elif kind == "health":
        assert server.health_override == action[2]


def visible_state(cluster: Cluster) -> tuple[object, ...]:
    return (
        cluster.revision,
        cluster.pending,
        tuple(
            (s.process, s.clients, s.health_override, s.isolation, s.last_seen)
            for s in cluster.servers
        ),
    )


@settings(max_examples=300, deadline=None)
@given(config=configs, steps=st.lists(actions, min_size=1, max_size=30))
def test_invariants_hold_under_random_actions(
    config: ClusterConfig, steps: list[tuple[Any, ...]]
) -> None:
    cluster = Cluster(config, start=START)
    cluster.check_invariants()
    for action in steps:
        refusal = expected_refusal(cluster, action)
        event(f"{action[0]}: {refusal.__name__ if refusal else 'done'}")
        known = {server.id: server for server in cluster.servers}
        target = known.get(action[1]) if action[0] != "advance" else None
        before = Before(
            now=cluster.now,
            revision=cluster.revision,
            isolation=target.isolation if target else None,
            state=visible_state(cluster),
        )
        if refusal is None:
            apply(cluster, action)
            check_outcome(cluster, action, before)
        else:
            with pytest.raises(refusal) as refused:
                apply(cluster, action)
            assert type(refused.value) is refusal
            assert refused.value.status == refusal.status
            assert refused.value.detail
            assert visible_state(cluster) == before.state
        assert cluster.revision >= before.revision
        cluster.check_invariants()
