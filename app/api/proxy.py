"""How HTTPS requests reach the Management Tools: directly, through a proxy, or as the OS says.

``client_arguments`` turns a ``ProxySetting`` into keyword arguments for
``httpx.AsyncClient``. Only ``_windows_system_proxies`` knows about Windows.
"""

from __future__ import annotations

import os
import ssl
import urllib.request
from collections.abc import Callable, Iterable
from typing import TypedDict

import httpx

from app.api.settings import ProxyMode, ProxySetting
from app.api.urls import InvalidUrlError


class ClientArguments(TypedDict, total=False):
    """The ``httpx.AsyncClient`` keyword arguments that decide transport and proxy."""

    verify: ssl.SSLContext
    trust_env: bool
    proxy: str
    mounts: dict[str, httpx.AsyncBaseTransport | None]


SystemProxies = Callable[[Iterable[str]], tuple[dict[str, str], set[str]]]


def client_arguments(
    setting: ProxySetting,
    ssl_context: ssl.SSLContext,
    hosts: Iterable[str] = (),
    *,
    system_proxies: SystemProxies | None = None,
) -> ClientArguments:
    """Keyword arguments for ``httpx.AsyncClient`` that apply ``setting``.

    ``hosts`` are the Management Tool host names the client will contact; on Windows
    the system bypass list is evaluated for them. ``system_proxies`` replaces the
    Windows lookup (for tests); when it is None, SYSTEM means the Windows Internet
    settings on Windows and the usual ``*_PROXY`` environment variables elsewhere.
    Raises ``InvalidUrlError`` for a URL proxy without a usable URL.
    """
    if setting.mode is ProxyMode.NONE:
        return {"verify": ssl_context, "trust_env": False}
    if setting.mode is ProxyMode.URL:
        return {"verify": ssl_context, "trust_env": False, "proxy": _proxy_url(setting.url)}
    if system_proxies is None:
        if os.name != "nt":
            return {"verify": ssl_context, "trust_env": True}
        system_proxies = _windows_system_proxies
    proxies, bypassed = system_proxies(hosts)
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {
        f"{scheme}://": httpx.AsyncHTTPTransport(proxy=url, verify=ssl_context)
        for scheme, url in proxies.items()
        if scheme in ("http", "https")
    }
    mounts.update({f"all://{host}": None for host in bypassed})
    return {"verify": ssl_context, "trust_env": False, "mounts": mounts}


def _proxy_url(url: str | None) -> str:
    text = (url or "").strip()
    if not text:
        raise InvalidUrlError("The proxy URL is empty.")
    if "://" not in text:
        text = "http://" + text
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL:
        raise InvalidUrlError("The proxy URL is not valid.") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise InvalidUrlError("A proxy URL looks like http://proxy.corp.local:8080.")
    return text


def _windows_system_proxies(hosts: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """Proxies from the Windows Internet settings (registry) and which hosts bypass them."""
    proxies = urllib.request.getproxies()  # reads the registry on Windows
    bypassed = {host for host in hosts if urllib.request.proxy_bypass(host)}
    return proxies, bypassed
