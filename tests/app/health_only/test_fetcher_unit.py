"""HealthFetcher's translation layer around httpcore: errors, media type, proxy (no network).

The exchanges themselves (TLS modes, timeouts, the retry, refusals, proxies, lanes) are
tested against real servers in test_fetcher_live.py.
"""

from __future__ import annotations

import base64

import httpcore
import httpx
import pytest

from app.api.errors import UnreachableError, UnreachableReason
from app.api.transport_errors import transport_error
from app.api.urls import InvalidUrlError
from app.health_only.fetcher import _as_httpx, _core_request, _media_type, _proxy

CORE_TO_HTTPX = [
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
]


@pytest.mark.parametrize(("core", "expected"), CORE_TO_HTTPX, ids=lambda kind: kind.__name__)
def test_each_httpcore_error_becomes_httpxs_of_the_same_name_with_its_cause(
    core: type[Exception], expected: type[httpx.TransportError]
) -> None:
    original = core("what happened")
    mapped = _as_httpx(original)
    assert type(mapped) is expected
    assert str(mapped) == "what happened"
    assert mapped.__cause__ is original


def test_the_socket_error_behind_a_connect_error_still_classifies_it() -> None:
    """httpcore raises ConnectError from the OSError; the mapped error keeps that chain,
    so ``transport_error`` still finds the refusal in it."""
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
    except httpcore.ConnectError as core:
        error = transport_error(_as_httpx(core), "https://as-01.test/MyMonitoringSystem")
    assert isinstance(error, UnreachableError)
    assert error.reason is UnreachableReason.REFUSED


@pytest.mark.parametrize(
    ("headers", "media"),
    [
        ([(b"Content-Type", b"application/json; charset=utf-8")], "application/json"),
        ([(b"content-type", b" Text/HTML ")], "text/html"),
        ([(b"Server", b"Microsoft-IIS/10.0")], ""),
        ([], ""),
    ],
)
def test_the_media_type_is_read_as_the_rest_of_the_console_reads_it(
    headers: list[tuple[bytes, bytes]], media: str
) -> None:
    assert _media_type(headers) == media


def test_the_request_is_httpxs_own_with_its_host_header_and_the_timeouts() -> None:
    request = httpx.Request(
        "GET", "https://As-01.Test:8443/My System/healthcheck?debug=True", headers={"Accept": "*/*"}
    )
    core = _core_request(request, 2.5)
    assert (core.method, core.url.scheme, core.url.host, core.url.port) == (
        b"GET",
        b"https",
        b"as-01.test",
        8443,
    )
    assert core.url.target == b"/My%20System/healthcheck?debug=True"
    assert core.headers == [(b"Host", b"as-01.test:8443"), (b"Accept", b"*/*")]
    assert core.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 2.5)


def test_a_proxy_url_with_credentials_sends_them_as_basic_authorization() -> None:
    proxy = _proxy("http://alice:s3cret@proxy.test:3128")
    assert (proxy.url.scheme, proxy.url.host, proxy.url.port) == (b"http", b"proxy.test", 3128)
    token = base64.b64encode(b"alice:s3cret")
    assert (b"Proxy-Authorization", b"Basic " + token) in proxy.headers


def test_an_unusable_proxy_url_is_an_invalid_url_error() -> None:
    with pytest.raises(InvalidUrlError, match="proxy URL"):
        _proxy("ftp://proxy.test:21")
