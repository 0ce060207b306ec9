"""Proxy settings become httpx client arguments."""

from __future__ import annotations

import ssl
from collections.abc import Iterable

import httpcore
import httpx
import pytest

from app.api.completing_transport import CompletingTransport
from app.api.proxy import client_arguments, no_proxy_patterns, proxy_for
from app.api.settings import ProxyMode, ProxySetting
from app.api.urls import InvalidUrlError

CONTEXT = ssl.create_default_context()


def proxy_of(transport: httpx.AsyncBaseTransport | None) -> str | None:
    """The proxy URL a transport's connection pool goes through, or None when direct."""
    assert isinstance(transport, CompletingTransport)
    inner = transport.transport
    assert type(inner) is httpx.AsyncHTTPTransport
    pool = inner._pool
    if isinstance(pool, httpcore.AsyncHTTPProxy):
        url = pool._proxy_url
        port = "" if url.port is None else f":{url.port}"
        return f"{url.scheme.decode()}://{url.host.decode()}{port}"
    assert type(pool) is httpcore.AsyncConnectionPool
    return None


def test_no_proxy_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.corp.local:8080")
    arguments = client_arguments(ProxySetting(mode=ProxyMode.NONE), CONTEXT)
    assert arguments["trust_env"] is False
    assert arguments["mounts"] == {}
    assert proxy_of(arguments["transport"]) is None


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
    assert arguments["trust_env"] is False
    assert proxy_of(arguments["transport"]) == expected
    httpx.AsyncClient(**arguments)  # accepted by httpx as is


@pytest.mark.parametrize("typed", [None, "", "ftp://proxy:21", "http://"])
def test_an_unusable_proxy_url(typed: str | None) -> None:
    with pytest.raises(InvalidUrlError):
        client_arguments(ProxySetting(mode=ProxyMode.URL, url=typed), CONTEXT)


def test_system_proxy_follows_the_environment_and_no_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("https_proxy", "http://proxy.corp.local:8080")
    monkeypatch.setenv("no_proxy", "mt01.corp.local")
    arguments = client_arguments(
        ProxySetting(mode=ProxyMode.SYSTEM), CONTEXT, ["mt01.corp.local", "mt02.example.com"]
    )
    mounts = arguments["mounts"]
    assert set(mounts) == {"https://", "all://mt01.corp.local", "all://*.mt01.corp.local"}
    assert proxy_of(mounts["https://"]) == "http://proxy.corp.local:8080"
    assert mounts["all://mt01.corp.local"] is None
    assert proxy_of(arguments["transport"]) is None
    assert arguments["trust_env"] is False


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
    assert proxy_of(mounts["https://"]) == "http://proxy:8080"
    assert proxy_of(mounts["http://"]) == "http://proxy:8080"


def test_no_proxy_is_decided_per_request_for_every_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Health probes go to each server's own host, not only to the configured URLs."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ALL_PROXY", "http://proxy.corp.local:3128")
    monkeypatch.setenv("no_proxy", ".corp.local, 10.0.0.5")
    arguments = client_arguments(ProxySetting(mode=ProxyMode.SYSTEM), CONTEXT, ["mt01.example.com"])
    client = httpx.AsyncClient(**arguments)
    direct, proxied = arguments["transport"], arguments["mounts"]["https://"]
    assert proxy_of(proxied) == "http://proxy.corp.local:3128"  # ALL_PROXY
    assert client._transport_for_url(httpx.URL("https://as02.corp.local/x")) is direct
    assert client._transport_for_url(httpx.URL("https://corp.local/x")) is direct
    assert client._transport_for_url(httpx.URL("https://10.0.0.5/x")) is direct
    assert client._transport_for_url(httpx.URL("https://mt01.example.com/x")) is proxied


@pytest.mark.parametrize(
    ("value", "patterns"),
    [
        ("", []),
        ("*", ["all://"]),
        ("localhost,127.0.0.1", ["all://localhost", "all://127.0.0.1"]),
        (".corp.local", ["all://corp.local", "all://*.corp.local"]),
        ("corp.local", ["all://corp.local", "all://*.corp.local"]),
    ],
)
def test_no_proxy_patterns(value: str, patterns: list[str]) -> None:
    assert no_proxy_patterns(value) == patterns


def test_proxy_for_one_url_decides_as_the_client_arguments_do() -> None:
    def windows(hosts: Iterable[str]) -> tuple[dict[str, str], set[str]]:
        return {"https": "proxy.corp.local:8080"}, {h for h in hosts if h.endswith(".corp.local")}

    system = ProxySetting(mode=ProxyMode.SYSTEM)
    assert proxy_for(system, "https://mt01.example.com/EkranSystem", system_proxies=windows) == (
        "http://proxy.corp.local:8080"
    )
    assert proxy_for(system, "https://mt02.corp.local/EkranSystem", system_proxies=windows) is None
    assert proxy_for(system, "http://mt03.example.com", system_proxies=windows) is None  # no http
    assert proxy_for(ProxySetting(mode=ProxyMode.NONE), "https://mt01.example.com") is None
    chosen = ProxySetting(mode=ProxyMode.URL, url="http://p:3128")
    assert proxy_for(chosen, "https://mt01.example.com") == "http://p:3128"
    with pytest.raises(InvalidUrlError):
        proxy_for(ProxySetting(mode=ProxyMode.URL, url="ftp://p"), "https://mt01.example.com")
