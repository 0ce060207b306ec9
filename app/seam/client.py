"""``KindClient``: what every kind of connection's client offers the rest of the core."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from app.api.attempts import EndpointAttempt
from app.api.errors import ConsoleError
from app.api.logstream import LogStream
from app.api.models import ClusterSnapshot, HealthReport, Server, VersionInfo
from app.api.settings import EndpointSettings


class KindClient(Protocol):
    """The client of one open connection, whatever its kind.

    A kind that lacks a capability still provides its call, which raises
    ``NotSupportedError`` with the reason (a null backend rather than ``None`` threaded
    through every caller); callers ask ``Capabilities`` first so a person never meets it.
    """

    @property
    def settings(self) -> EndpointSettings: ...

    @property
    def active_url(self) -> str: ...

    @property
    def passed_over(self) -> tuple[tuple[str, ConsoleError], ...]: ...

    @property
    def last_attempts(self) -> tuple[EndpointAttempt, ...]:
        """Every endpoint the last call tried, each with its own result."""
        ...

    @property
    def permissions(self) -> frozenset[str] | None:
        """What the account may do, as its sign-in said (None: not said)."""
        ...

    async def cluster(self) -> ClusterSnapshot: ...

    async def health(self, url: str | None = None) -> HealthReport: ...

    async def login(self) -> None: ...

    async def set_isolation(
        self, server_id: str, *, isolated: bool, reason: str | None = None, force: bool = False
    ) -> Server: ...

    async def version(self, server_id: str) -> VersionInfo: ...

    def stream_logs(
        self, server_id: str, *, offset: int = 0, if_range: str | None = None
    ) -> AbstractAsyncContextManager[LogStream]: ...

    async def aclose(self) -> None: ...
