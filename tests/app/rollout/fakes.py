"""A cluster in plain Python for the step machine's unit tests: the test changes it,
and ``FakeCluster.apply`` answers the machine's actions as a Management Tool would."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from app.api.models import (
    ClusterInfo,
    ClusterSnapshot,
    HealthStatus,
    Isolation,
    Server,
    ServerStatus,
)
from app.rollout import (
    ActionSucceeded,
    HealthProbed,
    Isolate,
    Observation,
    Outcome,
    ProbeHealth,
    ReturnToService,
    RolloutAction,
    RolloutInput,
    RolloutMessage,
    RolloutState,
    Verified,
    Verify,
    step,
)

T0 = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@dataclass
class FakeServer:
    id: str
    clients: int
    version: str = "9.2"
    status: ServerStatus = ServerStatus.ONLINE
    health: HealthStatus = HealthStatus.HEALTHY
    isolated_by: str | None = None


@dataclass
class FakeCluster:
    servers: list[FakeServer]
    now: datetime = T0
    messages: list[RolloutMessage] = field(default_factory=list)
    actions: list[RolloutAction] = field(default_factory=list)

    @classmethod
    def of(cls, *clients: int) -> FakeCluster:
        return cls([FakeServer(f"as-{i + 1:02d}", n) for i, n in enumerate(clients)])

    def __getitem__(self, server_id: str) -> FakeServer:
        return next(s for s in self.servers if s.id == server_id)

    def snapshot(self) -> ClusterSnapshot:
        servers = tuple(
            Server(
                id=s.id,
                name=f"EKRAN-{s.id.upper().replace('-', '')}",
                address="10.0.0.1",
                status=ServerStatus.ISOLATED
                if s.isolated_by and s.status is ServerStatus.ONLINE
                else s.status,
                clients=s.clients,
                version=s.version,
                isolation=Isolation(by=s.isolated_by, reason="x") if s.isolated_by else None,
                last_seen=self.now,
                management_url=f"https://{s.id}/EkranSystem",
            )
            for s in self.servers
        )
        return ClusterSnapshot(
            cluster=ClusterInfo(name="Test", generated_at=self.now),
            servers=servers,
            etag=None,
            received_at=self.now,
            source_url="https://as-01/EkranSystem",
        )

    def observation(self, problem: str | None = None) -> Observation:
        health = {s.id: s.health for s in self.servers if s.status is not ServerStatus.OFFLINE}
        return Observation(self.snapshot(), health, problem)

    def apply(self, action: RolloutAction) -> RolloutInput:
        """Answer an action the way the driver would, against this cluster."""
        self.actions.append(action)
        if isinstance(action, ProbeHealth):
            return HealthProbed(
                {s.id: s.health for s in self.servers if s.status is not ServerStatus.OFFLINE},
                {s.id: "unreachable" for s in self.servers if s.status is ServerStatus.OFFLINE},
            )
        if isinstance(action, Isolate):
            self[action.server_id].isolated_by = "admin"
            return ActionSucceeded(action.kind, action.server_id)
        if isinstance(action, ReturnToService):
            self[action.server_id].isolated_by = None
            return ActionSucceeded(action.kind, action.server_id)
        assert isinstance(action, Verify)
        server = self[action.server_id]
        return Verified(server.id, server.version, server.health)

    def run(
        self, state: RolloutState, event: RolloutInput | None = None, *, read_only: bool = False
    ) -> RolloutState:
        """One step plus the answers to every action it asked for."""
        outcome: Outcome = step(state, self.observation(), self.now, event, read_only=read_only)
        self.messages.extend(outcome.messages)
        while outcome.actions:
            answer = self.apply(outcome.actions[0])
            outcome = step(outcome.state, self.observation(), self.now, answer, read_only=read_only)
            self.messages.extend(outcome.messages)
        return outcome.state

    def wait(self, state: RolloutState, seconds: float) -> RolloutState:
        self.now += timedelta(seconds=seconds)
        return self.run(state)
