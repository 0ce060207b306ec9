"""``ekran-console-cli rollout``: the command-line twin of the window's rolling maintenance.

It prints a line per step (``--json``: one JSON object per line), waits for the admin
(or any tool) to stop and start each drained server (unless ``--no-restart``: then a
line on standard input, or its end, says "done"), and exits 0 when every server is
done and back in service, 5 when a pre-flight check or a stop condition pauses the run,
3/4 for connection/authentication. The run is saved after every step: Ctrl+C leaves
the current server as it is, and the same command resumes it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from argparse import Namespace
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.api.errors import ConflictError
from app.api.models import ClusterSnapshot
from app.audit import AuditAction, AuditResult, format_timestamp
from app.cli.cluster_commands import find_server
from app.cli.exitcodes import ExitCode, UsageError
from app.cli.target import Target, password_source, resolve_target
from app.cli.terminal import is_terminal
from app.rollout import (
    Admin,
    AdminCommand,
    MessageKind,
    PauseKind,
    RolloutBusyError,
    RolloutMessage,
    RolloutPlan,
    RolloutState,
    RolloutStore,
    RolloutStoreError,
    RunStatus,
    ServerStep,
    start_run,
)
from app.rollout.driver import RolloutDriver
from app.rollout.store import ad_hoc_key
from app.session import ConnectionSession
from app.text_safety import escape_json_output

if TYPE_CHECKING:
    from app.cli.main import Services


def run_key(target: Target) -> str:
    """The saved run's key: the connection's id, or a hash of an ad hoc connection."""
    profile = target.profile
    return profile.id if target.saved else ad_hoc_key(profile.urls, profile.username)


def build_plan(args: Namespace, snapshot: ClusterSnapshot) -> RolloutPlan:
    """The plan the arguments describe (no servers named: all, in the cluster's order)."""
    if args.server:
        ids = [find_server(snapshot.servers, text).id for text in args.server]
    else:
        ids = [server.id for server in snapshot.servers]
    if len(set(ids)) != len(ids):
        raise UsageError("A server is named twice.")
    if args.drain_timeout is not None and args.drain_timeout <= 0:
        raise UsageError("--drain-timeout must be more than 0 seconds.")
    if args.settle is not None and args.settle < 0:
        raise UsageError("--settle must not be negative.")
    fields: dict[str, Any] = {
        "servers": tuple(ids),
        "target_version": args.target_version,
        "restart": not args.no_restart,
    }
    if args.reason:
        fields["reason"] = args.reason
    if args.drain_timeout is not None:
        fields["drain_timeout_s"] = args.drain_timeout
    if args.settle is not None:
        fields["settle_s"] = args.settle
    return RolloutPlan(**fields)


class _Output:
    """Prints messages as lines of text, or as JSON objects with ``--json``."""

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json

    def message(self, message: RolloutMessage) -> None:
        if self.as_json:
            self._json(message.to_json())
            return
        stamp = message.at.astimezone().strftime("%H:%M:%S")
        who = message.server_name or "-"
        step = f"[{message.step}] " if message.step else ""
        print(f"{stamp}  {who:<12} {step}{message.text}", flush=True)

    def note(self, text: str, state: RolloutState) -> None:
        if self.as_json:
            self._json({**_where(state), "kind": "note", "message": text})
        else:
            print(text, flush=True)

    def refused(self, state: RolloutState) -> None:
        if self.as_json:
            reason = state.pause_kind.value if state.pause_kind else None
            self._json(
                {**_where(state), "kind": "error", "reason": reason, "message": state.pause_reason}
            )
        print(f"error: {state.pause_reason}", file=sys.stderr, flush=True)

    @staticmethod
    def _json(data: dict[str, Any]) -> None:
        print(escape_json_output(json.dumps(data, ensure_ascii=False)), flush=True)


def _where(state: RolloutState) -> dict[str, Any]:
    """The fields every JSON line has, for a line about the run's current server."""
    current = state.current_server
    return {
        "at": format_timestamp(state.updated_at),
        "server": current.server_id if current else None,
        "name": current.name if current else None,
        "step": current.step.value if current else None,
        "state": state.status.value,
        "clients": current.clients if current else None,
    }


def _plan_text(state: RolloutState) -> str:
    plan = state.plan
    order = ", ".join(s.name for s in state.servers)
    target = f" to {plan.target_version}" if plan.target_version else ""
    wait = "stop and start (upgrade)" if plan.restart else "the admin's 'done' (no restart)"
    return (
        f"Rolling maintenance of {state.connection_name}{target}: {order}.\n"
        f"Reason: {plan.reason}. Drain timeout {plan.drain_timeout_s:g} s, settle "
        f"{plan.settle_s:g} s; each server waits for {wait}."
    )


def _confirm(state: RolloutState, args: Namespace) -> None:
    if args.yes:
        return
    if not is_terminal():
        raise UsageError("Add --yes to start a rolling maintenance without a terminal to confirm.")
    print(_plan_text(state))
    if input("Start? [y/N] ").strip().lower() not in ("y", "yes"):
        raise UsageError("Not started.")


def _left_as_is(state: RolloutState) -> str:
    current = state.current_server
    if current is None or current.step is ServerStep.PENDING:
        return "Stopped waiting; no server was changed by this step."
    return (
        f"Stopped waiting: {current.name} is left as it is ({current.step.label.lower()}"
        f"{', isolated' if current.isolated_by_run else ''}). "
        "Run the same command again to resume."
    )


class _DoneReader:
    """With ``--no-restart``: each line on standard input says "done"; at its end, every
    later wait is done at once (scripts close standard input)."""

    def __init__(self, driver: RolloutDriver, loop: asyncio.AbstractEventLoop) -> None:
        self._driver = driver
        self._loop = loop
        self.ended = False
        self._thread = threading.Thread(target=self._read, name="rollout-stdin", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                line = sys.stdin.readline()
            except (OSError, ValueError):
                line = ""
            if not line:
                self._loop.call_soon_threadsafe(self._end)
                return
            self._loop.call_soon_threadsafe(self._driver.command, Admin(AdminCommand.DONE))

    def _end(self) -> None:
        self.ended = True
        if self._driver.state.current_server is not None:
            self._driver.command(Admin(AdminCommand.DONE))

    def on_message(self, message: RolloutMessage) -> None:
        if message.kind is MessageKind.INSTRUCTION and message.step == ServerStep.WAITING_DONE:
            if self.ended:
                self._driver.command(Admin(AdminCommand.DONE))
            elif is_terminal():
                print("Press Enter when it is done.", file=sys.stderr, flush=True)


def _tell(listeners: list[Callable[[RolloutMessage], None]], message: RolloutMessage) -> None:
    for listener in listeners:
        listener(message)


async def run(args: Namespace, services: Services) -> ExitCode:
    target = resolve_target(args, services.store.load().profiles)
    profile = target.profile
    key = run_key(target)
    store = RolloutStore(services.paths)
    out = _Output(as_json=args.json)
    session = ConnectionSession(
        profile, password_source(target, services.credentials), audit=services.audit
    )
    driver: RolloutDriver | None = None
    try:
        with store.lock(key):
            saved = await asyncio.to_thread(store.load, key)
            snapshot = await session.client.cluster()
            resume = saved is not None and saved.status.active
            if saved is not None and resume:
                state = saved
                current = saved.current_server
                where = f" at {current.name} ({current.step.label.lower()})" if current else ""
                out.note(
                    f"Resuming the run started {saved.started_at:%Y-%m-%d %H:%M} UTC{where}.",
                    saved,
                )
            else:
                state = start_run(
                    build_plan(args, snapshot),
                    snapshot,
                    connection_id=key,
                    connection_name=profile.name,
                    user=profile.username,
                    now=snapshot.received_at,
                )
                _confirm(state, args)
                if args.force:
                    state = state.model_copy(update={"override": True})
            session.start()
            listeners: list[Callable[[RolloutMessage], None]] = [out.message]
            driver = RolloutDriver(
                state,
                key=key,
                store=store,
                monitor=session.monitor,
                client=session.client,
                actions=session.actions,
                read_only=profile.read_only,
                on_message=lambda message: _tell(listeners, message),
            )
            if not state.plan.restart:
                done_reader = _DoneReader(driver, asyncio.get_running_loop())
                listeners.append(done_reader.on_message)
                done_reader.start()
            if resume and state.status is RunStatus.PAUSED:
                driver.command(Admin(AdminCommand.RESUME, override=args.force))
            final = await driver.run(stop_when_paused=True)
    except RolloutBusyError as error:
        raise ConflictError(str(error)) from None
    except RolloutStoreError as error:
        raise OSError(str(error)) from None
    except ValueError as error:  # the plan (e.g. a bad --target-version)
        raise UsageError(str(error)) from None
    except asyncio.CancelledError:
        if driver is not None:
            print(_left_as_is(driver.state), file=sys.stderr, flush=True)
            current = driver.state.current_server
            await asyncio.shield(
                session.actions.record(
                    AuditAction.ROLLOUT,
                    current.server_id if current else "",
                    AuditResult.CANCELLED,
                    "interrupted: " + _left_as_is(driver.state),
                )
            )
        raise
    finally:
        await session.aclose()
    if final.status is RunStatus.FINISHED:
        return ExitCode.OK
    out.refused(final)
    if final.pause_kind is PauseKind.CONNECTION:
        return ExitCode.CONNECTION
    return ExitCode.REFUSED
