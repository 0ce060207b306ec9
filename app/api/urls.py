"""Rules for the Management Tool base URL a user types."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PATH = "/EkranSystem"


class InvalidUrlError(ValueError):
    """The text is not a usable Management Tool URL; ``str()`` is a one-line explanation."""


def normalize_base_url(text: str) -> str:
    """Return the canonical base URL for what a user typed.

    A bare host or ``host:port`` gets ``https://`` and ``/EkranSystem``; a trailing
    slash, query and fragment are dropped; the host is lower-cased. Only ``https`` is
    accepted, and ``http`` for a loopback host (a password must never cross a network
    unencrypted).

    >>> normalize_base_url("MT01.corp.local:8443")
    'https://mt01.corp.local:8443/EkranSystem'
    """
    raw = text.strip()
    if not raw:
        raise InvalidUrlError("The Management Tool URL is empty.")
    if len(raw.split()) > 1:  # stripped, so any whitespace left is inside
        raise InvalidUrlError("The Management Tool URL must not contain spaces.")
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise InvalidUrlError(f"Only https:// (or http://) URLs are supported, not {scheme}://.")
    if parts.username or parts.password:
        raise InvalidUrlError("Put the user name in the connection, not in the URL.")
    try:
        host = parts.hostname
        port = parts.port
    except ValueError as exc:
        raise InvalidUrlError(f"The port in the URL is not valid ({exc}).") from None
    if not host:
        raise InvalidUrlError("The Management Tool URL has no host name.")
    if scheme == "http" and not _is_loopback(host):
        raise InvalidUrlError(
            "Plain http:// would send the password unencrypted: use https:// "
            "(http:// is accepted only for this computer, e.g. http://127.0.0.1)."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/") or DEFAULT_PATH
    return urlunsplit((scheme, netloc, path, "", ""))


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def origin(url: str) -> tuple[str, str, int]:
    """The (scheme, host, port) origin of an absolute URL, with the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    return scheme, (parts.hostname or "").lower(), port
