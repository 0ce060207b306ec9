"""Words and sort keys of the cluster table."""

from __future__ import annotations

import pytest

from ui.cluster.formatting import (
    address_sort_key,
    percent_text,
    relative_time,
    version_sort_key,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-3.0, "just now"),  # a server clock slightly ahead
        (0.4, "just now"),
        (1.0, "1 s ago"),
        (59.9, "59 s ago"),
        (60.0, "1 min ago"),
        (3599.0, "59 min ago"),
        (3600.0, "1 h ago"),
        (86399.0, "23 h ago"),
        (2 * 86400.0, "2 d ago"),
    ],
)
def test_relative_time(seconds: float, text: str) -> None:
    assert relative_time(seconds) == text


@pytest.mark.parametrize(
    ("fraction", "text"), [(0.0, "0%"), (0.004, "<1%"), (0.336, "34%"), (1.0, "100%")]
)
def test_percent_text(fraction: float, text: str) -> None:
    assert percent_text(fraction) == text


def test_addresses_sort_numerically_then_by_host_name() -> None:
    addresses = ["srv-b.corp", "10.0.0.10", "fe80::1", "10.0.0.9", "SRV-A.corp", "9.255.0.1"]
    ordered = sorted(addresses, key=address_sort_key)
    assert ordered == ["9.255.0.1", "10.0.0.9", "10.0.0.10", "fe80::1", "SRV-A.corp", "srv-b.corp"]


def test_versions_sort_numerically() -> None:
    versions = ["9.10.0.1", "9.2.4.1270", "9.2.10.1", None, "9.2.4.999"]
    ordered = sorted(versions, key=version_sort_key)
    assert ordered == [None, "9.2.4.999", "9.2.4.1270", "9.2.10.1", "9.10.0.1"]
