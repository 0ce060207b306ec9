"""ConnectionProfile: defaults, normalization, friendly validation and client settings."""

from __future__ import annotations

import math
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from app.api.settings import ProxyMode, TrustMode
from app.connections.errors import ProfileValidationError
from app.connections.model import ConnectionProfile
from app.connections.values import AuthMode, EnvironmentTag
from tests.helpers.profiles import MakeProfile

PIN = "AB:" * 31 + "CD"
PIN_DIGITS = "ab" * 31 + "cd"


def test_defaults(make_profile: MakeProfile) -> None:
    profile = make_profile()
    assert uuid.UUID(profile.id).version == 4
    assert profile.group == ""
    assert profile.tag is EnvironmentTag.NONE
    assert profile.read_only is False
    assert profile.allows_isolation is True
    assert profile.auth_mode is AuthMode.PASSWORD
    assert profile.tls.mode is TrustMode.SYSTEM
    assert profile.proxy.mode is ProxyMode.SYSTEM
    assert profile.poll_interval_s == 2.0
    assert profile.notes == ""
    assert profile.remember_password is False


def test_each_profile_gets_its_own_id(make_profile: MakeProfile) -> None:
    assert make_profile().id != make_profile().id


def test_values_are_normalized(make_profile: MakeProfile) -> None:
    profile = make_profile(
        name="  Acme production ",
        group=" Customers // Acme /",
        urls=["MT01.Corp.example:8443", " ", "https://mt02.corp.example/EkranSystem/"],
        username=" CORP\\admin ",
        tls={"mode": "pinned", "pinned_sha256": PIN},
    )
    assert profile.name == "Acme production"
    assert profile.group == "Customers/Acme"
    assert profile.group_parts == ("Customers", "Acme")
    assert profile.urls == (
        "https://mt01.corp.example:8443/EkranSystem",
        "https://mt02.corp.example/EkranSystem",
    )
    assert profile.username == "CORP\\admin"
    assert profile.tls.pinned_sha256 == PIN_DIGITS


def test_profile_is_immutable(make_profile: MakeProfile) -> None:
    profile = make_profile()
    with pytest.raises(ValidationError):
        profile.name = "changed"  # type: ignore[misc]


def test_read_only_profile_does_not_allow_isolation(make_profile: MakeProfile) -> None:
    assert make_profile(read_only=True).allows_isolation is False


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "   "}, "name", "Name is required."),
        ({"name": "x" * 101}, "name", "Name must be at most 100 characters."),
        ({"name": "two\nlines"}, "name", "Name must not contain line breaks"),
        ({"group": "a/" + "b" * 200}, "group", "Folder must be at most 200 characters."),
        ({"urls": []}, "urls", "Add at least one Management Tool URL."),
        ({"urls": "mt01"}, "urls", "Management Tool URLs must be a list."),
        ({"urls": ["ftp://mt01"]}, "urls", "Only https:// (or http://) URLs are supported"),
        ({"urls": ["mt01", "https://MT01/EkranSystem/"]}, "urls", "is listed twice"),
        ({"urls": ["mt01", "mt02:99999"]}, "urls", "URL 2: The port in the URL is not valid"),
        ({"username": ""}, "username", "User name is required."),
        ({"tag": "qa"}, "tag", "Environment tag must be one of 'none', 'production'"),
        ({"poll_interval_s": 0.4}, "poll_interval_s", "between 0.5 s and 1 hour"),
        ({"poll_interval_s": 3600.5}, "poll_interval_s", "between 0.5 s and 1 hour"),
        ({"poll_interval_s": math.nan}, "poll_interval_s", "between 0.5 s and 1 hour"),
        ({"poll_interval_s": "often"}, "poll_interval_s", "Poll interval must be a number."),
        ({"notes": "n" * 4001}, "notes", "Notes must be at most 4000 characters."),
        ({"remember_password": "maybe"}, "remember_password", "must be yes or no"),
        ({"id": "not-a-uuid"}, "id", "The connection id is not valid."),
        ({"tls": {"mode": "pinned"}}, "tls", "needs its SHA-256 fingerprint"),
        ({"tls": {"mode": "pinned", "pinned_sha256": "abc"}}, "tls.pinned_sha256", "64 hex"),
        ({"tls": {"mode": "ca_file", "ca_file": " "}}, "tls", "Choose a CA certificate file"),
        ({"tls": {"mode": "off"}}, "tls.mode", "Certificate trust must be one of"),
        ({"proxy": {"mode": "url"}}, "proxy", "Enter the proxy URL"),
        ({"proxy": {"mode": "url", "url": "proxy:8080"}}, "proxy.url", "must look like http"),
        ({"proxy": {"mode": "url", "url": "http://u:pw@proxy"}}, "proxy.url", "user name or"),
        ({"proxy": {"mode": "url", "url": "socks5://proxy:1080"}}, "proxy.url", "look like http"),
        # Lone surrogates (a JSON "\\ud800", undecodable bytes in an argument) are not text:
        # no file can store them as UTF-8.
        ({"name": "bad\ud800"}, "name", "Name contains characters that are not valid text."),
        ({"group": "\udcff"}, "group", "Folder contains characters that are not valid"),
        ({"username": "u\udfff"}, "username", "User name contains characters that are not"),
        ({"urls": ["mt\ud800"]}, "urls", "The Management Tool URL contains characters"),
        ({"notes": "n\ud800"}, "notes", "Notes contains characters that are not valid text."),
        ({"proxy": {"mode": "url", "url": "http://p\ud800"}}, "proxy.url", "not valid text"),
    ],
)
def test_invalid_values_are_explained(
    make_profile: MakeProfile, overrides: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ProfileValidationError) as caught:
        make_profile(**overrides)
    assert [problem.field for problem in caught.value.problems] == [field]
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_fields_are_named() -> None:
    with pytest.raises(ProfileValidationError) as caught:
        ConnectionProfile(name="Acme")
    assert str(caught.value) == "Add at least one Management Tool URL. User name is required."


