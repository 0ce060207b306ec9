"""The download's blocking path against a real TLS server that misbehaves in ways the
simulator does not: it goes silent in the middle of the archive, or it presents a
certificate other than the pinned one."""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trustme

from app.api.certificates import sha256_fingerprint
from app.api.client import ManagementClient
from app.api.errors import TlsError, TlsErrorKind
from app.api.exchange import Exchanger
from app.api.settings import EndpointSettings, ProxyMode, ProxySetting, TlsTrust, TrustMode
from app.downloads import DownloadCancelledError, DownloadProgress, LogDownload, find_resumable
from tests.app.api.test_network import tcp_server

SENT_BEFORE_SILENCE = 512 * 1024
ANNOUNCED = 64 * 1024 * 1024
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def management_tool(cert: trustme.LeafCert, logs: Handler) -> AsyncIterator[str]:
    """A Management Tool over TLS on loopback presenting ``cert``: a token for any login,
    ``logs`` for everything else; yields its base URL."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if b"/auth/token" not in head.split(b"\r\n", 1)[0]:
                await logs(reader, writer)
                return
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            body = json.dumps(
                {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}
            ).encode()
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()

    async with tcp_server(serve, context) as base:
        yield f"{base}/EkranSystem"


def settings(url: str, trust: TlsTrust, *, read_timeout: float = 20.0) -> EndpointSettings:
    return EndpointSettings(
        urls=(url,),
        username="admin",
        trust=trust,
        proxy=ProxySetting(mode=ProxyMode.NONE),
        read_timeout=read_timeout,
    )


def ca_trust(ca: trustme.CA, folder: Path) -> TlsTrust:
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file)


async def password() -> str:
    return "pw"


def download_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(("http-worker", "part-writer"))]


async def until(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    """Wait for ``condition`` (a liveness bound, far below the read timeout in use)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():
        assert loop.time() < deadline, "the condition did not come true"
        await asyncio.sleep(0.02)


@pytest.mark.skipif(
    sys.platform == "win32",
    reason="whether shutting a socket down wakes a read waiting on it in another thread is "
    "not established for Windows sockets; there the read timeout ends the thread",
)
async def test_cancelling_while_the_server_is_silent_ends_the_reading_thread(
    tmp_path: Path,
) -> None:
    silent = asyncio.Event()

    async def half_then_silence(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b'HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nETag: "a1"\r\n'
            b"Content-Length: %d\r\n\r\n" % ANNOUNCED
        )
        writer.write(b"z" * SENT_BEFORE_SILENCE)
        await writer.drain()
        silent.set()
        await reader.read()  # until the client goes away; nothing more is sent

    ca = trustme.CA()
    reports: list[DownloadProgress] = []
    folder = tmp_path / "downloads"
    folder.mkdir()
    async with management_tool(ca.issue_cert("127.0.0.1"), half_then_silence) as url:
        trust = ca_trust(ca, tmp_path)
        # A read timeout far beyond the test's patience: only the interrupt can end the read.
        async with ManagementClient(settings(url, trust, read_timeout=600.0), password) as client:
            job = LogDownload(
                client,
                "as-01",
                folder,
                fallback_name="as-01.zip",
                on_progress=reports.append,
                report_interval=0.0,
            )
            running = asyncio.create_task(job.run())
            await asyncio.wait(
                {running, asyncio.create_task(silent.wait())},
                return_when=asyncio.FIRST_COMPLETED,
            )
            assert not running.done(), running.exception()
            await until(lambda: bool(reports) and reports[-1].bytes_done >= SENT_BEFORE_SILENCE)
            job.cancel()
            with pytest.raises(DownloadCancelledError):
                await running
            await until(lambda: not download_threads())
    (resumable,) = find_resumable(folder)
    assert resumable.bytes_done == SENT_BEFORE_SILENCE  # every byte received is kept
    assert resumable.state.total_size == ANNOUNCED


def fingerprint(cert: trustme.LeafCert) -> str:
    pem = cert.cert_chain_pems[0].bytes().decode("ascii")
    return sha256_fingerprint(ssl.PEM_cert_to_DER_cert(pem))


async def test_the_blocking_path_accepts_only_the_pinned_certificate(tmp_path: Path) -> None:
    async def logs(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        served.append(b"logs")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/zip\r\nContent-Length: 2\r\n\r\nPK"
        )
        await writer.drain()
        await reader.read()

    served: list[bytes] = []
    cert, other = trustme.CA().issue_cert("127.0.0.1"), trustme.CA().issue_cert("127.0.0.1")
    async with management_tool(cert, logs) as url:
        for pin, accepted in ((fingerprint(other), False), (fingerprint(cert), True)):
            trust = TlsTrust(mode=TrustMode.PINNED, pinned_sha256=pin)
            exchanger = Exchanger(settings(url, trust), transport=None, user_agent="test")
            try:
                if accepted:
                    reply = await exchanger.send("GET", url + "/logs", bulk=True)
                    assert await reply.aread() == b"PK"
                    await reply.aclose()
                else:
                    with pytest.raises(TlsError) as caught:
                        await exchanger.send("GET", url + "/logs", bulk=True)
                    assert caught.value.kind is TlsErrorKind.PIN_MISMATCH
                    assert served == []  # refused in the handshake: no request was sent
            finally:
                await exchanger.aclose()
    assert served == [b"logs"]
    await until(lambda: not download_threads())
