"""The rolling maintenance step machine with virtual time and no network."""

from __future__ import annotations

import pytest

from app.api.models import HealthStatus, ServerStatus
from app.rollout import (
    ActionKind,
    Admin,
    AdminCommand,
    Isolate,
    MessageKind,
    PauseKind,
    ProbeHealth,
    RolloutPlan,
    RolloutState,
    RunStatus,
    ServerStep,
    start_run,
    step,
)
from tests.app.rollout.fakes import FakeCluster


def new_run(cluster: FakeCluster, **plan: object) -> RolloutState:
    fields: dict[str, object] = {
        "servers": tuple(s.id for s in cluster.servers),
        "settle_s": 30,
        "drain_timeout_s": 600,
        **plan,
    }
    return start_run(
        RolloutPlan(**fields),  # type: ignore[arg-type]
        cluster.snapshot(),
        connection_id="c1",
        connection_name="Prod",
        user="admin",
        now=cluster.now,
    )


def steps_of(state: RolloutState) -> list[ServerStep]:
    return [s.step for s in state.servers]


def upgrade(
    cluster: FakeCluster, state: RolloutState, server_id: str, version: str
) -> RolloutState:
    """The admin stops the server, upgrades it and starts it again."""
    cluster[server_id].status = ServerStatus.OFFLINE
    state = cluster.wait(state, 2)
    cluster[server_id].version = version
    cluster[server_id].status = ServerStatus.ONLINE
    return cluster.wait(state, 2)


def drain(cluster: FakeCluster, state: RolloutState, server_id: str) -> RolloutState:
    moved = cluster[server_id].clients
    cluster[server_id].clients = 0
    others = [s for s in cluster.servers if s.id != server_id and not s.isolated_by]
    others[0].clients += moved
    return cluster.wait(state, 5)


def test_a_full_run_walks_every_server_through_every_step() -> None:
    cluster = FakeCluster.of(40, 30, 30)
    state = cluster.run(new_run(cluster, target_version="9.3"))
    assert steps_of(state) == [ServerStep.DRAINING, ServerStep.PENDING, ServerStep.PENDING]
    assert cluster["as-01"].isolated_by == "admin"
    for server_id in ("as-01", "as-02", "as-03"):
        assert state.current_server is not None
        assert state.current_server.server_id == server_id
        cluster[server_id].clients //= 2
        state = cluster.wait(state, 10)
        assert cluster.messages[-1].kind is MessageKind.PROGRESS
        state = drain(cluster, state, server_id)
        assert state.current_server.step is ServerStep.WAITING_RESTART
        assert state.instruction.startswith(f"EKRAN-{server_id.upper().replace('-', '')} has no")
        assert "stop and upgrade it to 9.3 now" in state.instruction
        state = upgrade(cluster, state, server_id, "9.3")
        assert state.current_server.step is ServerStep.SETTLING
        assert cluster[server_id].isolated_by is None
        cluster[server_id].clients = 5
        state = cluster.wait(state, 31)
    assert state.status is RunStatus.FINISHED
    assert steps_of(state) == [ServerStep.DONE] * 3
    assert all("took 5 Clients again" in s.note for s in state.servers)
    isolations = [a.server_id for a in cluster.actions if isinstance(a, Isolate)]
    assert isolations == ["as-01", "as-02", "as-03"]
    assert cluster.messages[-1].text == "Rolling maintenance finished: 3 done, 0 skipped."


def test_never_two_servers_isolated_at_once() -> None:
    cluster = FakeCluster.of(10, 10, 10)
    state = cluster.run(new_run(cluster))
    for _ in range(3):
        assert state.current_server is not None
        current = state.current_server.server_id
        state = drain(cluster, state, current)
        assert [s.id for s in cluster.servers if s.isolated_by] == [current]
        state = upgrade(cluster, state, current, "9.2")
        state = cluster.wait(state, 31)
    assert state.status is RunStatus.FINISHED


def test_settle_notes_a_server_that_took_no_clients_without_waiting_for_them() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster, servers=("as-01",)))
    state = upgrade(cluster, drain(cluster, state, "as-01"), "as-01", "9.2")
    state = cluster.wait(state, 31)
    assert state.status is RunStatus.FINISHED
    assert "has not taken Clients yet" in state.servers[0].note


