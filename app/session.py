"""ConnectionSession: one open connection with its client, monitor and actions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from app.actions import ClusterActions
from app.api.client import PasswordSource
from app.api.settings import FailoverRule
from app.audit import AuditLog
from app.connections import ConnectionProfile
from app.downloads import LogDownload
from app.downloads.progress import DownloadProgress
from app.kinds.registry import kind_of
from app.monitor import ClusterMonitor
from app.seam import Capabilities, KindClient

__all__ = ["ConnectionSession"]


class ConnectionSession:
    """Everything the window or a script needs to work with one saved connection.

    The connection's kind (``app.kinds``) builds its client and decides what the
    monitor polls; ``capabilities`` says what the connection can do, each "no" with its
    reason, and is all the window and the command line ask about the kind.

    Build it inside the running event loop; ``start()`` begins monitoring and
    ``aclose()`` stops the monitor, then closes the HTTP client, so that nothing (task
    or socket) is left behind. ``password`` is awaited whenever a login is needed.
    ``failover`` is the client's rule for moving to the next URL (see ``FailoverRule``):
    the window keeps the default, one-shot commands pass ``ANY_FAILURE``.
    """

    def __init__(
        self,
        profile: ConnectionProfile,
        password: PasswordSource,
        *,
        audit: AuditLog | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        failover: FailoverRule = FailoverRule.ENDPOINT_DOWN,
    ) -> None:
        self.profile = profile
        kind = kind_of(profile)
        self.capabilities: Capabilities = kind.capabilities
        self.client: KindClient = kind.build_client(
            profile, password, transport=transport, failover=failover
        )
        self.monitor_source = kind.monitor_source(self.client)
        self.load_values = kind.load_values(self.client)
        self.monitor = ClusterMonitor(
            self.monitor_source,
            poll_interval=profile.poll_interval_s,
            health_interval=kind.health_interval(profile),
        )
        self.actions = ClusterActions(
            self.client,
            connection_name=profile.name,
            username=profile.username,
            read_only=profile.read_only,
            audit=audit,
        )
        self._closed = False

    def __repr__(self) -> str:
        return f"ConnectionSession(name={self.profile.name!r}, url={self.client.active_url!r})"

    def start(self) -> None:
        """Start monitoring (idempotent)."""
        if self._closed:
            raise RuntimeError("the session is closed")
        self.monitor.start()

    def download_logs(
        self,
        server_id: str,
        folder: Path,
        *,
        fallback_name: str,
        on_progress: Callable[[DownloadProgress], None] | None = None,
    ) -> LogDownload:
        """A logs download of ``server_id`` into ``folder``; await its ``run()``."""
        return LogDownload(
            self.client, server_id, folder, fallback_name=fallback_name, on_progress=on_progress
        )

    async def aclose(self) -> None:
        """Stop monitoring and close the connection pool; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self.monitor.stop()
        await self.client.aclose()
        self.actions.close()
