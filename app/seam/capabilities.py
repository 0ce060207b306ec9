"""What an open connection can do, each "no" with the reason in plain words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

from app.api.errors import ConsoleError

if TYPE_CHECKING:
    from app.api.models import ClusterSnapshot  # pydantic's models: not to name a capability


class Capability(StrEnum):
    """One thing the window or the command line may ask an open connection to do."""

    CLUSTER_VIEW = "cluster_view"  # the cluster reports its servers (not a typed list)
    CLIENT_COUNTS = "client_counts"  # each server's connected Clients
    ISOLATE = "isolate"  # isolate a server and return it to service
    VERSION_CHECK = "version_check"  # ask a server its version live
    LOG_DOWNLOAD = "log_download"  # download a server's logs
    NEEDS_CREDENTIALS = "needs_credentials"  # a user name and password to sign in


@dataclass(frozen=True)
class LoadMeasure:
    """What the load history and its graphs record for each server.

    ``title`` names the graph ("Clients over time"), ``axis`` its value axis,
    ``total_label`` the cluster-wide line (a sum of Clients, or an average), ``unit``
    follows a value in a readout ("" for a count).
    """

    title: str
    axis: str
    total_label: str = "Cluster total"
    unit: str = ""


CLIENTS = LoadMeasure(title="Clients over time", axis="Clients")


@dataclass(frozen=True)
class LoadValues:
    """One poll's values for the load history: each server's (by id) and the cluster's."""

    servers: Mapping[str, int]
    total: int


LoadSource: TypeAlias = Callable[["ClusterSnapshot"], LoadValues]
"""A poll's snapshot -> the values the load history records for it."""


@dataclass(frozen=True)
class Capabilities:
    """The capabilities of one kind of connection.

    ``missing`` maps each capability the kind lacks to one sentence saying why, for a
    disabled menu entry's tooltip or a command's error; a capability not in it is there.
    """

    kind_label: str
    missing: dict[Capability, str] = field(default_factory=dict)
    load: LoadMeasure = CLIENTS

    def has(self, capability: Capability) -> bool:
        return capability not in self.missing

    def reason(self, capability: Capability) -> str | None:
        """Why ``capability`` is not available (None when it is)."""
        return self.missing.get(capability)

    def require(self, capability: Capability) -> None:
        """Raise ``NotSupportedError`` with the reason when ``capability`` is missing."""
        reason = self.missing.get(capability)
        if reason is not None:
            raise NotSupportedError(reason)


class NotSupportedError(ConsoleError):
    """The connection's kind cannot do what was asked; the message says why."""
