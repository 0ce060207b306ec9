"""What each rule reports, once per change, and the baseline that reports nothing."""

from __future__ import annotations

import random

import pytest

from app.alerts import AlertKind, Severity
from app.api.errors import UnreachableError, UnreachableReason
from app.api.models import HealthEntry, HealthReport, HealthStatus, Server, ServerStatus
from app.monitor import ConnectionState, HealthUpdated, ServerHealth
from tests.app.alerts.helpers import CID, NAME, Harness
from tests.app.history.snapshots import NOW, server, snapshot

OFFLINE, STOPPING, STARTING = ServerStatus.OFFLINE, ServerStatus.STOPPING, ServerStatus.STARTING
ONLINE = ServerStatus.ONLINE
HEALTHY, DEGRADED, UNHEALTHY = HealthStatus.HEALTHY, HealthStatus.DEGRADED, HealthStatus.UNHEALTHY


def titles(alerts: list) -> list[str]:  # type: ignore[type-arg]
    return [alert.title for alert in alerts]


def test_the_first_snapshot_is_only_a_baseline() -> None:
    h = Harness()
    first = snapshot(
        server(1, status=OFFLINE, clients=0),
        server(2, isolated_by="jsmith", clients=0),
        server(3),
    )
    assert h.snapshot(first) == []
    assert h.snapshot(first) == []
    assert h.seen == []


def test_a_server_going_offline_alerts_once_until_it_runs_again() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2)))
    assert h.snapshot(snapshot(server(1), server(2, status=STOPPING))) == []
    alerts = h.snapshot(snapshot(server(1), server(2, status=OFFLINE, clients=0)))
    assert titles(alerts) == ["EKRAN-AS02 went offline"]
    [alert] = alerts
    assert alert.kind is AlertKind.OFFLINE
    assert alert.severity is Severity.CRITICAL
    assert alert.server_ids == ("as-02",)
    assert alert.server_names == ("EKRAN-AS02",)
    assert (alert.connection_id, alert.connection_name) == (CID, NAME)
    assert alert.at == h.clock.now
    assert h.snapshot(snapshot(server(1), server(2, status=OFFLINE, clients=0))) == []
    assert h.snapshot(snapshot(server(1), server(2, status=STARTING, clients=0))) == []
    back = h.snapshot(snapshot(server(1), server(2)))
    assert [(a.kind, a.title) for a in back] == [
        (AlertKind.BACK_ONLINE, "EKRAN-AS02 is back online")
    ]
    assert h.snapshot(snapshot(server(1), server(2))) == []
    assert h.seen == alerts + back


def test_an_isolated_server_that_drains_to_zero_is_safe_to_stop() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1, clients=30), server(2, clients=30)))
    isolated = h.snapshot(
        snapshot(server(1, clients=45), server(2, isolated_by="jsmith", clients=15))
    )
    assert titles(isolated) == ["EKRAN-AS02 was isolated by jsmith"]
    assert (
        h.snapshot(snapshot(server(1, clients=55), server(2, isolated_by="jsmith", clients=5)))
        == []
    )
    drained = h.snapshot(
        snapshot(server(1, clients=60), server(2, isolated_by="jsmith", clients=0))
    )
    assert titles(drained) == ["EKRAN-AS02 has no Clients left: safe to stop or upgrade"]
    assert drained[0].kind is AlertKind.DRAINED
    assert (
        h.snapshot(snapshot(server(1, clients=60), server(2, isolated_by="jsmith", clients=0)))
        == []
    )
    # Stopped for the upgrade: offline, still isolated; not "drained" again.
    stopped = h.snapshot(
        snapshot(server(1, clients=60), server(2, isolated_by="jsmith", status=OFFLINE, clients=0))
    )
    assert titles(stopped) == ["EKRAN-AS02 went offline"]


def test_a_server_isolated_with_no_clients_is_drained_at_once() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2, clients=0)))
    alerts = h.snapshot(
        snapshot(server(1), server(2, isolated_by="ops", reason="patching", clients=0))
    )
    assert [a.kind for a in alerts] == [AlertKind.ISOLATED, AlertKind.DRAINED]
    assert alerts[0].body == "Reason: patching"


