"""Proxy settings become httpx client arguments."""

from __future__ import annotations

import os
import ssl
from collections.abc import Iterable

import httpx
import pytest

from app.api.proxy import client_arguments
from app.api.settings import ProxyMode, ProxySetting
from app.api.urls import InvalidUrlError

CONTEXT = ssl.create_default_context()


def test_no_proxy_ignores_the_environment() -> None:
    arguments = client_arguments(ProxySetting(mode=ProxyMode.NONE), CONTEXT)
    assert arguments == {"verify": CONTEXT, "trust_env": False}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("http://proxy.corp.local:8080", "http://proxy.corp.local:8080"),
        ("proxy.corp.local:3128", "http://proxy.corp.local:3128"),
        (" https://proxy.corp.local ", "https://proxy.corp.local"),
    ],
)
def test_an_explicit_proxy(typed: str, expected: str) -> None:
    arguments = client_arguments(ProxySetting(mode=ProxyMode.URL, url=typed), CONTEXT)
    assert arguments == {"verify": CONTEXT, "trust_env": False, "proxy": expected}
    httpx.AsyncClient(**arguments)  # accepted by httpx as is


@pytest.mark.parametrize("typed", [None, "", "ftp://proxy:21", "http://"])
def test_an_unusable_proxy_url(typed: str | None) -> None:
    with pytest.raises(InvalidUrlError):
        client_arguments(ProxySetting(mode=ProxyMode.URL, url=typed), CONTEXT)


@pytest.mark.skipif(os.name == "nt", reason="outside Windows the environment decides")
def test_system_proxy_outside_windows_uses_the_environment() -> None:
    arguments = client_arguments(ProxySetting(mode=ProxyMode.SYSTEM), CONTEXT)
    assert arguments == {"verify": CONTEXT, "trust_env": True}


def test_system_proxies_become_mounts_with_bypassed_hosts() -> None:
    asked: list[str] = []

    def windows(hosts: Iterable[str]) -> tuple[dict[str, str], set[str]]:
        asked.extend(hosts)
        return (
            {"http": "http://proxy:8080", "https": "http://proxy:8080", "ftp": "http://p:21"},
            {"mt01.corp.local"},
        )

    arguments = client_arguments(
        ProxySetting(mode=ProxyMode.SYSTEM),
        CONTEXT,
        ["mt01.corp.local", "mt02.example.com"],
        system_proxies=windows,
    )
    assert asked == ["mt01.corp.local", "mt02.example.com"]
    assert arguments["trust_env"] is False
    mounts = arguments["mounts"]
    assert set(mounts) == {"http://", "https://", "all://mt01.corp.local"}
    assert mounts["all://mt01.corp.local"] is None
    assert isinstance(mounts["https://"], httpx.AsyncHTTPTransport)
