"""The saved state of a rolling maintenance run: plain, immutable, versioned JSON.

The file format is ``RolloutState.to_data()``: a JSON object with ``format`` (this
module's ``STATE_FORMAT_VERSION``), the connection, the plan, the run's status and
one entry per planned server. A file of another format is refused, never guessed at.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.rollout.plan import RolloutPlan

STATE_FORMAT_VERSION = 1


class ServerStep(StrEnum):
    """Where one server is in its sequence, in order."""

    PENDING = "pending"  # not started; the pre-flight check runs first
    ISOLATING = "isolating"
    DRAINING = "draining"
    WAITING_RESTART = "waiting_restart"  # the admin stops, upgrades and starts it
    WAITING_DONE = "waiting_done"  # the admin checks it and says "done"
    VERIFYING = "verifying"  # healthy and on the target version?
    RETURNING = "returning"
    SETTLING = "settling"
    DONE = "done"
    SKIPPED = "skipped"

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]

    @property
    def finished(self) -> bool:
        return self in (ServerStep.DONE, ServerStep.SKIPPED)


_STEP_LABELS = {
    ServerStep.PENDING: "Waiting",
    ServerStep.ISOLATING: "Isolating",
    ServerStep.DRAINING: "Draining",
    ServerStep.WAITING_RESTART: "Stop and upgrade",
    ServerStep.WAITING_DONE: "Maintain, then Done",
    ServerStep.VERIFYING: "Verifying",
    ServerStep.RETURNING: "Returning to service",
    ServerStep.SETTLING: "Settling",
    ServerStep.DONE: "Done",
    ServerStep.SKIPPED: "Skipped",
}


class RunStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    ABORTED = "aborted"

    @property
    def active(self) -> bool:
        """True while the run is not over (running or paused): it is resumed on restart."""
        return self in (RunStatus.RUNNING, RunStatus.PAUSED)


class PauseKind(StrEnum):
    """Why a run is paused."""

    PREFLIGHT = "preflight"
    OTHER_SERVER = "other_server"
    DRAIN_TIMEOUT = "drain_timeout"
    WRONG_VERSION = "wrong_version"
    UNHEALTHY = "unhealthy"  # the maintained server came back unhealthy
    CONNECTION = "connection"
    ACTION_FAILED = "action_failed"
    ADMIN = "admin"


class ServerProgress(BaseModel):
    """One planned server. Times are UTC; ``None`` until the step sets them.

    ``step_since`` is when the current step began; ``deadline`` ends a drain or a
    settle; ``retry_at`` delays a repeated verification; ``drain_clients`` and
    ``drain_since`` anchor the drain rate; ``seen_offline`` records that the server
    went down after isolation; ``version_before`` is its version when isolated;
    ``clients_after`` is the most Clients it held while settling; ``isolated_by_run``
    says this run (not someone else) isolated it.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    server_id: str
    name: str
    step: ServerStep = ServerStep.PENDING
    step_since: datetime | None = None
    deadline: datetime | None = None
    retry_at: datetime | None = None
    clients: int | None = None
    drain_clients: int | None = None
    drain_since: datetime | None = None
    seen_offline: bool = False
    version_before: str | None = None
    version_after: str | None = None
    clients_after: int = 0
    isolated_by_run: bool = False
    note: str = ""


class RolloutState(BaseModel):
    """A whole run. ``current`` indexes ``servers`` (== len when every one is finished).

    ``awaiting`` names the action the driver is carrying out (the machine waits for its
    result); it is dropped when a saved run is loaded, so that the action is asked
    again after re-reading the cluster (every action is idempotent). ``override`` lets
    the next pre-flight pass despite overridable failures (the admin said so).
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    format: int = STATE_FORMAT_VERSION
    connection_id: str
    connection_name: str
    user: str = ""
    plan: RolloutPlan
    status: RunStatus = RunStatus.RUNNING
    pause_kind: PauseKind | None = None
    pause_reason: str = ""
    current: int = 0
    servers: tuple[ServerProgress, ...]
    started_at: datetime
    updated_at: datetime
    instruction: str = ""
    awaiting: str | None = None
    override: bool = False
    checks: tuple[str, ...] = Field(default=())

    @property
    def current_server(self) -> ServerProgress | None:
        if 0 <= self.current < len(self.servers):
            return self.servers[self.current]
        return None

    @property
    def done_count(self) -> int:
        return sum(1 for s in self.servers if s.step.finished)

    def with_server(self, progress: ServerProgress) -> RolloutState:
        """A copy with the entry of ``progress.server_id`` replaced."""
        servers = tuple(progress if s.server_id == progress.server_id else s for s in self.servers)
        return self.model_copy(update={"servers": servers})

    def to_data(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_data(cls, data: Any) -> RolloutState:
        """Parse a decoded file; ``ValueError`` for another format or damaged content."""
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a run")
        if data.get("format") != STATE_FORMAT_VERSION:
            raise ValueError(f"unknown format {data.get('format')!r}")
        return cls.model_validate(data)
