"""Commands that talk to a cluster: servers, isolate, return, version, logs, watch."""

from __future__ import annotations

import asyncio
import sys
from argparse import Namespace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.api.client import ManagementClient
from app.api.models import ClusterSnapshot, Server
from app.api.settings import FailoverRule
from app.audit import AuditAction, AuditResult
from app.cli import isolation
from app.cli.exitcodes import ExitCode, UsageError
from app.cli.progress import ProgressLine
from app.cli.render import print_json, print_json_line, servers_table
from app.cli.target import password_source, resolve_target
from app.monitor import ClusterMonitor, MonitorEvent, SnapshotReceived, StatusChanged
from app.session import ConnectionSession
from app.text_safety import display_text, escape_json_output

if TYPE_CHECKING:
    from app.cli.main import Services


def find_server(servers: tuple[Server, ...], text: str) -> Server:
    """The server with this id, else with this name (case-insensitive)."""
    for server in servers:
        if server.id == text:
            return server
    matches = [s for s in servers if s.name.casefold() == text.strip().casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(f"Several servers are named {text!r}: use the id.")
    known = ", ".join(display_text(s.name) for s in servers)
    raise UsageError(f"The cluster has no server {text!r} (servers: {known}).")


async def run(args: Namespace, services: Services) -> ExitCode:
    target = resolve_target(args, services.store.load().profiles)
    profile = target.profile
    if args.command == "watch" and args.interval:
        profile = profile.with_changes(poll_interval_s=args.interval)
    # One-shot commands get one chance, so they try the next URL after any failure;
    # watch is a monitor and keeps the window's rule (see FailoverRule).
    rule = FailoverRule.ENDPOINT_DOWN if args.command == "watch" else FailoverRule.ANY_FAILURE
    session = ConnectionSession(
        profile,
        password_source(target, services.credentials),
        audit=services.audit,
        failover=rule,
    )
    try:
        try:
            code = await _dispatch(args, session)
        except Exception:
            _report_failover(session, answered=False)
            await _report_unwritten_audit(session)
            raise
        _report_failover(session, answered=True)
        if await _report_unwritten_audit(session) and code is ExitCode.OK:
            code = ExitCode.AUDIT_NOT_WRITTEN
        return code
    finally:
        await session.aclose()


def _report_failover(session: ConnectionSession, *, answered: bool) -> None:
    """Say which URLs failed (and which one answered), when a call had to move on."""
    passed = session.client.passed_over
    if not passed:
        return
    for url, error in passed:
        print(f"note: {url} failed: {display_text(error.message, 300)}", file=sys.stderr)
    if answered:
        print(f"note: {session.client.active_url} answered.", file=sys.stderr)


async def _report_unwritten_audit(session: ConnectionSession) -> bool:
    """Retry audit records that failed; print those still unwritten. True if any is left.

    A record is never dropped silently: it goes to stderr as its JSON line, to be kept.
    """
    if not session.actions.unwritten:
        return False
    if await session.actions.retry_audit() == 0:
        return False
    for error in session.actions.unwritten:
        print(f"warning: {error} It is printed below, to be kept.", file=sys.stderr)
    audit = session.actions.audit
    for entry in audit.pending if audit is not None else ():
        line = escape_json_output(entry.to_json_line().rstrip())
        print(f"audit record: {line}", file=sys.stderr)
    return True


async def _dispatch(args: Namespace, session: ConnectionSession) -> ExitCode:
    client, actions = session.client, session.actions
    if args.command == "servers":
        return await _servers(args, client)
    if args.command == "watch":
        return await _watch(args, session.monitor)
    servers = (await client.cluster()).servers
    if args.command == "isolate":
        chosen = [find_server(servers, text) for text in args.server]
        if args.dry_run:
            return isolation.dry_run(args, servers, chosen, session.profile.capacity)
        if len(chosen) > 1:
            raise UsageError("Isolate one server at a time (several only with --dry-run).")
        return await isolation.isolate(args, actions, servers, chosen[0])
    server = find_server(servers, args.server)
    if args.command == "return":
        return await isolation.return_to_service(args, actions, server)
    if args.command == "version":
        info = await actions.version(server.id)
        if args.json:
            print_json({"server": server.id, **info.model_dump(mode="json")})
        else:
            released = f", released {info.released}" if info.released else ""
            build = f" (build {display_text(info.build)})" if info.build else ""
            print(f"{display_text(server.name)}: {display_text(info.version)}{build}{released}")
        return ExitCode.OK
    if args.command == "logs":
        return await _logs(args, session, server)
    raise UsageError(f"Unknown command {args.command!r}.")


def _existing_folder(text: str) -> Path:
    folder = Path(text).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is a file, not a folder: --out needs a folder.")
    if not folder.is_dir():
        raise UsageError(f"The folder {folder} does not exist.")
    return folder


async def _servers(args: Namespace, client: ManagementClient) -> ExitCode:
    snapshot = await client.cluster()
    if args.json:
        print_json([s.model_dump(mode="json") for s in snapshot.servers])
    else:
        print(f"{display_text(snapshot.cluster.name)} via {snapshot.source_url}")
        print(servers_table(snapshot.servers))
    return ExitCode.OK


async def _logs(args: Namespace, session: ConnectionSession, server: Server) -> ExitCode:
    actions = session.actions
    folder = await asyncio.to_thread(_existing_folder, args.out)
    progress = ProgressLine(sys.stderr, enabled=sys.stderr.isatty() and not args.json)
    download = session.download_logs(
        server.id, folder, fallback_name=f"{server.name}_logs.zip", on_progress=progress.update
    )
    try:
        path = await download.run()
    except asyncio.CancelledError:
        await asyncio.shield(actions.record(AuditAction.LOGS, server.id, AuditResult.CANCELLED))
        raise
    except Exception as error:
        progress.finish()
        await actions.record(AuditAction.LOGS, server.id, AuditResult.FAILED, str(error))
        raise
    progress.finish()
    await actions.record(AuditAction.LOGS, server.id, AuditResult.OK, path.name)
    if args.json:
        print_json({"server": server.id, "file": str(path), "size": path.stat().st_size})
    else:
        print(display_text(str(path), None))
    return ExitCode.OK


async def _watch(args: Namespace, monitor: ClusterMonitor) -> ExitCode:
    updates: asyncio.Queue[MonitorEvent] = asyncio.Queue()
    monitor.subscribe(updates.put_nowait)
    clear = sys.stdout.isatty() and not args.json
    shown = 0
    latest: ClusterSnapshot | None = None
    fresh = False  # this poll's snapshot was shown already (not a "not modified")
    last_success = None
    monitor.start()
    try:
        # Every successful poll is one update, "304 Not Modified" included: the last
        # snapshot is shown again, so --count N ends after N polls however still the
        # cluster is (a SnapshotReceived, if any, comes before its poll's StatusChanged).
        # A repeated snapshot carries its poll's time: ``received_at`` always grows.
        while args.count is None or shown < args.count:
            event = await updates.get()
            if isinstance(event, SnapshotReceived):
                latest = event.snapshot
                _show_snapshot(latest, args.json, clear)
                fresh = True
            elif isinstance(event, StatusChanged) and _is_new_success(event, last_success):
                last_success = event.status.last_success_at
                if not fresh and latest is not None:  # 304: the same servers, confirmed now
                    confirmed_at = event.status.last_success_at or latest.received_at
                    confirmed = latest.model_copy(update={"received_at": confirmed_at})
                    _show_snapshot(confirmed, args.json, clear)
                fresh = False
                shown += 1
            elif isinstance(event, StatusChanged) and event.status.error is not None:
                if event.status.state.needs_user:  # paused: nothing will change by waiting
                    raise event.status.error
                print(f"[{event.status.state.label}] {event.status.error.message}", file=sys.stderr)
    finally:
        await monitor.stop()
    return ExitCode.OK


def _is_new_success(event: StatusChanged, previous: datetime | None) -> bool:
    """Whether ``event`` reports a poll that succeeded after the one seen last."""
    status = event.status
    return status.error is None and status.last_success_at not in (None, previous)


def _show_snapshot(snapshot: ClusterSnapshot, as_json: bool, clear: bool) -> None:
    if as_json:
        print_json_line(watch_document(snapshot))
        return
    if clear:
        sys.stdout.write("\x1b[H\x1b[2J")
    stamp = snapshot.received_at.astimezone().strftime("%H:%M:%S")
    name = display_text(snapshot.cluster.name)
    print(f"{name} via {snapshot.source_url} at {stamp} (Ctrl+C to stop)")
    print(servers_table(snapshot.servers))
    sys.stdout.flush()


def watch_document(snapshot: ClusterSnapshot) -> dict[str, object]:
    """One update of ``watch --json``: a line of its NDJSON output."""
    return {
        "cluster": snapshot.cluster.name,
        "source_url": snapshot.source_url,
        "received_at": snapshot.received_at.isoformat(),
        "servers": [s.model_dump(mode="json") for s in snapshot.servers],
    }
