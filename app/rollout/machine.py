"""The step machine of a rolling maintenance run: a pure function.

``step(state, observation, now, event)`` returns the new state, the actions the driver
must carry out (their results come back as the next ``event``) and the messages for
people. It reads no clock, file or network, so every path is tested with virtual time.
At most one action is in flight (``RolloutState.awaiting``); while one is, only its
result and the admin's commands change anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.api.models import ClusterSnapshot, HealthStatus, Server, ServerStatus
from app.rollout.events import (
    ActionFailed,
    ActionKind,
    ActionSucceeded,
    Admin,
    AdminCommand,
    HealthProbed,
    Isolate,
    MessageKind,
    Observation,
    ProbeHealth,
    ReturnToService,
    RolloutAction,
    RolloutInput,
    RolloutMessage,
    Verified,
    Verify,
)
from app.rollout.plan import RolloutPlan
from app.rollout.preflight import failures, preflight
from app.rollout.state import PauseKind, RolloutState, RunStatus, ServerProgress, ServerStep
from app.rollout.texts import clients_text, drain_text, duration_text
from app.text_safety import display_text

VERIFY_RETRY_S = 3.0  # a server that has just started may not answer at once
VERIFY_LIMIT_S = 120.0  # then the run pauses: it did not come back healthy
_DOWN = (ServerStatus.OFFLINE, ServerStatus.STOPPING, ServerStatus.STARTING, ServerStatus.UNKNOWN)
_UP = (ServerStatus.ONLINE, ServerStatus.ISOLATED)
_ACTIVE_STEPS = (
    ServerStep.ISOLATING,
    ServerStep.DRAINING,
    ServerStep.WAITING_RESTART,
    ServerStep.WAITING_DONE,
    ServerStep.VERIFYING,
    ServerStep.RETURNING,
    ServerStep.SETTLING,
)


@dataclass(frozen=True)
class Outcome:
    state: RolloutState
    actions: tuple[RolloutAction, ...] = ()
    messages: tuple[RolloutMessage, ...] = ()


def start_run(
    plan: RolloutPlan,
    snapshot: ClusterSnapshot,
    *,
    connection_id: str,
    connection_name: str,
    user: str,
    now: datetime,
) -> RolloutState:
    """A new run of ``plan`` (every server pending); ``ValueError`` for an unknown server."""
    entries = []
    for server_id in plan.servers:
        server = snapshot.server(server_id)
        if server is None:
            raise ValueError(f"The cluster has no server {server_id!r}.")
        entries.append(ServerProgress(server_id=server.id, name=display_text(server.name)))
    return RolloutState(
        connection_id=connection_id,
        connection_name=connection_name,
        user=user,
        plan=plan,
        servers=tuple(entries),
        started_at=now,
        updated_at=now,
    )


def resumed_after_load(state: RolloutState) -> RolloutState:
    """A loaded run: any action that was in flight is asked again."""
    return state.model_copy(update={"awaiting": None})


def step(
    state: RolloutState,
    observation: Observation,
    now: datetime,
    event: RolloutInput | None = None,
    *,
    read_only: bool = False,
) -> Outcome:
    """One step of the run (see the module docstring); ``event`` None is a tick."""
    run = _Run(state, observation, now, read_only)
    if isinstance(event, Admin):
        run.command(event)
    elif event is not None:
        run.result(event)
    run.advance()
    return run.outcome()


@dataclass
class _Run:
    state: RolloutState
    observation: Observation
    now: datetime
    read_only: bool
    actions: list[RolloutAction] = field(default_factory=list)
    messages: list[RolloutMessage] = field(default_factory=list)

    # -- plumbing ------------------------------------------------------------------------
    def outcome(self) -> Outcome:
        state = self.state
        if self.actions or self.messages or state != self._initial:
            state = state.model_copy(update={"updated_at": self.now})
        return Outcome(state, tuple(self.actions), tuple(self.messages))

    def __post_init__(self) -> None:
        self._initial = self.state

    @property
    def snapshot(self) -> ClusterSnapshot | None:
        return self.observation.snapshot

    def server(self, server_id: str) -> Server | None:
        return None if self.snapshot is None else self.snapshot.server(server_id)

    def update(self, **changes: object) -> None:
        self.state = self.state.model_copy(update=changes)

    def put(self, progress: ServerProgress) -> None:
        self.state = self.state.with_server(progress)

    def say(self, kind: MessageKind, text: str, progress: ServerProgress | None = None) -> None:
        server = self.server(progress.server_id) if progress is not None else None
        clients = server.clients if server is not None else None
        self.messages.append(
            RolloutMessage(
                at=self.now,
                kind=kind,
                text=text,
                state=self.state.status.value,
                server=progress.server_id if progress else None,
                server_name=progress.name if progress else None,
                step=progress.step.value if progress else None,
                clients=clients,
            )
        )

    def act(self, action: RolloutAction) -> None:
        self.actions.append(action)
        self.update(awaiting=action.kind.value)

    def move(
        self, progress: ServerProgress, to: ServerStep, text: str, **changes: object
    ) -> ServerProgress:
        moved = progress.model_copy(update={"step": to, "step_since": self.now, **changes})
        self.put(moved)
        self.say(MessageKind.STEP, text, moved)
        return moved

    def pause(self, kind: PauseKind, reason: str) -> None:
        if self.state.status is RunStatus.PAUSED and self.state.pause_reason == reason:
            return
        self.update(status=RunStatus.PAUSED, pause_kind=kind, pause_reason=reason)
        self.say(MessageKind.PAUSED, f"Paused: {reason}", self.state.current_server)

    def own_isolations(self) -> set[str]:
        """Servers this run isolated and has not returned to service (skipped ones too)."""
        return {
            s.server_id
            for s in self.state.servers
            if s.isolated_by_run and s.step is not ServerStep.DONE
        }

    # -- the admin's commands ---------------------------------------------------------
    def command(self, admin: Admin) -> None:
        state, current = self.state, self.state.current_server
        if not state.status.active:
            return
        if admin.command is AdminCommand.PAUSE and state.status is RunStatus.RUNNING:
            self.pause(PauseKind.ADMIN, "paused by the admin.")
        elif admin.command is AdminCommand.RESUME and state.status is RunStatus.PAUSED:
            self._resume(admin.override)
        elif admin.command is AdminCommand.SKIP and current is not None:
            self._skip(current)
        elif admin.command is AdminCommand.ABORT:
            self._abort()
        elif (
            admin.command is AdminCommand.DONE
            and current is not None
            and current.step is ServerStep.WAITING_DONE
        ):
            self.update(instruction="")
            self.move(current, ServerStep.VERIFYING, f"{current.name}: done; verifying it.")

    def _resume(self, override: bool) -> None:
        kind = self.state.pause_kind
        self.update(status=RunStatus.RUNNING, pause_kind=None, pause_reason="", override=override)
        current = self.state.current_server
        self.say(MessageKind.RESUMED, "Resumed.", current)
        if current is None:
            return
        if kind is PauseKind.DRAIN_TIMEOUT and current.step is ServerStep.DRAINING:
            deadline = self.now + timedelta(seconds=self.state.plan.drain_timeout_s)
            self.put(current.model_copy(update={"deadline": deadline}))
        elif current.step is ServerStep.VERIFYING:
            self.put(current.model_copy(update={"step_since": self.now, "retry_at": None}))
        if current.step is not ServerStep.PENDING and self.state.awaiting is None:
            self.act(ProbeHealth())  # fresh health before the stop conditions apply again

    def _skip(self, current: ServerProgress) -> None:
        # what this run did, not a snapshot that may predate its isolation
        note = "left as it is" + (" (still isolated)" if current.isolated_by_run else "")
        self.update(awaiting=None, instruction="", status=RunStatus.RUNNING, pause_kind=None)
        self.update(pause_reason="")
        self.move(
            current,
            ServerStep.SKIPPED,
            f"{current.name} skipped: {note}.",
            note=note,
            deadline=None,
        )
        self._next()

    def _abort(self) -> None:
        still = [s.name for s in self.state.servers if s.server_id in self.own_isolations()]
        self.update(status=RunStatus.ABORTED, awaiting=None, instruction="", pause_kind=None)
        tail = f" Still isolated: {', '.join(still)}." if still else " No server is left isolated."
        self.say(MessageKind.ABORTED, "Aborted; every server is left as it is." + tail)

    # -- results of actions ------------------------------------------------------------
    def result(self, event: RolloutInput) -> None:
        current = self.state.current_server
        self.update(awaiting=None)
        if isinstance(event, ActionSucceeded) and event.kind is ActionKind.ISOLATE:
            # even for a server skipped while its isolation was on its way: it is ours
            for entry in self.state.servers:
                if entry.server_id == event.server_id and entry is not current:
                    self.put(entry.model_copy(update={"isolated_by_run": True}))
        if current is None or not self.state.status.active:
            return
        if isinstance(event, HealthProbed):
            self._probed(current, event)
        elif isinstance(event, ActionFailed):
            if event.server_id == current.server_id:
                self.pause(PauseKind.ACTION_FAILED, event.message)
        elif isinstance(event, ActionSucceeded) and event.server_id == current.server_id:
            if event.kind is ActionKind.ISOLATE and current.step is ServerStep.ISOLATING:
                self._isolated(current)
            elif event.kind is ActionKind.RETURN and current.step is ServerStep.RETURNING:
                self._returned(current)
        elif (
            isinstance(event, Verified)
            and event.server_id == current.server_id
            and current.step is ServerStep.VERIFYING
        ):
            self._verified(current, event)

    def _probed(self, current: ServerProgress, probe: HealthProbed) -> None:
        if current.step is not ServerStep.PENDING or self.state.status is not RunStatus.RUNNING:
            return  # a refresh on resume: the stop conditions below use it
        snapshot = self.snapshot
        if snapshot is None:
            return
        results = preflight(
            snapshot,
            current.server_id,
            health=probe.health,
            health_problems=probe.problems,
            own_isolations=self.own_isolations(),
            read_only=self.read_only,
            capacity_per_server=self.state.plan.capacity_per_server,
        )
        self.update(checks=tuple(("✓ " if r.ok else "✗ Failed: ") + r.text for r in results))
        failed = failures(results, override=self.state.override)
        if failed:
            hint = (
                ""
                if any(not r.overridable for r in failed)
                else " (these checks can be overridden)"
            )
            self.pause(
                PauseKind.PREFLIGHT,
                f"pre-flight check before {current.name}: "
                + " ".join(r.text for r in failed)
                + hint,
            )
            return
        server = snapshot.server(current.server_id)
        self.update(override=False)
        moved = self.move(
            current,
            ServerStep.ISOLATING,
            f"Isolating {current.name}: {self.state.plan.reason}",
            version_before=server.version if server else None,
        )
        self.act(Isolate(moved.server_id, self.state.plan.reason))

    def _isolated(self, current: ServerProgress) -> None:
        server = self.server(current.server_id)
        clients = server.clients if server else 0
        timeout = duration_text(self.state.plan.drain_timeout_s)
        self.move(
            current,
            ServerStep.DRAINING,
            f"{current.name} is isolated; waiting for its {clients_text(clients)} to move "
            f"to other servers (at most {timeout}).",
            isolated_by_run=True,
            drain_clients=clients,
            drain_since=self.now,
            clients=clients,
            deadline=self.now + timedelta(seconds=self.state.plan.drain_timeout_s),
        )

    def _verified(self, current: ServerProgress, verified: Verified) -> None:
        target = self.state.plan.target_version
        version = None if verified.version is None else display_text(verified.version)
        elapsed = (self.now - (current.step_since or self.now)).total_seconds()
        if verified.problem is not None or verified.health is not HealthStatus.HEALTHY:
            why = verified.problem or f"its health check says {verified.health.value}"
            if elapsed >= VERIFY_LIMIT_S:
                self.pause(PauseKind.UNHEALTHY, f"{current.name} did not come back healthy: {why}")
                return
            retry = self.now + timedelta(seconds=VERIFY_RETRY_S)
            self.put(current.model_copy(update={"retry_at": retry, "note": why}))
            return
        if target is not None and verified.version != target:
            self.put(current.model_copy(update={"version_after": version}))
            self.pause(
                PauseKind.WRONG_VERSION,
                f"{current.name} came back on version {version}, not {target}. "
                "Upgrade it again (stop, upgrade, start), then resume.",
            )
            return
        on = f" on version {version}" if version else ""
        moved = self.move(
            current,
            ServerStep.RETURNING,
            f"{current.name} is healthy{on}; returning it to service.",
            version_after=version,
            note="",
            retry_at=None,
        )
        self.act(ReturnToService(moved.server_id))

    def _returned(self, current: ServerProgress) -> None:
        settle = self.state.plan.settle_s
        self.move(
            current,
            ServerStep.SETTLING,
            f"{current.name} is back in service; watching it for {duration_text(settle)}.",
            deadline=self.now + timedelta(seconds=settle),
            clients_after=0,
        )

    # -- moving on by itself --------------------------------------------------------
    def advance(self) -> None:
        for _ in range(2 * len(self.state.servers) + 8):  # each pass moves at most one step
            if self.state.status is not RunStatus.RUNNING or self.state.awaiting is not None:
                return
            if self.snapshot is None:
                return
            if self.observation.connection_problem is not None:
                self.pause(
                    PauseKind.CONNECTION,
                    f"the connection is lost: {self.observation.connection_problem}",
                )
                return
            current = self.state.current_server
            if current is None:
                self._finish()
                return
            if current.step in _ACTIVE_STEPS and self._stop_condition(current):
                return
            before = self.state
            self._advance_server(current)
            if self.state == before:
                return

    def _stop_condition(self, current: ServerProgress) -> bool:
        assert self.snapshot is not None
        own = self.own_isolations()
        for server in self.snapshot.servers:
            if server.id == current.server_id or server.id in own:
                continue
            name = display_text(server.name)
            if server.status in _DOWN:
                self.pause(PauseKind.OTHER_SERVER, f"{name} is {server.status.value}.")
                return True
            health = self.observation.health.get(server.id)
            if health is HealthStatus.UNHEALTHY:
                self.pause(PauseKind.OTHER_SERVER, f"{name} is unhealthy.")
                return True
        if self.server(current.server_id) is None:
            self.pause(PauseKind.OTHER_SERVER, f"{current.name} is no longer in the cluster.")
            return True
        return False

    def _advance_server(self, current: ServerProgress) -> None:
        server = self.server(current.server_id)
        if current.step is ServerStep.PENDING:
            self.act(ProbeHealth())
        elif server is None:
            return
        elif current.step is ServerStep.ISOLATING:
            self.act(Isolate(current.server_id, self.state.plan.reason))
        elif current.step is ServerStep.DRAINING:
            self._drain(current, server)
        elif current.step is ServerStep.WAITING_RESTART:
            self._wait_restart(current, server)
        elif current.step is ServerStep.VERIFYING:
            if current.retry_at is None or self.now >= current.retry_at:
                self.act(Verify(current.server_id))
        elif current.step is ServerStep.RETURNING:
            self.act(ReturnToService(current.server_id))
        elif current.step is ServerStep.SETTLING:
            self._settle(current, server)

    def _drain(self, current: ServerProgress, server: Server) -> None:
        down = server.status in _DOWN
        left = 0 if down else server.clients
        if left == 0:
            self._instruct(current.model_copy(update={"clients": 0, "seen_offline": down}))
            return
        if current.deadline is not None and self.now >= current.deadline:
            self.pause(
                PauseKind.DRAIN_TIMEOUT,
                f"{current.name} still has {clients_text(left)} after "
                f"{duration_text(self.state.plan.drain_timeout_s)} (the drain timeout). "
                "Resume to wait another drain timeout, or skip it.",
            )
            return
        if left != current.clients:
            # the isolation's reply may predate Clients that arrived just before it
            start = max(current.drain_clients or 0, left)
            updated = current.model_copy(update={"clients": left, "drain_clients": start})
            self.put(updated)
            since = current.drain_since or self.now
            self.say(
                MessageKind.PROGRESS,
                drain_text(current.name, start, left, since, self.now),
                updated,
            )

    def _instruct(self, current: ServerProgress) -> None:
        target = self.state.plan.target_version
        if self.state.plan.restart:
            upgrade = f" to {target}" if target else ""
            text = (
                f"{current.name} has no Clients left: stop and upgrade it{upgrade} now, "
                "then start it; the console waits for it to come back."
            )
            step = ServerStep.WAITING_RESTART
        else:
            text = f"{current.name} has no Clients left: do its maintenance now, then choose Done."
            step = ServerStep.WAITING_DONE
        moved = current.model_copy(update={"step": step, "step_since": self.now, "deadline": None})
        self.put(moved)
        self.update(instruction=text)
        self.say(MessageKind.INSTRUCTION, text, moved)

    def _wait_restart(self, current: ServerProgress, server: Server) -> None:
        if server.status in _DOWN:
            if not current.seen_offline:
                self.put(current.model_copy(update={"seen_offline": True}))
                self.say(
                    MessageKind.STEP,
                    f"{current.name} is {server.status.value}; waiting for it to start again.",
                    current,
                )
            return
        target = self.state.plan.target_version
        upgraded = (
            target is not None and server.version == target and current.version_before != target
        )
        if server.status in _UP and (current.seen_offline or upgraded):
            self.update(instruction="")
            self.move(
                current, ServerStep.VERIFYING, f"{current.name} is running again; verifying it."
            )

    def _settle(self, current: ServerProgress, server: Server) -> None:
        assert self.snapshot is not None
        if current.step_since is not None and self.snapshot.received_at < current.step_since:
            return  # this snapshot predates the return to service
        if server.status is not ServerStatus.ONLINE:
            self.pause(
                PauseKind.UNHEALTHY,
                f"{current.name} is {server.status.value} after its return to service.",
            )
            return
        most = max(current.clients_after, server.clients)
        if most != current.clients_after:
            current = current.model_copy(update={"clients_after": most})
            self.put(current)
        if current.deadline is not None and self.now < current.deadline:
            return
        if most:
            note = f"took {clients_text(most)} again"
        else:
            note = "has not taken Clients yet (they do not always come back at once)"
        self.move(
            current, ServerStep.DONE, f"{current.name} is done: {note}.", note=note, deadline=None
        )
        self._next()

    def _next(self) -> None:
        self.update(current=self.state.current + 1, override=False)
        if self.state.current_server is None:
            self._finish()

    def _finish(self) -> None:
        if self.state.status is RunStatus.FINISHED:
            return
        done = sum(1 for s in self.state.servers if s.step is ServerStep.DONE)
        skipped = sum(1 for s in self.state.servers if s.step is ServerStep.SKIPPED)
        self.update(status=RunStatus.FINISHED, instruction="", awaiting=None)
        self.say(
            MessageKind.FINISHED,
            f"Rolling maintenance finished: {done} done, {skipped} skipped.",
        )
