"""``GET /api/v1/cluster/servers/{id}/logs``: the log archive, streamed, with resumable ranges."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import BinaryIO

from aiohttp import web

from simulator.byte_ranges import ByteRange, UnsatisfiableRange, parse_range
from simulator.http_auth import require_principal
from simulator.http_cluster import find_server
from simulator.http_problems import Problem
from simulator.logs import LogArchive
from simulator.state import STATE

CHUNK_SIZE = 256 * 1024
LOGS_ROUTE = "logs"

CUT_AFTER = web.RequestKey("cut_download_after_bytes", int)
"""Set by the fault middleware: close the connection after this many body bytes."""

DISPOSITION = web.RequestKey("content_disposition_override", str)
"""Set by the fault middleware: the Content-Disposition to send instead of the real one."""


async def get_logs(request: web.Request) -> web.StreamResponse:
    """200 whole archive, 206 for a satisfiable ``Range``, 416 otherwise, 409 if not running."""
    require_principal(request)
    state = request.app[STATE]
    server = find_server(state.cluster, request.match_info["id"])
    if server.process != "running":
        raise Problem(
            409, f"Application Server {server.name} is {server.status}; it cannot send its logs."
        )
    archive = await state.logs.archive(server)
    wanted = _requested_range(request, archive)
    response = web.StreamResponse(status=200 if wanted is None else 206)
    response.content_type = "application/zip"
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = archive.etag
    response.headers["Content-Disposition"] = request.get(
        DISPOSITION, f'attachment; filename="{archive.filename}"'
    )
    if wanted is None:
        wanted = ByteRange(0, archive.size - 1, archive.size)
    else:
        response.headers["Content-Range"] = wanted.content_range
    response.content_length = wanted.length
    await response.prepare(request)
    cut_after = request.get(CUT_AFTER)
    sent = await _send_file_part(response, archive.path, wanted, limit=cut_after)
    if cut_after is not None and sent < wanted.length and request.transport is not None:
        request.transport.close()
    return response


def _requested_range(request: web.Request, archive: LogArchive) -> ByteRange | None:
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != archive.etag:
        return None
    try:
        return parse_range(request.headers.get("Range"), archive.size)
    except UnsatisfiableRange:
        raise Problem(
            416,
            f"The archive has {archive.size} bytes; the requested range starts beyond it.",
            headers={"Content-Range": f"bytes */{archive.size}"},
        ) from None


async def _send_file_part(
    response: web.StreamResponse, path: Path, part: ByteRange, *, limit: int | None
) -> int:
    """Write ``part`` of the file (at most ``limit`` bytes); return how many bytes were sent."""
    budget = part.length if limit is None else min(limit, part.length)
    loop = asyncio.get_running_loop()
    handle: BinaryIO = await loop.run_in_executor(None, path.open, "rb")
    sent = 0
    try:
        await loop.run_in_executor(None, handle.seek, part.start)
        while sent < budget:
            chunk = await loop.run_in_executor(None, handle.read, min(CHUNK_SIZE, budget - sent))
            if not chunk:
                break
            await response.write(chunk)
            sent += len(chunk)
    finally:
        handle.close()
    return sent
