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

from app.api.client import MANAGE_SERVERS, ManagementClient
from app.api.errors import AuthenticationError, AuthErrorKind, ConsoleError, ProtocolError
from app.api.models import Server, ServerStatus, VersionInfo
from app.audit import AuditAction, AuditLog, AuditNotWrittenError, AuditResult

log = logging.getLogger(__name__)
T = TypeVar("T")


class ReadOnlyError(ConsoleError):
    """The connection is read-only, so the console refuses to change the cluster."""


class ClusterActions:
    """Isolate, return to service and ask the version of servers of one connection.

    Each call appends one audit record: ``ok``, ``failed`` with the one-line reason, or
    ``unknown`` when the call ended without an answer the console understood (cancelled,
    for example by closing the window, or an unexpected error): the server may already
    have acted. That record is queued for writing before the call re-raises, so a
    cancellation cannot lose it. Success is reported only when the server's state in the
    reply says so.
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
        self._unwritten: list[AuditNotWrittenError] = []
        self._audit_listeners: list[Callable[[AuditNotWrittenError], None]] = []
        self._refused: str | None = None  # the last 403 from the isolation route

    @property
    def read_only(self) -> bool:
        return self._read_only

    @property
    def isolation_refusal(self) -> str | None:
        """Why the account may not change isolation, known before trying; None if it may
        (or nothing says otherwise yet).

        The login's ``permissions`` decide when the Management Tool sent them; without
        them, a 403 from an earlier isolation request does.
        """
        permissions = self._client.permissions
        if permissions is not None:
            if MANAGE_SERVERS in permissions:
                return None
            return (
                f"The account {self._user} may view this cluster but not isolate servers "
                "or return them to service (it lacks the permission to manage "
                "Application Servers)."
            )
        return self._refused

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
            self._refuse_if_not_permitted()
            server = await self._set_isolation(server_id, isolated=True, reason=reason, force=force)
            if server.isolation is None and server.status is not ServerStatus.ISOLATED:
                raise _unconfirmed(server, "isolated")
            return server

        return await self._record(AuditAction.ISOLATE, server_id, run, detail)

    async def return_to_service(self, server_id: str) -> Server:
        """Take the server out of Isolation mode so that it receives Clients again."""

        async def run() -> Server:
            self._refuse_if_read_only()
            self._refuse_if_not_permitted()
            server = await self._set_isolation(server_id, isolated=False)
            if server.isolation is not None or server.status is ServerStatus.ISOLATED:
                raise _unconfirmed(server, "returned to service")
            return server

        return await self._record(AuditAction.RETURN, server_id, run)

    def _refuse_if_not_permitted(self) -> None:
        """Refuse without a request when the login's permissions say the account may not
        (a 403 remembered from earlier does not stop a new try: the rights may change)."""
        permissions = self._client.permissions
        if permissions is not None and MANAGE_SERVERS not in permissions:
            raise AuthenticationError(
                self.isolation_refusal or "",
                kind=AuthErrorKind.FORBIDDEN,
                detail=f"not sent: the login's permissions lack {MANAGE_SERVERS}",
            )

    async def _set_isolation(
        self, server_id: str, *, isolated: bool, reason: str | None = None, force: bool = False
    ) -> Server:
        """The request itself; a 403 is remembered for ``isolation_refusal``."""
        try:
            return await self._client.set_isolation(
                server_id, isolated=isolated, reason=reason, force=force
            )
        except AuthenticationError as error:
            if error.kind is AuthErrorKind.FORBIDDEN:
                self._refused = f"The account {self._user} was refused: {error.message}"
            raise

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
        written. A failed write never stops an admin's action and is never silent: the
        record stays in the audit log's memory (retried by the next write and by
        ``retry_audit``), it is added to ``unwritten``, and every ``audit_failed``
        listener is called with the error, on the event loop.
        """
        loop = asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if self._audit is None:
            done.set_result(None)
            return done
        audit = self._audit

        def write() -> AuditNotWrittenError | None:
            try:
                audit.append(
                    connection=self._connection,
                    server=server_id,
                    user=self._user,
                    action=action,
                    result=result,
                    detail=detail,
                )
            except AuditNotWrittenError as error:
                return error
            return None

        def finished(written: asyncio.Future[AuditNotWrittenError | None]) -> None:
            error = None if written.cancelled() else written.exception() or written.result()
            if isinstance(error, AuditNotWrittenError):
                self._report_unwritten(error)
            elif isinstance(error, BaseException):
                log.error("the audit record was not written", exc_info=error)
            if not done.done():
                done.set_result(None)

        loop.run_in_executor(self._audit_writer, write).add_done_callback(finished)
        return done

    @property
    def audit(self) -> AuditLog | None:
        return self._audit

    @property
    def unwritten(self) -> tuple[AuditNotWrittenError, ...]:
        """The records of this object's actions whose first write failed, oldest first."""
        return tuple(self._unwritten)

    def add_audit_listener(self, listener: Callable[[AuditNotWrittenError], None]) -> None:
        """Call ``listener`` on the event loop whenever an audit record is not written."""
        self._audit_listeners.append(listener)

    async def retry_audit(self) -> int:
        """Write the records kept in memory; returns how many are still not written."""
        if self._audit is None:
            return 0
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._audit_writer, self._audit.retry_pending)

    def _report_unwritten(self, error: AuditNotWrittenError) -> None:
        log.warning("%s The record is kept in memory and retried: %s", error, error.entry)
        self._unwritten.append(error)
        for listener in list(self._audit_listeners):
            try:
                listener(error)
            except Exception:  # one listener must not stop the others
                log.exception("an audit listener failed")

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
        except asyncio.CancelledError:
            # Queued now and written by the writer thread; not awaited: this task is
            # being cancelled, and waiting could be cancelled again.
            self.record(action, server_id, AuditResult.UNKNOWN, _with(detail, "cancelled"))
            raise
        except Exception as error:
            reason = f"unexpected error ({type(error).__name__})"
            self.record(action, server_id, AuditResult.UNKNOWN, _with(detail, reason))
            raise
        await self.record(action, server_id, AuditResult.OK, detail)
        return result


def _with(detail: str, outcome: str) -> str:
    return f"{outcome}: {detail}" if detail else outcome


def _unconfirmed(server: Server, wanted: str) -> ProtocolError:
    return ProtocolError(
        f"{server.name} was not {wanted}: the server reports {server.status.value}.",
        detail=f"reply for {server.id}: status={server.status.value} isolation={server.isolation}",
    )
