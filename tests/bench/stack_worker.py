"""Worker: the bare HTTP stacks under a download, with or without writing the body.

Locates a throughput gap. ``httpx`` is the stack ``ManagementClient`` uses (httpx's
``AsyncClient`` over the console's asyncio network backend and TLS context);
``logstream`` is that client read as ``LogStream`` reads a log archive (the body in
blocks straight from the connection); ``httpx-anyio`` is httpx with httpcore's default
anyio backend, for comparison;
``aiohttp`` reads through asyncio's own TLS transport; ``httpx-blocking`` is httpx's
blocking ``Client`` (the stock ``HTTPTransport`` with the console's TLS context) read on a
thread, as the download's worker thread reads, with ``write`` ``none``, ``receiver`` (a
``PartFile`` written by the receiving thread) or ``behind`` (the same file written by
``WriteBehind``'s thread, as ``LogDownload`` does). The body is discarded (``write`` ``none``),
written to a file on the event loop (``inline``), or written through the core's
``PartFile`` on a thread of ``asyncio.to_thread`` (``thread``), always in chunks of
``CHUNK_SIZE`` as ``LogStream.aiter_bytes`` hands them out. (A ``LogDownload`` does not
hand its chunks through the event loop at all: ``LogStream.save_into`` writes them on
the receiving thread.)

Configuration (stdin): ``stack`` (``httpx``, ``logstream``, ``httpx-anyio``, ``aiohttp`` or
``httpx-blocking``),
``write``, ``url``,
``ca_file``, ``token`` and ``folder``. Figures (stdout): ``bytes``, ``seconds``,
``reads`` (body pieces the stack handed over) and ``cpu_seconds`` (the process, all
threads, from the request to the end, connection and client set-up included).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, BinaryIO

import aiohttp
import httpx

from app.api.logstream import DEFAULT_CHUNK_SIZE, LogStream
from app.api.proxy import client_arguments
from app.api.settings import ProxyMode, ProxySetting, TlsTrust, TrustMode
from app.api.tls import build_ssl_context
from app.downloads.write_behind import WriteBehind
from app.downloads.writer import PartFile
from tests.bench.harness import emit_result, read_config
from tests.bench.measure import cpu_seconds

CHUNK_SIZE = DEFAULT_CHUNK_SIZE
Chunk = bytes | memoryview
Write = Callable[[Chunk], Awaitable[None]]


async def httpx_body(url: str, ca_file: Path, token: str) -> AsyncIterator[bytes]:
    context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
    arguments = client_arguments(ProxySetting(mode=ProxyMode.NONE), context)
    async for piece in httpx_pieces(httpx.AsyncClient(timeout=60.0, **arguments), url, token):
        yield piece


async def logstream_body(url: str, ca_file: Path, token: str) -> AsyncIterator[Chunk]:
    context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
    arguments = client_arguments(ProxySetting(mode=ProxyMode.NONE), context)
    async with (
        httpx.AsyncClient(timeout=60.0, **arguments) as client,
        client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        response.raise_for_status()
        async for piece in LogStream(response, requested_offset=0, url=url).aiter_bytes():
            yield piece


async def httpx_anyio_body(url: str, ca_file: Path, token: str) -> AsyncIterator[bytes]:
    context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
    client = httpx.AsyncClient(verify=context, trust_env=False, timeout=60.0)
    async for piece in httpx_pieces(client, url, token):
        yield piece


async def httpx_pieces(client: httpx.AsyncClient, url: str, token: str) -> AsyncIterator[bytes]:
    async with (
        client,
        client.stream("GET", url, headers={"Authorization": f"Bearer {token}"}) as response,
    ):
        response.raise_for_status()
        async for piece in response.aiter_raw():
            yield piece


async def aiohttp_body(url: str, ca_file: Path, token: str) -> AsyncIterator[bytes]:
    context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=ca_file))
    async with (
        aiohttp.ClientSession(trust_env=False) as session,
        session.get(
            url, headers={"Authorization": f"Bearer {token}"}, ssl=context, auto_decompress=False
        ) as response,
    ):
        response.raise_for_status()
        async for piece in response.content.iter_chunked(CHUNK_SIZE):
            yield piece


async def receive(body: AsyncIterator[Chunk], write: Write) -> tuple[int, int]:
    """Gather ``body`` into chunks of ``CHUNK_SIZE`` and hand each to ``write``."""
    received = reads = 0
    buffer = bytearray()
    async for piece in body:
        received += len(piece)
        reads += 1
        if not buffer and isinstance(piece, memoryview):
            await write(piece)  # a LogStream block: handed on as LogDownload does
            continue
        buffer += piece
        if len(buffer) >= CHUNK_SIZE:
            await write(bytes(buffer))
            buffer.clear()
    if buffer:
        await write(bytes(buffer))
    return received, reads


def blocking(config: dict[str, Any]) -> dict[str, Any]:
    """The body through httpx's blocking client on this thread, each piece as httpx
    hands it over (64 KiB at most), discarded or written as ``config["write"]`` says."""
    context = build_ssl_context(TlsTrust(mode=TrustMode.CA_FILE, ca_file=Path(config["ca_file"])))
    target = Path(config["folder"]) / "body.bin"
    received = reads = 0
    started = time.perf_counter()
    sink: PartFile | WriteBehind | None = None
    if config["write"] != "none":
        part = PartFile.open(target, 0)
        sink = WriteBehind(part) if config["write"] == "behind" else part
    with (
        httpx.Client(transport=httpx.HTTPTransport(verify=context), timeout=60.0) as client,
        client.stream(
            "GET", config["url"], headers={"Authorization": f"Bearer {config['token']}"}
        ) as response,
    ):
        response.raise_for_status()
        for piece in response.iter_raw():
            received += len(piece)
            reads += 1
            if sink is not None:
                sink.write(piece)
    if sink is not None:
        sink.close()
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return {"bytes": received, "seconds": seconds, "reads": reads}


async def measure(config: dict[str, Any]) -> dict[str, Any]:
    """Receive the body at ``config["url"]`` as configured; return the figures."""
    if config["stack"] == "httpx-blocking":
        return await asyncio.to_thread(blocking, config)
    open_body = {
        "httpx": httpx_body,
        "logstream": logstream_body,
        "httpx-anyio": httpx_anyio_body,
        "aiohttp": aiohttp_body,
    }[config["stack"]]
    body = open_body(config["url"], Path(config["ca_file"]), config["token"])
    target = Path(config["folder"]) / "body.bin"
    started = time.perf_counter()
    if config["write"] == "thread":
        part = PartFile.open(target, 0)

        async def write(chunk: Chunk) -> None:
            await asyncio.to_thread(part.write, chunk)

        try:
            received, reads = await receive(body, write)
        finally:
            part.close()
    elif config["write"] == "inline":
        with target.open("wb") as file:
            received, reads = await receive(body, inline_writer(file))
    else:
        received, reads = await receive(body, discard)
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return {"bytes": received, "seconds": seconds, "reads": reads}


async def discard(chunk: Chunk) -> None:
    del chunk


def inline_writer(file: BinaryIO) -> Write:
    async def write(chunk: Chunk) -> None:
        file.write(chunk)

    return write


def main() -> None:
    cpu_started = cpu_seconds()
    result = asyncio.run(measure(read_config()))
    emit_result(result | {"cpu_seconds": cpu_seconds() - cpu_started})


if __name__ == "__main__":
    main()
