"""Failures a real simulator cannot produce: DNS, framing errors, odd bodies, secrets in logs."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from app.api.client import USER_AGENT, ManagementClient
from app.api.errors import (
    AuthenticationError,
    NotFoundError,
    ProtocolError,
    UnreachableError,
    UnreachableReason,
)
from app.api.models import HealthStatus, ServerStatus
from app.api.settings import EndpointSettings, ProxyMode, ProxySetting
from tests.app.api.fake_tool import (
    BASE,
    TOKEN,
    FakeTool,
    cluster_reply,
    server_json,
    token_reply,
)
from tests.app.api.test_client_failover import closed_port_url

PASSWORD = "hunter2-Secret!"


def settings(*urls: str) -> EndpointSettings:
    return EndpointSettings(
        urls=urls or (BASE,),
        username="admin",
        proxy=ProxySetting(mode=ProxyMode.NONE),
        connect_timeout=2.0,
        read_timeout=2.0,
    )


async def password() -> str:
    return PASSWORD


def raising(exc: Exception) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handle)


# -- transport failures --------------------------------------------------------------------
async def test_dns_failure_is_explained() -> None:
    error = httpx.ConnectError("[Errno -2] Name or service not known")
    error.__cause__ = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    async with ManagementClient(settings(), password, transport=raising(error)) as client:
        with pytest.raises(UnreachableError) as caught:
            await client.health()
    assert caught.value.reason is UnreachableReason.DNS
    assert caught.value.message.startswith("The host name mt01.corp.local is not known")


async def test_connect_timeout() -> None:
    transport = raising(httpx.ConnectTimeout("timed out"))
    async with ManagementClient(settings(), password, transport=transport) as client:
        with pytest.raises(UnreachableError) as caught:
            await client.cluster()
    assert caught.value.reason is UnreachableReason.TIMEOUT
    assert "did not accept a connection in time" in caught.value.message


async def test_connection_refused_on_a_real_port() -> None:
    async with ManagementClient(settings(closed_port_url()), password) as client:
        with pytest.raises(UnreachableError) as caught:
            await client.health()
    assert caught.value.reason is UnreachableReason.REFUSED
    assert "refused the connection" in caught.value.message


# -- byte-exact replies from a raw socket --------------------------------------------------
Responder = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(reply: bytes) -> AsyncIterator[str]:
    """A plain-HTTP loopback server that answers any request with exactly ``reply``."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(reply)
            await writer.drain()
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/EkranSystem"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_reply_that_is_not_http() -> None:
    garbage = b"SSH-2.0-OpenSSH_9.6\r\n\r\n"
    async with raw_server(garbage) as url, ManagementClient(settings(url), password) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.health()
    assert "not valid HTTP" in caught.value.message


async def test_a_reply_cut_short() -> None:
    reply = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
        b'{"status": "Healthy", "entr'
    )
    async with raw_server(reply) as url, ManagementClient(settings(url), password) as client:
        with pytest.raises(UnreachableError) as caught:
            await client.health()
    assert caught.value.reason is UnreachableReason.CONNECTION_LOST


# -- health bodies -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("response", "ok", "status"),
    [
        (httpx.Response(200), True, HealthStatus.HEALTHY),
        (httpx.Response(200, text="Degraded"), True, HealthStatus.DEGRADED),
        (httpx.Response(200, text="<html>ok</html>", headers={"Content-Type": "text/html"}),
         True, HealthStatus.HEALTHY),
        (httpx.Response(200, json={"status": "Brand-new"}), True, HealthStatus.UNKNOWN),
        (httpx.Response(200, content=b"{not json", headers={"Content-Type": "application/json"}),
         True, HealthStatus.HEALTHY),
        (httpx.Response(502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/x"}),
         False, HealthStatus.UNHEALTHY),
        (httpx.Response(503, json={"status": "Unhealthy", "entries": {
            "database": {"status": "Unhealthy", "description": "down", "extra": 1}}}),
         False, HealthStatus.UNHEALTHY),
    ],
)  # fmt: skip
async def test_health_relies_on_the_status_code(
    response: httpx.Response, ok: bool, status: HealthStatus
) -> None:
    tool = FakeTool({"/healthcheck": lambda _r: response})
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        report = await client.health()
    assert report.ok is ok
    assert report.status is status
    assert report.http_status == response.status_code


async def test_health_404_means_no_management_tool_there() -> None:
    async with ManagementClient(settings(), password, transport=FakeTool().transport()) as client:
        with pytest.raises(NotFoundError):
            await client.health()


