from __future__ import annotations

import pytest

from app.api.urls import InvalidUrlError, normalize_base_url, origin


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("mt01", "https://mt01/EkranSystem"),
        ("MT01.corp.local:8443", "https://mt01.corp.local:8443/EkranSystem"),
        (" https://mt01.corp.local/EkranSystem/ ", "https://mt01.corp.local/EkranSystem"),
        ("https://mt01/Custom/Path?x=1#frag", "https://mt01/Custom/Path"),
        ("https://[::1]:8443", "https://[::1]:8443/EkranSystem"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/EkranSystem"),
        ("http://localhost/EkranSystem", "http://localhost/EkranSystem"),
    ],
)
def test_what_a_user_types_becomes_a_base_url(typed: str, expected: str) -> None:
    assert normalize_base_url(typed) == expected


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("mt 01", "spaces"),
        ("ftp://mt01", "Only https://"),
        ("https://admin:pw@mt01", "user name"),
        ("https://mt01:99999", "port"),
        ("https://", "no host"),
        ("http://mt01.corp.local", "unencrypted"),
        ("http://10.0.0.5", "unencrypted"),
    ],
)
def test_unusable_urls_are_refused_with_a_reason(typed: str, reason: str) -> None:
    with pytest.raises(InvalidUrlError, match=reason):
        normalize_base_url(typed)


def test_origin_fills_in_the_default_port() -> None:
    assert origin("https://MT01/EkranSystem") == ("https", "mt01", 443)
    assert origin("http://127.0.0.1/x") == ("http", "127.0.0.1", 80)
