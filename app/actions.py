"""The maintenance actions on a cluster's servers, with the read-only rule and the audit trail.

The window and the command line both act through ``ClusterActions`` so that every action
is checked and recorded the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from app.api.client import ManagementClient
from app.api.errors import ConsoleError, ProtocolError
from app.api.models import Server, ServerStatus, VersionInfo
from app.audit import AuditAction, AuditLog, AuditResult

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReadOnlyError(ConsoleError):
    """The connection is read-only, so the console refuses to change the cluster."""


class ClusterActions:
    """Isolate, return to service and ask the version of servers of one connection.

    Each call appends one audit record (``ok`` or ``failed`` with the one-line reason).
    Success is reported only when the server's state in the reply says so.
    """

    def __init__(
        self,
        client: ManagementClient,
        *,
        connection_name: str,
        username: str,
        read_only: bool = False,
        audit: AuditLog | None = None,
    ) -> None:
        self._client = client
        self._connection = connection_name
        self._user = username
        self._read_only = read_only
        self._audit = audit
        self._audit_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit")

    @property
    def read_only(self) -> bool:
        return self._read_only

    def close(self) -> None:
        """Let queued audit records finish on the writer thread, then stop it."""
        self._audit_writer.shutdown(wait=False)

    async def isolate(
        self, server_id: str, *, reason: str | None = None, force: bool = False
    ) -> Server:
        """Put the server into Isolation mode; its Clients then drain to other servers."""
        detail = reason or ""

        async def run() -> Server:
            self._refuse_if_read_only()
            server = await self._client.set_isolation(
                server_id, isolated=True, reason=reason, force=force
            )
            if server.isolation is None and server.status is not ServerStatus.ISOLATED:
                raise _unconfirmed(server, "isolated")
            return server

        return await self._record(AuditAction.ISOLATE, server_id, run, detail)

    async def return_to_service(self, server_id: str) -> Server:
        """Take the server out of Isolation mode so that it receives Clients again."""

        async def run() -> Server:
            self._refuse_if_read_only()
            server = await self._client.set_isolation(server_id, isolated=False)
            if server.isolation is not None or server.status is ServerStatus.ISOLATED:
                raise _unconfirmed(server, "returned to service")
            return server

        return await self._record(AuditAction.RETURN, server_id, run)

    async def version(self, server_id: str) -> VersionInfo:
        """Ask the server itself which version it runs."""
        return await self._record(
            AuditAction.VERSION, server_id, lambda: self._client.version(server_id)
        )

    def record(
        self, action: AuditAction, server_id: str, result: AuditResult, detail: str = ""
    ) -> asyncio.Future[None]:
        """Append an audit record (for example for a logs download run elsewhere).

        The file is written on this object's own writer thread, in call order, so the
        event loop never waits on the disk; await the returned future to know it is
        written. A failed write is logged, never raised: the audit file must not stop an
        admin's action.
        """
        loop = asyncio.get_running_loop()
        if self._audit is None:
            done: asyncio.Future[None] = loop.create_future()
            done.set_result(None)
            return done
        audit = self._audit

        def write() -> None:
            try:
                audit.append(
                    connection=self._connection,
                    server=server_id,
                    user=self._user,
                    action=action,
                    result=result,
                    detail=detail,
                )
            except OSError as error:
                log.warning("could not write the audit record: %s", error)

        return loop.run_in_executor(self._audit_writer, write)

    def _refuse_if_read_only(self) -> None:
        if self._read_only:
            raise ReadOnlyError(
                f"The connection {self._connection!r} is read-only: isolation is disabled."
            )

    async def _record(
        self,
        action: AuditAction,
        server_id: str,
        run: Callable[[], Awaitable[T]],
        detail: str = "",
    ) -> T:
        try:
            result = await run()
        except ConsoleError as error:
            await self.record(action, server_id, AuditResult.FAILED, error.message)
            raise
        await self.record(action, server_id, AuditResult.OK, detail)
        return result


def _unconfirmed(server: Server, wanted: str) -> ProtocolError:
    return ProtocolError(
        f"{server.name} was not {wanted}: the server reports {server.status.value}.",
        detail=f"reply for {server.id}: status={server.status.value} isolation={server.isolation}",
    )
