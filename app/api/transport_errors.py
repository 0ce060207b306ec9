"""Turning httpx transport failures into the console's typed errors."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx

from app.api.errors import ConsoleError, ProtocolError, UnreachableError, UnreachableReason
from app.api.tls_errors import classify_ssl_error, find_ssl_error

_CLOSED_MARKERS = ("disconnected", "peer closed", "incomplete", "connection reset", "broken pipe")


def transport_error(exc: httpx.TransportError, url: str) -> ConsoleError:
    """The typed error for a failed exchange with ``url`` (a base or request URL).

    TLS failures while connecting become ``TlsError``; a reply that is not HTTP becomes
    ``ProtocolError``; everything else is an ``UnreachableError`` with its ``reason``.
    """
    host = _host(url)
    detail = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, httpx.ConnectError):
        ssl_error = find_ssl_error(exc)
        if ssl_error is not None:
            return classify_ssl_error(ssl_error, url)
    if isinstance(exc, httpx.ProxyError):
        return UnreachableError(
            f"The proxy did not connect to {host}: check the proxy settings.",
            reason=UnreachableReason.PROXY,
            detail=detail,
            url=url,
        )
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return UnreachableError(
            f"{host} did not accept a connection in time: check the network, VPN or firewall.",
            reason=UnreachableReason.TIMEOUT,
            detail=detail,
            url=url,
        )
    if isinstance(exc, httpx.TimeoutException):
        return UnreachableError(
            f"{host} accepted the connection but did not answer in time.",
            reason=UnreachableReason.TIMEOUT,
            detail=detail,
            url=url,
        )
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, url, host, detail)
    if isinstance(exc, httpx.RemoteProtocolError) and not _looks_closed(exc):
        return ProtocolError(
            f"{host} answered with something that is not valid HTTP.",
            detail=detail,
            url=url,
        )
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return UnreachableError(
            f"The connection to {host} was lost before the reply was complete.",
            reason=UnreachableReason.CONNECTION_LOST,
            detail=detail,
            url=url,
        )
    return UnreachableError(
        f"Cannot talk to {host} ({type(exc).__name__}).",
        reason=UnreachableReason.OTHER,
        detail=detail,
        url=url,
    )


def _connect_error(exc: httpx.ConnectError, url: str, host: str, detail: str) -> ConsoleError:
    if _in_chain(exc, socket.gaierror) or _mentions_dns(str(exc)):
        name = urlsplit(url).hostname or host
        return UnreachableError(
            f"The host name {name} is not known: check the URL, DNS or VPN connection.",
            reason=UnreachableReason.DNS,
            detail=detail,
            url=url,
        )
    if _in_chain(exc, ConnectionRefusedError) or "refused" in str(exc).lower():
        return UnreachableError(
            f"{host} refused the connection: no Management Tool is listening on that "
            "port, or a firewall blocks it.",
            reason=UnreachableReason.REFUSED,
            detail=detail,
            url=url,
        )
    return UnreachableError(
        f"Cannot connect to {host}: check the URL and the network.",
        reason=UnreachableReason.OTHER,
        detail=detail,
        url=url,
    )


def _in_chain(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether ``exc``, its causes or contexts, or the members of an exception group
    among them (anyio reports every failed address of a connection attempt in one),
    include a ``kind``."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return False


def _mentions_dns(text: str) -> bool:
    lowered = text.lower()
    return any(
        marker in lowered
        for marker in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo failed",
            "no address associated",
            "temporary failure in name resolution",
        )
    )


def _looks_closed(exc: httpx.RemoteProtocolError) -> bool:
    lowered = str(exc).lower()
    return any(marker in lowered for marker in _CLOSED_MARKERS)


def _host(url: str) -> str:
    return urlsplit(url).netloc or url