def test_preflight_refuses_and_an_override_passes() -> None:
    cluster = FakeCluster.of(10, 10, 10)
    cluster["as-03"].isolated_by = "someone"
    state = cluster.run(new_run(cluster, servers=("as-01",)))
    assert state.status is RunStatus.PAUSED
    assert state.pause_kind is PauseKind.PREFLIGHT
    assert "Already isolated by someone else: EKRAN-AS03 (by someone)" in state.pause_reason
    assert cluster["as-01"].isolated_by is None
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    assert state.status is RunStatus.PAUSED
    state = cluster.run(state, Admin(AdminCommand.RESUME, override=True))
    assert state.status is RunStatus.RUNNING
    assert cluster["as-01"].isolated_by == "admin"
    assert state.override is False  # used once


def test_a_read_only_connection_is_refused_even_with_override() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster), read_only=True)
    assert state.pause_kind is PauseKind.PREFLIGHT
    assert "read-only" in state.pause_reason
    state = cluster.run(state, Admin(AdminCommand.RESUME, override=True), read_only=True)
    assert state.status is RunStatus.PAUSED
    assert not any(isinstance(a, Isolate) for a in cluster.actions)


def test_capacity_is_checked_only_when_set() -> None:
    cluster = FakeCluster.of(50, 50, 50)
    state = cluster.run(new_run(cluster, capacity_per_server=70))
    assert state.pause_kind is PauseKind.PREFLIGHT
    assert "150 Clients would not fit on the 2 servers left in service" in state.pause_reason
    cluster2 = FakeCluster.of(50, 50, 50)
    state2 = cluster2.run(new_run(cluster2))
    assert state2.status is RunStatus.RUNNING
    assert any("no Clients-per-server capacity is set" in c for c in state2.checks)


def test_another_server_going_offline_pauses_and_resume_waits_until_it_is_back() -> None:
    cluster = FakeCluster.of(10, 10, 10)
    state = cluster.run(new_run(cluster))
    cluster["as-03"].status = ServerStatus.OFFLINE
    state = cluster.wait(state, 1)
    assert (state.status, state.pause_kind) == (RunStatus.PAUSED, PauseKind.OTHER_SERVER)
    assert state.pause_reason == "EKRAN-AS03 is offline."
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    assert state.status is RunStatus.PAUSED
    cluster["as-03"].status = ServerStatus.ONLINE
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    assert state.status is RunStatus.RUNNING
    assert state.servers[0].step is ServerStep.DRAINING


def test_an_unhealthy_server_pauses_the_run() -> None:
    cluster = FakeCluster.of(10, 10, 10)
    state = cluster.run(new_run(cluster))
    cluster["as-02"].health = HealthStatus.UNHEALTHY
    state = cluster.wait(state, 1)
    assert state.pause_reason == "EKRAN-AS02 is unhealthy."


def test_the_drain_timeout_pauses_and_resume_waits_another_timeout() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster, drain_timeout_s=60))
    state = cluster.wait(state, 59)
    assert state.status is RunStatus.RUNNING
    state = cluster.wait(state, 1)
    assert state.pause_kind is PauseKind.DRAIN_TIMEOUT
    assert "still has 10 Clients after 60 s" in state.pause_reason
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    state = cluster.wait(state, 59)
    assert state.status is RunStatus.RUNNING
    state = drain(cluster, state, "as-01")
    assert state.servers[0].step is ServerStep.WAITING_RESTART


def test_a_wrong_version_after_restart_pauses_until_fixed() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster, target_version="9.3", servers=("as-01",)))
    state = upgrade(cluster, drain(cluster, state, "as-01"), "as-01", "9.2.9")
    assert state.pause_kind is PauseKind.WRONG_VERSION
    assert "came back on version 9.2.9, not 9.3" in state.pause_reason
    assert cluster["as-01"].isolated_by == "admin"  # not returned to service
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    assert state.pause_kind is PauseKind.WRONG_VERSION
    cluster["as-01"].version = "9.3"
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    assert state.servers[0].step is ServerStep.SETTLING
    assert cluster["as-01"].isolated_by is None


def test_a_lost_connection_pauses() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster))
    outcome = step(state, cluster.observation("No answer."), cluster.now)
    assert outcome.state.pause_kind is PauseKind.CONNECTION
    assert outcome.state.pause_reason == "the connection is lost: No answer."


def test_skip_leaves_the_server_isolated_and_abort_says_which_are() -> None:
    cluster = FakeCluster.of(10, 10, 10)
    state = cluster.run(new_run(cluster))
    state = cluster.run(state, Admin(AdminCommand.SKIP))
    assert state.servers[0].step is ServerStep.SKIPPED
    assert state.servers[0].note == "left as it is (still isolated)"
    assert state.current_server is not None
    assert state.current_server.server_id == "as-02"
    assert cluster["as-02"].isolated_by == "admin"
    state = cluster.run(state, Admin(AdminCommand.ABORT))
    assert state.status is RunStatus.ABORTED
    assert cluster.messages[-1].text.endswith("Still isolated: EKRAN-AS01, EKRAN-AS02.")
    assert cluster.run(state, Admin(AdminCommand.RESUME)) == state