def test_isolation_changes_made_here_say_by_you() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2)))
    h.engine.note_own_action(CID, "as-02", isolate=True)
    isolated = h.snapshot(snapshot(server(1), server(2, isolated_by="console-user")))
    assert titles(isolated) == ["EKRAN-AS02 was isolated by you"]
    returned = h.snapshot(snapshot(server(1), server(2)))
    assert titles(returned) == ["EKRAN-AS02 was returned to service"]  # not marked: someone else
    h.engine.note_own_action(CID, "as-02", isolate=False)  # a mark for the other direction
    assert titles(h.snapshot(snapshot(server(1), server(2, isolated_by="")))) == [
        "EKRAN-AS02 was isolated"
    ]
    assert titles(h.snapshot(snapshot(server(1), server(2)))) == [
        "EKRAN-AS02 was returned to service by you"
    ]


def test_an_unused_own_action_mark_expires() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1)))
    h.engine.note_own_action(CID, "as-01", isolate=True)
    h.clock.advance(301)
    assert titles(h.snapshot(snapshot(server(1, isolated_by="jsmith")))) == [
        "EKRAN-AS01 was isolated by jsmith"
    ]


def test_health_alerts_when_the_level_changes() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2)))
    assert h.health({"as-01": HEALTHY, "as-02": UNHEALTHY}) == []  # first report: baseline
    degraded = h.health({"as-01": DEGRADED, "as-02": UNHEALTHY})
    assert [(a.title, a.severity) for a in degraded] == [
        ("EKRAN-AS01 is Degraded", Severity.WARNING)
    ]
    assert h.health({"as-01": DEGRADED, "as-02": UNHEALTHY}) == []
    worse = h.health({"as-01": UNHEALTHY, "as-02": HEALTHY})
    assert [(a.title, a.severity) for a in worse] == [
        ("EKRAN-AS01 is Unhealthy", Severity.CRITICAL),
        ("EKRAN-AS02 is Healthy again", Severity.INFO),
    ]
    assert h.health({"as-01": HealthStatus.UNKNOWN}) == []  # no judgement: no change
    probe_failed = ServerHealth("as-01", h.clock.advance(2), error="Timed out.")
    assert h.engine.feed(CID, NAME, HealthUpdated({"as-01": probe_failed})) == []
    assert h.health({"as-01": UNHEALTHY}) == []  # still the level seen before the failed probe


def test_health_of_a_server_that_is_not_running_is_left_to_the_offline_alert() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2)))
    h.health({"as-02": HEALTHY})
    h.snapshot(snapshot(server(1), server(2, status=OFFLINE, clients=0)))
    assert h.health({"as-02": UNHEALTHY}) == []
    h.snapshot(snapshot(server(1), server(2)))
    assert h.health({"as-02": UNHEALTHY}) == []  # its first report since it runs again


def test_connection_lost_after_the_threshold_then_recovered() -> None:
    h = Harness()
    h.status(ConnectionState.CONNECTED)
    error = UnreachableError("Cannot reach the server.", reason=UnreachableReason.REFUSED)
    assert h.status(ConnectionState.STALE, error=error) == []
    assert h.status(ConnectionState.STALE, after=30, error=error) == []
    assert h.tick(29) == []
    lost = h.tick(1)  # 60 s after the first failure
    assert [(a.kind, a.title) for a in lost] == [
        (AlertKind.CONNECTION_LOST, "Lost connection to Prod")
    ]
    assert lost[0].body == "No answer for 60 s: Cannot reach the server."
    assert h.status(ConnectionState.STALE, after=30, error=error) == []
    assert h.tick(60) == []
    back = h.status(ConnectionState.CONNECTED, after=30)  # 180 s after the first failure
    assert [(a.kind, a.body) for a in back] == [
        (AlertKind.CONNECTION_RECOVERED, "It was lost for 3 min.")
    ]
    assert h.status(ConnectionState.CONNECTED) == []


def test_a_short_outage_says_nothing() -> None:
    h = Harness()
    h.status(ConnectionState.CONNECTED)
    h.status(ConnectionState.UNREACHABLE)
    h.tick(30)
    assert h.status(ConnectionState.DEGRADED, after=20) == []
    assert h.tick(120) == []
    assert h.seen == []


def test_stopping_the_monitor_starts_a_new_baseline() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1)))
    h.status(ConnectionState.IDLE)
    assert h.snapshot(snapshot(server(1, status=OFFLINE, clients=0))) == []
    h.status(ConnectionState.UNREACHABLE)
    h.status(ConnectionState.IDLE, after=120)
    assert h.tick(60) == []


def test_a_server_that_joins_is_its_own_baseline() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1)))
    assert h.snapshot(snapshot(server(1), server(2, status=OFFLINE, clients=0))) == []
    assert h.snapshot(snapshot(server(1))) == []  # leaving is not an alert either


