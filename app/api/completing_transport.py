"""Requests that their caller abandons are left to finish, not cancelled half-way.

httpcore (1.0) leaves a new connection's socket open when a cancellation lands while
the connection is being made (its TLS handshake catches ``Exception``, not the
``CancelledError`` of an asyncio cancellation), and the socket is then closed only by
the garbage collector. The monitor and the window cancel requests routinely (closing a
connection, stopping a poll), so ``CompletingTransport`` runs each request of the
transport it wraps in a task of its own: a cancelled caller stops waiting at once, and
the request finishes on its own (within its timeouts), after which its reply is closed.
``aclose()`` waits for such requests, up to ``grace`` seconds, before closing the pool.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

log = logging.getLogger(__name__)

DEFAULT_GRACE_S = 3.0


class CompletingTransport(httpx.AsyncBaseTransport):
    """Wraps ``transport`` (httpx's ``AsyncHTTPTransport``) so that no request is cancelled
    while it is being sent; replies are returned unchanged."""

    def __init__(self, transport: httpx.AsyncBaseTransport, *, grace: float = DEFAULT_GRACE_S):
        self._transport = transport
        self._grace = grace
        self._pending: set[asyncio.Task[object]] = set()

    @property
    def transport(self) -> httpx.AsyncBaseTransport:
        """The transport every request goes through."""
        return self._transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        task: asyncio.Task[httpx.Response] = asyncio.ensure_future(
            self._transport.handle_async_request(request)
        )
        self._track(task)
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            task.add_done_callback(self._close_abandoned)
            raise

    async def aclose(self) -> None:
        if self._pending:
            _done, pending = await asyncio.wait(set(self._pending), timeout=self._grace)
            for task in pending:
                log.debug("An abandoned request did not finish in %.0f s", self._grace)
                task.cancel()
            await asyncio.gather(*self._pending, return_exceptions=True)
        await self._transport.aclose()

    def _track(self, task: asyncio.Task[object]) -> None:
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    def _close_abandoned(self, task: asyncio.Task[httpx.Response]) -> None:
        """Close the reply nobody waits for (it gives its connection back to the pool)."""
        if task.cancelled() or task.exception() is not None:
            return
        self._track(asyncio.ensure_future(task.result().aclose()))
