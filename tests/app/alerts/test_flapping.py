"""A server that keeps going offline and online: one alert, silence, then "stable again"."""

from __future__ import annotations

from app.alerts import AlertKind, AlertSettings, Severity
from app.api.models import ServerStatus
from tests.app.alerts.helpers import Harness
from tests.app.history.snapshots import server, snapshot

FLAPPY = AlertSettings(max_per_minute=1000, flap_count=3, flap_window_s=600)
UP = snapshot(server(1), server(2))
DOWN = snapshot(server(1), server(2, status=ServerStatus.OFFLINE, clients=0))


def kinds(alerts: list) -> list[AlertKind]:  # type: ignore[type-arg]
    return [alert.kind for alert in alerts]


def test_more_than_k_trips_in_the_window_make_one_flapping_alert() -> None:
    h = Harness(FLAPPY)
    h.snapshot(UP)
    for _ in range(3):  # three trips: alerted as usual
        assert kinds(h.snapshot(DOWN, after=30)) == [AlertKind.OFFLINE]
        assert kinds(h.snapshot(UP, after=30)) == [AlertKind.BACK_ONLINE]
    [flapping] = h.snapshot(DOWN, after=30)
    assert flapping.kind is AlertKind.FLAPPING
    assert flapping.severity is Severity.WARNING
    assert flapping.title == "EKRAN-AS02 keeps going offline and online"
    for _ in range(5):  # silence while it flaps
        assert h.snapshot(UP, after=60) == []
        assert h.snapshot(DOWN, after=60) == []
    assert h.snapshot(UP, after=60) == []
    assert h.tick(599) == []
    [stable] = h.tick(1)
    assert (stable.kind, stable.title, stable.severity) == (
        AlertKind.FLAPPING,
        "EKRAN-AS02 is stable again",
        Severity.INFO,
    )
    assert stable.body == "No change for 10 min; it is online."
    assert h.tick(3600) == []
    assert kinds(h.snapshot(DOWN)) == [AlertKind.OFFLINE]  # ordinary alerts again


def test_settling_offline_says_so_critically() -> None:
    h = Harness(FLAPPY)
    h.snapshot(UP)
    for _ in range(4):
        h.snapshot(DOWN, after=10)
        h.snapshot(UP, after=10)
    h.snapshot(DOWN, after=10)
    [stable] = h.tick(600)
    assert stable.severity is Severity.CRITICAL
    assert stable.body == "No change for 10 min; it is offline."


def test_trips_spread_wider_than_the_window_are_not_flapping() -> None:
    h = Harness(FLAPPY)
    h.snapshot(UP)
    for _ in range(6):
        assert kinds(h.snapshot(DOWN, after=200)) == [AlertKind.OFFLINE]
        assert kinds(h.snapshot(UP, after=10)) == [AlertKind.BACK_ONLINE]


def test_with_flapping_switched_off_every_trip_alerts() -> None:
    h = Harness(FLAPPY.with_kind(AlertKind.FLAPPING, enabled=False))
    h.snapshot(UP)
    for _ in range(6):
        assert kinds(h.snapshot(DOWN, after=5)) == [AlertKind.OFFLINE]
        assert kinds(h.snapshot(UP, after=5)) == [AlertKind.BACK_ONLINE]
