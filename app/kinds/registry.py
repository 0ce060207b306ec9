"""The kinds of connection the console knows, and the one a saved connection uses.

A kind is a package under ``app/`` that provides a ``ConnectionKind``: its name (the
value of ``ConnectionProfile.kind``), its ``Capabilities``, and how to build its client
and monitor for a saved connection. Registering it here is all the window and the
command line need: they ask the open connection's capabilities, never its kind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # httpx and the API's models: only once a kind is used
    import httpx

    from app.api.session import PasswordSource
    from app.api.settings import FailoverRule
    from app.connections import ConnectionKindName, ConnectionProfile
    from app.monitor.monitor import ClusterSource
    from app.seam.capabilities import Capabilities, LoadSource
    from app.seam.client import KindClient


class ConnectionKind(Protocol):
    """One kind of connection (see the module docstring)."""

    @property
    def name(self) -> ConnectionKindName: ...

    @property
    def capabilities(self) -> Capabilities: ...

    def build_client(
        self,
        profile: ConnectionProfile,
        password: PasswordSource,
        *,
        transport: httpx.AsyncBaseTransport | None,
        failover: FailoverRule,
    ) -> KindClient:
        """The client of an open connection; built inside the running event loop."""
        ...

    def monitor_source(self, client: KindClient) -> ClusterSource:
        """What the connection's monitor polls (usually ``client`` itself)."""
        ...

    def load_values(self, client: KindClient) -> LoadSource | None:
        """What the load history records for each poll, when not the servers' Clients."""
        ...

    def health_interval(self, profile: ConnectionProfile) -> float | None:
        """Seconds between the monitor's per-server healthcheck rounds; None: its default."""
        ...


_KINDS: dict[ConnectionKindName, ConnectionKind] = {}


def register(kind: ConnectionKind) -> None:
    """Make ``kind`` available to saved connections whose ``kind`` is its name."""
    _KINDS[kind.name] = kind


def kind_of(profile: ConnectionProfile) -> ConnectionKind:
    """The kind that opens ``profile``."""
    _register_builtin()
    try:
        return _KINDS[profile.kind]
    except KeyError:
        raise LookupError(f"no connection kind {profile.kind!r} is registered") from None


def capabilities_of(profile: ConnectionProfile) -> Capabilities:
    """What a connection to ``profile`` can do, without opening it."""
    return kind_of(profile).capabilities


def _register_builtin() -> None:
    if _KINDS:
        return
    # Imported here: each kind imports the core it wraps, and the core imports this module.
    from app.health_only.kind import HEALTH_ONLY_KIND
    from app.kinds.api_kind import API_KIND

    register(API_KIND)
    register(HEALTH_ONLY_KIND)