def test_every_problem_is_reported(make_profile: MakeProfile) -> None:
    with pytest.raises(ProfileValidationError) as caught:
        make_profile(name="", poll_interval_s=0)
    assert {p.field for p in caught.value.problems} == {"name", "poll_interval_s"}


def test_endpoint_settings_carry_only_the_chosen_trust_and_proxy(
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(
        urls=["mt01", "mt02"],
        username="operator",
        tls={"mode": "ca_file", "ca_file": " C:/certs/ca.pem ", "pinned_sha256": PIN},
        proxy={"mode": "none", "url": "http://proxy.example:3128"},
    )
    settings = profile.endpoint_settings()
    assert settings.urls == ("https://mt01/EkranSystem", "https://mt02/EkranSystem")
    assert settings.username == "operator"
    assert settings.trust.mode is TrustMode.CA_FILE
    assert settings.trust.ca_file == Path("C:/certs/ca.pem")
    assert settings.trust.pinned_sha256 is None
    assert settings.proxy.mode is ProxyMode.NONE
    assert settings.proxy.url is None


def test_endpoint_settings_for_pinned_trust_and_proxy_url(make_profile: MakeProfile) -> None:
    profile = make_profile(
        tls={"mode": "pinned", "pinned_sha256": PIN},
        proxy={"mode": "url", "url": "http://proxy.example:3128"},
    )
    settings = profile.endpoint_settings()
    assert settings.trust.pinned_sha256 == PIN_DIGITS
    assert settings.trust.ca_file is None
    assert settings.proxy.url == "http://proxy.example:3128"


def test_data_round_trip_and_unknown_keys(make_profile: MakeProfile) -> None:
    profile = make_profile(tag="production", notes="Primary site", poll_interval_s=5)
    data = profile.to_data()
    assert ConnectionProfile.from_data(data) == profile
    assert ConnectionProfile.from_data({**data, "added_in_a_later_version": 1}) == profile


@pytest.mark.parametrize("data", [None, [], "profile", {1: "x"}])
def test_from_data_rejects_non_objects(data: Any) -> None:
    with pytest.raises(ProfileValidationError, match="not a connection"):
        ConnectionProfile.from_data(data)


def test_with_changes_validates_and_keeps_the_id(make_profile: MakeProfile) -> None:
    profile = make_profile()
    renamed = profile.with_changes(name=" Renamed ")
    assert (renamed.id, renamed.name) == (profile.id, "Renamed")
    with pytest.raises(ProfileValidationError, match="Poll interval"):
        profile.with_changes(poll_interval_s=0)


def test_every_tag_has_a_distinct_colour_and_label() -> None:
    colours = [tag.colour for tag in EnvironmentTag]
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", colour) for colour in colours)
    assert EnvironmentTag.PRODUCTION.label == "Production"
    assert EnvironmentTag.NONE.label == ""