def test_pause_stops_moving_on_until_resumed() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster))
    state = cluster.run(state, Admin(AdminCommand.PAUSE))
    state = drain(cluster, state, "as-01")
    assert (state.status, state.servers[0].step) == (RunStatus.PAUSED, ServerStep.DRAINING)
    state = cluster.run(state, Admin(AdminCommand.RESUME))
    assert state.servers[0].step is ServerStep.WAITING_RESTART


def test_without_restart_the_admin_says_done() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster, restart=False, servers=("as-01",), settle_s=0))
    state = drain(cluster, state, "as-01")
    assert state.servers[0].step is ServerStep.WAITING_DONE
    assert state.instruction.endswith("do its maintenance now, then choose Done.")
    state = cluster.wait(state, 600)
    assert state.servers[0].step is ServerStep.WAITING_DONE
    state = cluster.run(state, Admin(AdminCommand.DONE))
    assert state.status is RunStatus.FINISHED


def test_a_server_seen_only_after_its_upgrade_counts_as_restarted() -> None:
    cluster = FakeCluster.of(10, 10)
    state = cluster.run(new_run(cluster, target_version="9.3", servers=("as-01",)))
    state = drain(cluster, state, "as-01")
    cluster["as-01"].version = "9.3"  # restarted between two polls
    state = cluster.wait(state, 1)
    assert state.servers[0].step is ServerStep.SETTLING


def test_one_action_at_a_time_and_a_loaded_run_asks_again() -> None:
    cluster = FakeCluster.of(10, 10)
    state = new_run(cluster)
    first = step(state, cluster.observation(), cluster.now)
    assert first.actions == (ProbeHealth(),)
    again = step(first.state, cluster.observation(), cluster.now)
    assert again.actions == ()
    isolating = step(first.state, cluster.observation(), cluster.now, cluster.apply(ProbeHealth()))
    assert isolating.state.awaiting == ActionKind.ISOLATE.value
    saved = RolloutState.from_data(isolating.state.to_data())
    assert saved == isolating.state
    from app.rollout.machine import resumed_after_load

    resumed = step(resumed_after_load(saved), cluster.observation(), cluster.now)
    assert [type(a) for a in resumed.actions] == [Isolate]


def test_a_state_of_another_format_is_refused() -> None:
    cluster = FakeCluster.of(10)
    data = new_run(cluster).to_data()
    data["format"] = 99
    with pytest.raises(ValueError, match="unknown format"):
        RolloutState.from_data(data)


def test_an_isolation_that_lands_after_a_skip_still_counts_as_the_runs() -> None:
    cluster = FakeCluster.of(10, 10, 10)
    state = new_run(cluster)
    probing = step(state, cluster.observation(), cluster.now)
    isolating = step(
        probing.state, cluster.observation(), cluster.now, cluster.apply(ProbeHealth())
    )
    assert isolating.actions == (Isolate("as-01", "Rolling maintenance"),)
    skipped = cluster.run(isolating.state, Admin(AdminCommand.SKIP))
    late = cluster.run(skipped, cluster.apply(isolating.actions[0]))
    assert late.servers[0].isolated_by_run
    aborted = cluster.run(late, Admin(AdminCommand.ABORT))
    assert "Still isolated: EKRAN-AS01" in cluster.messages[-1].text
    assert aborted.status is RunStatus.ABORTED


def test_names_and_versions_from_the_server_are_shown_safely() -> None:
    cluster = FakeCluster.of(10, 10)
    state = new_run(cluster, target_version="9.3", servers=("as-01",))
    snapshot = cluster.snapshot()
    hostile = snapshot.model_copy(
        update={
            "servers": tuple(
                s.model_copy(update={"name": "AS\x1b[31m01\u202e"}) for s in snapshot.servers
            )
        }
    )
    run = start_run(
        state.plan, hostile, connection_id="c", connection_name="P", user="a", now=cluster.now
    )
    assert run.servers[0].name == "AS\\x1b[31m01\\u202e"
    state = cluster.run(state)
    state = upgrade(cluster, drain(cluster, state, "as-01"), "as-01", "9.2\x1b]0;pwned\x07")
    assert state.pause_kind is PauseKind.WRONG_VERSION
    assert "\x1b" not in state.pause_reason
    assert "9.2\\x1b]0;pwned\\x07" in state.pause_reason
