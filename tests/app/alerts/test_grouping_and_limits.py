"""One alert per kind for changes seen together; at most N alerts a minute, none lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from app.alerts import Alert, AlertKind, AlertSettings, Severity
from app.alerts.limits import RateLimiter
from app.api.models import HealthStatus, ServerStatus
from tests.app.alerts.helpers import CID, Harness
from tests.app.history.snapshots import NOW, server, snapshot

OFFLINE = ServerStatus.OFFLINE


def test_servers_changing_together_give_one_alert_per_kind() -> None:
    h = Harness()
    h.snapshot(snapshot(*(server(n, name=f"AS{n:02d}") for n in range(1, 6))))
    alerts = h.snapshot(
        snapshot(
            server(1, name="AS01", status=OFFLINE, clients=0),
            server(2, name="AS02", status=OFFLINE, clients=0),
            server(3, name="AS03", status=OFFLINE, clients=0),
            server(4, name="AS04", isolated_by="jsmith"),
            server(5, name="AS05", isolated_by="jsmith"),
        )
    )
    assert [(a.kind, a.title) for a in alerts] == [
        (AlertKind.OFFLINE, "3 servers went offline in Prod: AS01, AS02, AS03"),
        (AlertKind.ISOLATED, "2 servers were isolated by jsmith in Prod: AS04, AS05"),
    ]
    assert alerts[0].server_ids == ("as-01", "as-02", "as-03")
    assert alerts[0].server_names == ("AS01", "AS02", "AS03")


def test_a_long_group_names_the_first_five() -> None:
    h = Harness()
    servers = range(1, 9)
    h.snapshot(snapshot(*(server(n) for n in servers)))
    [alert] = h.snapshot(snapshot(*(server(n, status=OFFLINE, clients=0) for n in servers)))
    assert alert.title == (
        "8 servers went offline in Prod: EKRAN-AS01, EKRAN-AS02, EKRAN-AS03, EKRAN-AS04, "
        "EKRAN-AS05 and 3 more"
    )
    assert len(alert.server_ids) == 8


def test_different_health_levels_are_separate_alerts_most_severe_first() -> None:
    h = Harness()
    h.snapshot(snapshot(server(1), server(2), server(3)))
    h.health({f"as-0{n}": HealthStatus.HEALTHY for n in (1, 2, 3)})
    alerts = h.health(
        {
            "as-01": HealthStatus.DEGRADED,
            "as-02": HealthStatus.UNHEALTHY,
            "as-03": HealthStatus.UNHEALTHY,
        }
    )
    assert [a.title for a in alerts] == [
        "2 servers are Unhealthy in Prod: EKRAN-AS02, EKRAN-AS03",
        "EKRAN-AS01 is Degraded",
    ]


def test_the_rate_limit_holds_the_excess_and_sums_it_up_later() -> None:
    h = Harness(AlertSettings(max_per_minute=2))
    h.snapshot(snapshot(server(1), server(2), server(3)))
    first = h.snapshot(snapshot(server(1, status=OFFLINE, clients=0), server(2), server(3)))
    second = h.snapshot(
        snapshot(server(1, status=OFFLINE, clients=0), server(2, isolated_by="a"), server(3))
    )
    held = h.snapshot(
        snapshot(
            server(1, status=OFFLINE, clients=0),
            server(2, isolated_by="a"),
            server(3, status=OFFLINE, clients=0),
        )
    )
    assert len(first) == len(second) == 1
    assert held == []
    assert (
        h.snapshot(
            snapshot(server(1), server(2, isolated_by="a"), server(3, status=OFFLINE, clients=0))
        )
        == []
    )
    assert h.tick(40) == []  # the first alert is still inside the minute
    [summary] = h.tick(20)
    assert summary.kind is AlertKind.SUPPRESSED
    assert summary.severity is Severity.CRITICAL  # one of the held was an offline alert
    assert summary.title == "2 more alerts were held back for Prod"
    assert summary.body == "EKRAN-AS03 went offline; EKRAN-AS01 is back online"
    assert summary.server_ids == ("as-03", "as-01")
    assert h.tick(60) == []
    assert len(h.seen) == 3


@settings(max_examples=80, deadline=None)
@given(
    limit=st.integers(1, 5),
    arrivals=st.lists(st.tuples(st.floats(0.0, 40.0), st.integers(0, 4)), max_size=40),
)
def test_never_more_than_the_limit_in_any_minute_and_nothing_lost(
    limit: int, arrivals: list[tuple[float, int]]
) -> None:
    limiter = RateLimiter()
    now = NOW
    sent: list[Alert] = []
    created = 0
    for gap, count in arrivals:
        now += timedelta(seconds=gap)
        batch = [alert(now, created + i) for i in range(count)]
        created += count
        summary = limiter.release(now, limit)
        sent += ([summary] if summary else []) + limiter.admit(batch, now, limit)
    for _ in range(created + 1):  # let time pass until everything held is out
        now += timedelta(seconds=60)
        summary = limiter.release(now, limit)
        sent += [summary] if summary else []
    times = [a.at for a in sent]
    for index, start in enumerate(times):
        window = [t for t in times[index:] if t - start < timedelta(seconds=60)]
        assert len(window) <= limit
    direct = sum(1 for a in sent if a.kind is not AlertKind.SUPPRESSED)
    summarised = sum(int(a.title.split()[0]) for a in sent if a.kind is AlertKind.SUPPRESSED)
    assert direct + summarised == created
    assert limiter.held == 0


def alert(at: datetime, number: int) -> Alert:
    return Alert(
        AlertKind.OFFLINE,
        Severity.CRITICAL,
        CID,
        "Prod",
        (f"as-{number}",),
        (f"AS{number}",),
        f"AS{number} went offline",
        "",
        at,
    )
