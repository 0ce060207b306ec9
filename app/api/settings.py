"""How to reach one cluster: its Management Tool URLs, user, TLS trust and proxy.

These are plain values, independent of where they are stored; ``app.connections``
builds them from a saved connection and ``app.api.client`` consumes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class TrustMode(StrEnum):
    """Which certificates a connection accepts."""

    SYSTEM = "system"  # the operating system's trust store (truststore)
    CA_FILE = "ca_file"  # a CA certificate file chosen by the user
    PINNED = "pinned"  # one certificate the user inspected and trusted, by SHA-256


class ProxyMode(StrEnum):
    SYSTEM = "system"  # Windows proxy settings, elsewhere the usual environment variables
    NONE = "none"
    URL = "url"


@dataclass(frozen=True)
class TlsTrust:
    """TLS trust for one connection; verification is never switched off.

    ``pinned_sha256`` is 64 lowercase hex digits without separators.
    """

    mode: TrustMode = TrustMode.SYSTEM
    ca_file: Path | None = None
    pinned_sha256: str | None = None


@dataclass(frozen=True)
class ProxySetting:
    mode: ProxyMode = ProxyMode.SYSTEM
    url: str | None = None


class FailoverRule(StrEnum):
    """When a call moves on to the next Management Tool URL.

    Both rules move on when an endpoint cannot be reached (refused, DNS, timeout, lost
    connection). ``ENDPOINT_DOWN`` (the window's monitor, the default) moves on after a
    5xx only when the endpoint's own health check fails too: a 5xx about the request
    itself would fail on every endpoint, and a monitor retries soon anyway.
    ``ANY_FAILURE`` (one-shot commands of the command line) also moves on after any 5xx,
    a reply that stops coming (a stalled body) and a refused cross-origin redirect,
    since a script gets one chance. TLS errors never move on under either rule.
    """

    ENDPOINT_DOWN = "endpoint_down"
    ANY_FAILURE = "any_failure"


@dataclass(frozen=True)
class EndpointSettings:
    """Everything the client needs except the password.

    ``urls`` are normalized base URLs (see ``app.api.urls.normalize_base_url``) of
    Management Tools of the same cluster, tried in order; ``failover`` says when a call
    moves on to the next one.
    """

    urls: tuple[str, ...]
    username: str
    trust: TlsTrust = field(default_factory=TlsTrust)
    proxy: ProxySetting = field(default_factory=ProxySetting)
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    failover: FailoverRule = FailoverRule.ENDPOINT_DOWN
