"""AlertSettings: kinds switched off per connection, and the JSON form."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.alerts import AlertKind, AlertSettings, AlertSettingsError
from app.api.models import ServerStatus
from app.monitor import SnapshotReceived
from tests.app.alerts.helpers import CID, ROOMY, Harness
from tests.app.history.snapshots import server, snapshot

OFFLINE = ServerStatus.OFFLINE
SWITCHABLE = [kind for kind in AlertKind if kind is not AlertKind.SUPPRESSED]


def test_a_switched_off_kind_is_silent_for_that_connection_only() -> None:
    h = Harness()
    h.engine.set_settings(CID, ROOMY.with_kind(AlertKind.OFFLINE, enabled=False))
    before = snapshot(server(1), server(2))
    after = snapshot(server(1, status=OFFLINE, clients=0), server(2, isolated_by="x"))
    h.snapshot(before)
    alerts = h.snapshot(after)
    assert [a.kind for a in alerts] == [AlertKind.ISOLATED]
    assert h.engine.settings("other") == ROOMY  # the default for other connections
    h.engine.feed("other", "Staging", SnapshotReceived(before))
    others = h.engine.feed("other", "Staging", SnapshotReceived(after))
    assert [a.kind for a in others] == [AlertKind.OFFLINE, AlertKind.ISOLATED]


def test_switching_a_kind_back_on_does_not_replay_the_past() -> None:
    h = Harness()
    h.engine.set_settings(CID, ROOMY.with_kind(AlertKind.OFFLINE, enabled=False))
    h.snapshot(snapshot(server(1)))
    assert h.snapshot(snapshot(server(1, status=OFFLINE, clients=0))) == []
    h.engine.set_settings(CID, ROOMY)
    assert h.snapshot(snapshot(server(1, status=OFFLINE, clients=0))) == []
    assert [a.kind for a in h.snapshot(snapshot(server(1)))] == [AlertKind.BACK_ONLINE]


@given(
    disabled=st.frozensets(st.sampled_from(SWITCHABLE)),
    per_minute=st.integers(1, 1000),
    flap_count=st.integers(1, 100),
    window=st.floats(1.0, 86_400.0),
    lost_after=st.floats(0.0, 3600.0),
)
def test_json_round_trip(
    disabled: frozenset[AlertKind],
    per_minute: int,
    flap_count: int,
    window: float,
    lost_after: float,
) -> None:
    original = AlertSettings(disabled, per_minute, flap_count, window, lost_after)
    assert AlertSettings.from_json(original.to_json()) == original


def test_missing_and_unknown_keys_take_defaults() -> None:
    text = json.dumps({"disabled": ["offline", "kind-from-a-newer-console"], "colour": "red"})
    assert AlertSettings.from_json(text) == AlertSettings(disabled=frozenset({AlertKind.OFFLINE}))
    assert AlertSettings.from_json("{}") == AlertSettings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "Alert settings must be a JSON object."),
        ("{", "Alert settings are not valid JSON."),
        ('{"disabled": "offline"}', "The switched-off alert kinds must be a list of names."),
        ('{"max_per_minute": 2.5}', "The alert setting 'max_per_minute' must be a whole number."),
        ('{"flap_window_s": true}', "The alert setting 'flap_window_s' must be a number."),
        ('{"max_per_minute": 0}', "The alert limit must be at least 1 per minute."),
        ('{"flap_window_s": 0}', "The flapping window must be longer than 0 seconds."),
        ('{"connection_lost_after_s": -1}', "The connection-lost delay cannot be negative."),
        ('{"disabled": ["suppressed"]}', "The rate-limit summary cannot be switched off."),
    ],
)
def test_invalid_settings_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(AlertSettingsError) as caught:
        AlertSettings.from_json(text)
    assert str(caught.value) == message


def test_every_kind_has_a_label() -> None:
    assert all(kind.label for kind in AlertKind)
