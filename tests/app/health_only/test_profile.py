"""What a saved health-only connection accepts."""

from __future__ import annotations

import pytest

from app.connections import ConnectionKindName, ConnectionProfile, ProfileValidationError
from app.kinds.registry import capabilities_of, kind_of

PIN = "AB:" * 31 + "AB"


def test_a_health_only_connection_needs_no_user_and_polls_every_10_s() -> None:
    profile = ConnectionProfile(name="Real", kind="health_only", urls=["mt01", "mt02/Mon/"])
    assert profile.kind is ConnectionKindName.HEALTH_ONLY
    assert profile.health_only
    assert profile.urls == ("https://mt01/EkranSystem", "https://mt02/Mon")
    assert profile.poll_interval_s == 10.0
    assert ConnectionProfile.from_data(profile.to_data()) == profile


def test_an_own_poll_interval_is_kept() -> None:
    profile = ConnectionProfile(name="R", kind="health_only", urls=["mt01"], poll_interval_s=5)
    assert profile.poll_interval_s == 5.0


def test_a_saved_file_without_a_kind_is_an_api_connection() -> None:
    data = ConnectionProfile(name="Old", urls=["mt01"], username="admin").to_data()
    del data["kind"], data["url_pins"]
    profile = ConnectionProfile.from_data(data)
    assert profile.kind is ConnectionKindName.API
    assert profile.poll_interval_s == 2.0
    assert kind_of(profile).name is ConnectionKindName.API


def test_an_api_connection_still_needs_a_user() -> None:
    with pytest.raises(ProfileValidationError) as raised:
        ConnectionProfile(name="API", urls=["mt01"])
    assert raised.value.problems[0].field == "username"


def test_a_health_only_connection_refuses_a_user() -> None:
    with pytest.raises(ProfileValidationError, match="never signs in"):
        ConnectionProfile(name="R", kind="health_only", urls=["mt01"], username="admin")


def test_pins_are_per_url_and_normalized() -> None:
    profile = ConnectionProfile(
        name="R", kind="health_only", urls=["mt01", "mt02"], url_pins={"MT02/": PIN}
    )
    assert profile.url_pins == {"https://mt02/EkranSystem": "ab" * 32}
    assert profile.trust_for("https://mt02/EkranSystem").pinned_sha256 == "ab" * 32
    assert profile.trust_for("https://mt01/EkranSystem").mode.value == "system"


@pytest.mark.parametrize(
    ("pins", "message"),
    [({"mt03": PIN}, "not in the URLs"), ({"mt01": "1234"}, "64 hexadecimal")],
)
def test_bad_pins_are_refused(pins: dict[str, str], message: str) -> None:
    with pytest.raises(ProfileValidationError, match=message):
        ConnectionProfile(name="R", kind="health_only", urls=["mt01"], url_pins=pins)


def test_capabilities_are_known_without_opening() -> None:
    profile = ConnectionProfile(name="R", kind="health_only", urls=["mt01"])
    assert capabilities_of(profile).kind_label == "Health-only connection"
