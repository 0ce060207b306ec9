"""How HTTPS requests reach the Management Tools: directly, through a proxy, or as the OS says.

``client_arguments`` turns a ``ProxySetting`` into keyword arguments for
``httpx.AsyncClient``: the transports, with or without a proxy. They are httpx's own
``AsyncHTTPTransport``s, or for bulk transfers ``WorkerThreadTransport``s around httpx's
own synchronous ``HTTPTransport``.
"""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import Callable, Iterable
from typing import TypedDict
from urllib.parse import urlsplit

import httpx

from app.api.completing_transport import CompletingTransport
from app.api.settings import ProxyMode, ProxySetting
from app.api.urls import InvalidUrlError
from app.api.worker_transport import WorkerThreadTransport


class ClientArguments(TypedDict):
    """The ``httpx.AsyncClient`` keyword arguments that decide transport and proxy."""

    transport: httpx.AsyncBaseTransport
    mounts: dict[str, httpx.AsyncBaseTransport | None]
    trust_env: bool


DEFAULT_LIMITS = httpx.Limits()
SystemProxies = Callable[[Iterable[str]], tuple[dict[str, str], set[str]]]


def client_arguments(
    setting: ProxySetting,
    ssl_context: ssl.SSLContext,
    hosts: Iterable[str] = (),
    *,
    limits: httpx.Limits = DEFAULT_LIMITS,
    system_proxies: SystemProxies | None = None,
    worker_thread: bool = False,
) -> ClientArguments:
    """Keyword arguments for ``httpx.AsyncClient`` that apply ``setting``.

    Every transport speaks HTTP/1.1 with ``ssl_context`` and ``limits``: an
    ``httpx.AsyncHTTPTransport`` (in a ``CompletingTransport``, so that a cancelled
    request never leaves a socket open), or with ``worker_thread`` a
    ``WorkerThreadTransport`` (each request on a thread of its own, for large replies).
    ``hosts`` are the Management Tool host names the client will contact; for SYSTEM the
    bypass list is evaluated for them. ``system_proxies`` replaces the system lookup (for
    tests); when it is None, SYSTEM means the usual ``*_PROXY`` environment variables,
    and on Windows without them the Internet settings.
    Raises ``InvalidUrlError`` for a proxy without a usable URL.
    """

    def transport(proxy: str | None = None) -> httpx.AsyncBaseTransport:
        if worker_thread:
            return WorkerThreadTransport(
                httpx.HTTPTransport(
                    verify=ssl_context, limits=limits, http1=True, http2=False, proxy=proxy
                )
            )
        return CompletingTransport(
            httpx.AsyncHTTPTransport(
                verify=ssl_context, limits=limits, http1=True, http2=False, proxy=proxy
            )
        )

    if setting.mode is ProxyMode.NONE:
        return {"transport": transport(), "mounts": {}, "trust_env": False}
    if setting.mode is ProxyMode.URL:
        return {"transport": transport(_proxy_url(setting.url)), "mounts": {}, "trust_env": False}
    proxies, bypassed = (system_proxies or _system_proxies)(hosts)
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {
        f"{scheme}://": transport(_proxy_url(url))
        for scheme in ("http", "https")
        if (url := proxies.get(scheme) or proxies.get("all"))
    }
    mounts.update({f"all://{host}": None for host in bypassed})
    if system_proxies is None:  # no_proxy decides per request: health probes go elsewhere
        mounts.update(dict.fromkeys(no_proxy_patterns()))
    return {"transport": transport(), "mounts": mounts, "trust_env": False}


def proxy_for(
    setting: ProxySetting, url: str, *, system_proxies: SystemProxies | None = None
) -> str | None:
    """The proxy URL that requests to ``url`` go through under ``setting``; None: direct.

    For clients that talk to one host each (the health-only prober's pools), decided as
    ``client_arguments`` decides it: NONE is direct, URL that proxy, SYSTEM the system's
    proxy for the URL's scheme unless the host bypasses it (``no_proxy``, or on Windows
    the Internet settings' bypass list). Raises ``InvalidUrlError`` like ``client_arguments``.
    """
    if setting.mode is ProxyMode.NONE:
        return None
    if setting.mode is ProxyMode.URL:
        return _proxy_url(setting.url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    proxies, bypassed = (system_proxies or _system_proxies)([host])
    if host in bypassed:
        return None
    found = proxies.get(parts.scheme) or proxies.get("all")
    return _proxy_url(found) if found else None


def no_proxy_patterns(value: str | None = None) -> list[str]:
    """httpx mount patterns for the hosts in ``no_proxy`` (default: the environment's).

    ``corp.local`` and ``.corp.local`` cover that domain and every host in it; ``*``
    covers everything; addresses and ``localhost`` cover themselves.
    """
    if value is None:
        value = urllib.request.getproxies_environment().get("no", "")
    patterns: list[str] = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        if entry == "*":
            patterns.append("all://")
        elif "://" in entry:
            patterns.append(entry)
        elif entry.lower() == "localhost" or entry.replace(".", "").isdigit() or ":" in entry:
            patterns.append(f"all://{entry}")
        else:
            domain = entry.lstrip(".")
            patterns += [f"all://{domain}", f"all://*.{domain}"]
    return patterns


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


def _system_proxies(hosts: Iterable[str]) -> tuple[dict[str, str], set[str]]:
    """The system's proxies and which of ``hosts`` bypass them.

    The ``*_proxy`` environment variables and ``no_proxy``; on Windows without them, the
    Internet settings in the registry and their bypass list.
    """
    proxies = urllib.request.getproxies()
    bypassed = {host for host in hosts if urllib.request.proxy_bypass(host)}
    return proxies, bypassed
