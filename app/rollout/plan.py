"""What a rolling maintenance run does: which servers, in which order, and how."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_DRAIN_TIMEOUT_S = 30 * 60.0
DEFAULT_SETTLE_S = 60.0
MAX_REASON_CHARS = 500


class RolloutPlan(BaseModel):
    """The plan of one run.

    ``servers`` are server ids in the order they are maintained (no duplicates, at
    least one). ``reason`` is written into each isolation. With ``target_version`` a
    server must come back on exactly that version. ``drain_timeout_s`` limits the wait
    for a server's Clients to move away; ``settle_s`` is the wait after returning it to
    service. ``restart`` True waits for the server to be stopped and started (an
    upgrade); False waits for the admin's "done" instead (a check without restart).
    ``capacity_per_server`` (Clients one server can take), when set, makes the
    pre-flight check that the remaining servers can hold every Client.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    servers: tuple[str, ...] = Field(min_length=1)
    reason: str = "Rolling maintenance"
    target_version: str | None = None
    drain_timeout_s: float = Field(default=DEFAULT_DRAIN_TIMEOUT_S, gt=0)
    settle_s: float = Field(default=DEFAULT_SETTLE_S, ge=0)
    restart: bool = True
    capacity_per_server: int | None = Field(default=None, gt=0)

    @field_validator("servers")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a server appears twice in the plan")
        if any(not server.strip() for server in value):
            raise ValueError("a server id is empty")
        return value

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        text = " ".join(value.split())
        return text[:MAX_REASON_CHARS] or "Rolling maintenance"

    @field_validator("target_version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        if value is None:
            return None
        return value.strip() or None