# -- JSON replies --------------------------------------------------------------------------
async def test_unknown_status_and_fields_in_a_snapshot() -> None:
    reply = cluster_reply(
        server_json(status="hibernating", rack="B7"), server_json(id="as-02", status="online")
    )
    tool = FakeTool({"/api/v1/cluster": lambda _r: reply})
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        snapshot = await client.cluster()
    assert [s.status for s in snapshot.servers] == [ServerStatus.UNKNOWN, ServerStatus.ONLINE]


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>Sign in to the proxy</html>",
                       headers={"Content-Type": "text/html"}),
        httpx.Response(200, json={"cluster": {"name": "x"}}),
        httpx.Response(200, json=[1, 2, 3]),
        httpx.Response(204),
    ],
)  # fmt: skip
async def test_replies_not_in_the_contract_are_protocol_errors(response: httpx.Response) -> None:
    tool = FakeTool({"/api/v1/cluster": lambda _r: response})
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        with pytest.raises(ProtocolError):
            await client.cluster()


async def test_a_post_redirect_is_not_repeated() -> None:
    moved = httpx.Response(302, headers={"Location": BASE + "/api/v2/isolation"})
    tool = FakeTool({"/api/v1/cluster/servers/as-01/isolation": lambda _r: moved})
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        with pytest.raises(ProtocolError):
            await client.set_isolation("as-01", isolated=True)
    assert [p for _, p, _ in tool.seen if "v2" in p] == []


async def test_non_bearer_tokens_are_refused() -> None:
    tool = FakeTool(token=lambda _r: token_reply(token_type="MAC"))
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.login()
    assert TOKEN not in caught.value.message


async def test_a_malformed_token_reply_never_shows_the_token() -> None:
    body = b'{"access_token": "' + TOKEN.encode() + b'", "expires_in": "never"'
    tool = FakeTool(token=lambda _r: httpx.Response(200, content=body,
                    headers={"Content-Type": "application/json"}))  # fmt: skip
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        with pytest.raises(ProtocolError) as caught:
            await client.login()
    error = caught.value
    assert error.excerpt is None
    for text in (str(error), repr(error), error.detail):
        assert TOKEN not in text


# -- sessions ------------------------------------------------------------------------------
async def test_concurrent_401s_lead_to_one_new_login() -> None:
    tokens = iter(["t1", "t2", "t3"])

    def cluster(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer t1":
            return httpx.Response(401, json={"status": 401})
        return cluster_reply()

    tool = FakeTool({"/api/v1/cluster": cluster}, token=lambda _r: token_reply(next(tokens)))
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        await client.login()
        results = await asyncio.gather(*(client.cluster() for _ in range(5)))
    assert all(r.servers for r in results)
    assert len(tool.login_bodies) == 2


async def test_the_password_is_sent_only_in_the_login_body() -> None:
    tool = FakeTool({"/api/v1/cluster": lambda _r: cluster_reply()})
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        await client.cluster()
    assert tool.login_bodies == [{"username": "admin", "password": PASSWORD}]
    assert tool.seen == [
        ("POST", "/api/v1/auth/token", False),
        ("GET", "/api/v1/cluster", True),
    ]


async def test_user_agent_names_the_console() -> None:
    agents: list[str] = []

    def health(request: httpx.Request) -> httpx.Response:
        agents.append(request.headers["user-agent"])
        return httpx.Response(200)

    tool = FakeTool({"/healthcheck": health})
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        await client.health()
    assert agents == [USER_AGENT]
    assert USER_AGENT.startswith("EkranClusterConsole/")


async def test_no_secret_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    def cluster(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"status": 401, "detail": "expired"})

    tool = FakeTool(
        {"/api/v1/cluster": cluster},
        token=lambda _r: token_reply() if len(tool.login_bodies) == 1 else httpx.Response(401),
    )
    caplog.set_level(logging.DEBUG)
    async with ManagementClient(settings(), password, transport=tool.transport()) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.cluster()
        texts = [str(caught.value), repr(caught.value), caught.value.detail, repr(client)]
    texts.extend(record.getMessage() for record in caplog.records)
    assert caplog.records, "the exchange was logged"
    for text in texts:
        assert PASSWORD not in text
        assert TOKEN not in text


async def test_a_closed_client_cannot_be_used() -> None:
    client = ManagementClient(settings(), password, transport=FakeTool().transport())
    await client.aclose()
    with pytest.raises(RuntimeError):
        await client.health()


def test_settings_need_a_url() -> None:
    with pytest.raises(ValueError, match="at least one"):
        ManagementClient(EndpointSettings(urls=(), username="admin"), password)