def _report(level: HealthStatus, **entries: HealthStatus) -> HealthUpdated:
    report = HealthReport(
        url="https://as01.corp.example/EkranSystem/healthcheck",
        http_status=200,
        status=level,
        entries={name: HealthEntry(status=status) for name, status in entries.items()},
        ok=True,
    )
    return HealthUpdated({"as-01": ServerHealth("as-01", NOW, report=report)})


def test_a_server_isolated_on_purpose_raises_no_degraded_alert() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2)))
    h.engine.feed(CID, NAME, _report(HEALTHY, database=HEALTHY))
    h.snapshot(snapshot(server(1, isolated_by="admin"), server(2)))
    # Degraded by its isolation entry alone: what was asked for, not a fault.
    isolated = h.engine.feed(CID, NAME, _report(DEGRADED, database=HEALTHY, isolation=DEGRADED))
    assert isolated == []
    # Degraded by something else while isolated is still a warning.
    licences = h.engine.feed(CID, NAME, _report(DEGRADED, licensing=DEGRADED, isolation=DEGRADED))
    assert [(a.title, a.severity) for a in licences] == [
        ("EKRAN-AS01 is Degraded", Severity.WARNING)
    ]


def test_unchanged_server_objects_alert_as_fresh_copies_do() -> None:
    """The API client keeps an unchanged server's object; the rules pass it over, and
    must find exactly what they find when every poll brings new objects."""
    rng = random.Random(7)
    reused, copied = Harness(), Harness()
    shown = [server(n) for n in range(1, 9)]
    statuses = [ONLINE, OFFLINE, STOPPING, STARTING]
    for _poll in range(300):
        for index in rng.sample(range(len(shown)), rng.randrange(3)):
            number = index + 1
            choice = rng.randrange(3)
            if choice == 0:
                shown[index] = server(number, status=rng.choice(statuses), clients=0)
            elif choice == 1:
                shown[index] = server(number, isolated_by="ops", clients=rng.randrange(3))
            else:
                shown[index] = server(number, clients=rng.randrange(3))
        same = reused.snapshot(snapshot(*shown))
        fresh = copied.snapshot(snapshot(*(s.model_copy() for s in shown)))
        assert [(a.kind, a.title, a.server_ids) for a in same] == [
            (a.kind, a.title, a.server_ids) for a in fresh
        ]
    assert len(reused.seen) > 20  # the polls did raise alerts


def test_unchanged_objects_alert_as_fresh_copies_do_while_servers_leave_and_return() -> None:
    """Only the servers whose object changed are judged again: with servers leaving and
    coming back among unchanged ones, the alerts are those of fresh copies each poll."""
    rng = random.Random(11)
    reused, copied = Harness(), Harness()
    shown = [server(n) for n in range(1, 9)]
    statuses = [ONLINE, OFFLINE, STOPPING, STARTING]
    for _poll in range(300):
        for index in rng.sample(range(len(shown)), rng.randrange(3)):
            shown[index] = server(index + 1, status=rng.choice(statuses), clients=0)
        listed = [s for s in shown if rng.random() < 0.85]  # some left this poll
        same = reused.snapshot(snapshot(*listed))
        fresh = copied.snapshot(snapshot(*(s.model_copy() for s in listed)))
        assert [(a.kind, a.title, a.server_ids) for a in same] == [
            (a.kind, a.title, a.server_ids) for a in fresh
        ]
    assert len(reused.seen) > 20  # the polls did raise alerts


def test_a_poll_judges_only_the_servers_whose_object_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.alerts.rules import ConnectionRules

    judged: list[str] = []
    original = ConnectionRules._server

    def counting(self: ConnectionRules, server: Server, *rest: object) -> object:
        judged.append(server.id)
        return original(self, server, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(ConnectionRules, "_server", counting)
    h = Harness()
    shown = [server(n) for n in range(1, 6)]
    h.snapshot(snapshot(*shown))
    assert sorted(judged) == [s.id for s in shown]  # the baseline: every server
    judged.clear()
    h.snapshot(snapshot(*shown))
    assert judged == []  # the same objects: nothing judged again
    shown[2] = server(3, status=OFFLINE, clients=0)
    alerts = h.snapshot(snapshot(*shown))
    assert judged == ["as-03"]
    assert [a.kind for a in alerts] == [AlertKind.OFFLINE]


def test_a_server_that_left_and_returns_is_a_new_baseline() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2, status=OFFLINE, clients=0)))
    h.snapshot(snapshot(server(1)))  # as-02 left the list
    # Back running: not "back online", its past was forgotten when it left.
    assert h.snapshot(snapshot(server(1), server(2))) == []
