"""Which of a snapshot's ``management_url`` values a call may fall back to."""

from __future__ import annotations

from typing import Any, cast

from app.api.dispatch import Dispatcher
from app.api.settings import EndpointSettings

CONFIGURED = ("https://mt01.corp.example/EkranSystem", "https://mt02.corp.example/EkranSystem")


def dispatcher() -> Dispatcher:
    settings = EndpointSettings(urls=CONFIGURED, username="admin")
    # set_cluster_urls touches neither the network nor the session.
    none = cast("Any", None)
    return Dispatcher(settings, none, none, max_json_bytes=1, max_retry_wait=0.0)


def test_other_servers_endpoints_come_after_the_configured_ones() -> None:
    calls = dispatcher()
    calls.set_cluster_urls(
        [
            "https://MT02.corp.example/EkranSystem/",  # configured already
            "https://as03.corp.example:8443/EkranSystem",
            "https://as03.corp.example:8443/EkranSystem",  # twice
            "http://as04.corp.example/EkranSystem",  # never in clear text
            "ftp://as05.corp.example/",
            "not a url",
            "",
        ]
    )
    assert calls._urls == (*CONFIGURED, "https://as03.corp.example:8443/EkranSystem")
    assert calls.active_url == CONFIGURED[0]


def test_the_endpoint_in_use_stays_while_listed_and_is_left_when_gone() -> None:
    calls = dispatcher()
    calls.set_cluster_urls(["https://as03.corp.example/EkranSystem"])
    calls._active_index = 2
    calls.set_cluster_urls(["https://as04.corp.example/EkranSystem", "https://as03.corp.example"])
    assert calls.active_url == "https://as03.corp.example/EkranSystem"
    calls.set_cluster_urls([])
    assert calls.active_url == CONFIGURED[0]
