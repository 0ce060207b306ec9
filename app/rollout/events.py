"""What goes into the step machine (observations and inputs) and what comes out
(actions for the driver, messages for people)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.api.models import ClusterSnapshot, HealthStatus
from app.audit import format_timestamp

# -- what the machine sees -------------------------------------------------------------


@dataclass(frozen=True)
class Observation:
    """The cluster as last seen: the latest snapshot (None before the first one), the
    latest known health per server id, and ``connection_problem`` (one line) while the
    connection is lost."""

    snapshot: ClusterSnapshot | None
    health: Mapping[str, HealthStatus] = field(default_factory=dict)
    connection_problem: str | None = None


class AdminCommand(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    ABORT = "abort"
    DONE = "done"  # a check without restart is finished


@dataclass(frozen=True)
class Admin:
    """The admin's command; ``override`` with RESUME passes overridable pre-flight
    failures once."""

    command: AdminCommand
    override: bool = False


class ActionKind(StrEnum):
    PROBE_HEALTH = "probe_health"
    ISOLATE = "isolate"
    RETURN = "return"
    VERIFY = "verify"


@dataclass(frozen=True)
class HealthProbed:
    """Every server's health, freshly probed: a status, or the one-line reason there is
    none."""

    health: Mapping[str, HealthStatus]
    problems: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ActionSucceeded:
    kind: ActionKind
    server_id: str


@dataclass(frozen=True)
class ActionFailed:
    kind: ActionKind
    server_id: str
    message: str


@dataclass(frozen=True)
class Verified:
    """What the maintained server reported: its live version and its own health check
    (``problem`` when either could not be read)."""

    server_id: str
    version: str | None
    health: HealthStatus
    problem: str | None = None


RolloutInput = Admin | HealthProbed | ActionSucceeded | ActionFailed | Verified

# -- what the driver does ---------------------------------------------------------------


@dataclass(frozen=True)
class ProbeHealth:
    """Probe every server's own health check; answer with ``HealthProbed``."""

    kind: ActionKind = ActionKind.PROBE_HEALTH


@dataclass(frozen=True)
class Isolate:
    server_id: str
    reason: str
    kind: ActionKind = ActionKind.ISOLATE


@dataclass(frozen=True)
class ReturnToService:
    server_id: str
    kind: ActionKind = ActionKind.RETURN


@dataclass(frozen=True)
class Verify:
    """Ask the server its live version and probe its health; answer with ``Verified``."""

    server_id: str
    kind: ActionKind = ActionKind.VERIFY


RolloutAction = ProbeHealth | Isolate | ReturnToService | Verify

# -- what people read ---------------------------------------------------------------------


class MessageKind(StrEnum):
    STEP = "step"  # a server moved to another step
    PROGRESS = "progress"  # drain progress
    INSTRUCTION = "instruction"  # the admin has something to do now
    PAUSED = "paused"
    RESUMED = "resumed"
    FINISHED = "finished"
    ABORTED = "aborted"


@dataclass(frozen=True)
class RolloutMessage:
    """One line for the events pane, the CLI and the audit trail.

    ``state`` is the run's status, ``step`` the server's; ``server`` is None for
    messages about the whole run.
    """

    at: datetime
    kind: MessageKind
    text: str
    state: str
    server: str | None = None
    server_name: str | None = None
    step: str | None = None
    clients: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``rollout --json``."""
        return {
            "at": format_timestamp(self.at),
            "kind": self.kind.value,
            "server": self.server,
            "name": self.server_name,
            "step": self.step,
            "state": self.state,
            "clients": self.clients,
            "message": self.text,
        }

    @property
    def audited(self) -> bool:
        """Whether it goes into the audit trail (drain progress does not)."""
        return self.kind is not MessageKind.PROGRESS
