"""Injected faults at work: the middleware that delays, replaces or cuts answers.

It sits inside the problem middleware and outside the stopped-server check, so faults
act like the network in front of an endpoint and apply even while its server is stopped.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp.typedefs import Handler

from simulator.faults import Fault
from simulator.http_logs import CUT_AFTER, DISPOSITION, LOGS_ROUTE
from simulator.http_problems import problem_response
from simulator.state import ENDPOINT, STATE

OVERSIZED_CHUNK = 64 * 1024
MALFORMED_JSON = b'{"cluster": {"name": "Ekran HA cluster"}, "servers": [{"id": "as-01", "sta'


@web.middleware
async def fault_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Apply the injected faults that match this request (see ``simulator.faults``)."""
    state = request.app[STATE]
    if not state.faults:
        return await handler(request)
    is_download = request.method == "GET" and request.match_info.route.name == LOGS_ROUTE
    faults = state.faults.take(request.app[ENDPOINT], request.path, is_download=is_download)
    delay = sum(f.params["seconds"] for f in faults if f.kind == "latency")
    if delay:
        await asyncio.sleep(delay)
    for fault in faults:
        if fault.kind == "cut_download":
            request[CUT_AFTER] = fault.params["after_bytes"]
        if fault.kind == "content_disposition":
            request[DISPOSITION] = fault.params["value"]
        answer = await _answer(request, fault)
        if answer is not None:
            return answer
    return await handler(request)


async def _answer(request: web.Request, fault: Fault) -> web.StreamResponse | None:
    """The response a fault puts in place of the real one, or ``None`` if it only delays."""
    if fault.kind == "fail":
        status = fault.params["status"]
        retry_after = fault.params["retry_after"]
        headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
        return problem_response(status, "The simulator injected this error.", headers=headers)
    if fault.kind == "malformed_json":
        return web.Response(status=200, body=MALFORMED_JSON, content_type="application/json")
    if fault.kind == "redirect":
        return web.Response(
            status=fault.params["status"], headers={"Location": fault.params["location"]}
        )
    if fault.kind == "body":
        params = fault.params
        return web.Response(
            status=params["status"],
            text=params["text"],
            content_type=params["content_type"],
            charset="utf-8",
        )
    if fault.kind == "oversized_body":
        return await _oversized(request, fault.params["bytes"], chunked=fault.params["chunked"])
    return None


async def _oversized(request: web.Request, size: int, *, chunked: bool) -> web.StreamResponse:
    """Stream ``size`` bytes of (valid, mostly blank) JSON; stop quietly if the client leaves."""
    response = web.StreamResponse(status=200)
    response.content_type = "application/json"
    if chunked:
        response.enable_chunked_encoding()
    else:
        response.content_length = size
    await response.prepare(request)
    head, tail = (b'{"servers":[', b"]}") if size >= 14 else (b"", b"")
    remaining = size - len(head) - len(tail)
    try:
        await response.write(head)
        blank = b" " * OVERSIZED_CHUNK
        while remaining > 0:
            piece = min(remaining, OVERSIZED_CHUNK)
            await response.write(blank[:piece])
            remaining -= piece
        await response.write(tail)
    except ConnectionError:
        pass
    return response
