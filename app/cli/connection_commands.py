"""``connections add|edit|list|remove|test|import|export``."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api.errors import ConsoleError, TlsError
from app.cli import connection_edit
from app.cli.connection_fields import proxy_options, save_password, trust_options
from app.cli.exitcodes import ERROR_LIMIT, ExitCode, UsageError, error_kind, exit_code_for
from app.cli.messages import cli_message
from app.cli.render import WARNING_LIMIT, describe_profile, print_json, print_json_line, table
from app.cli.target import Target, find_profile, password_source, resolve_target
from app.connections import ConnectionProfile, export_connections, import_connections
from app.removal import ConnectionRemoval
from app.text_safety import display_text

if TYPE_CHECKING:
    from app.cli.main import Services


async def run(args: Namespace, services: Services) -> ExitCode:
    handlers = {
        "add": _add,
        "edit": connection_edit.edit,
        "list": _list,
        "import": _import,
        "export": _export,
    }
    if args.action == "test":
        return await _test(args, services)
    if args.action == "remove":
        return await _remove(args, services)
    return handlers[args.action](args, services)


def _add(args: Namespace, services: Services) -> ExitCode:
    if not args.url or not args.user:
        raise UsageError("connections add needs --url and --user.")
    profile = ConnectionProfile(
        name=args.name,
        group=args.group,
        tag=args.tag,
        read_only=args.read_only,
        urls=args.url,
        username=args.user,
        tls=trust_options(ca=args.ca, pin=args.pin),
        proxy=proxy_options(args.proxy),
        poll_interval_s=args.poll_interval,
        notes=args.notes,
        remember_password=args.save_password,
        capacity=args.capacity,
    )
    if any(p.name.casefold() == profile.name.casefold() for p in services.store.load().profiles):
        raise UsageError(f"A connection named {profile.name!r} already exists.")
    warnings: list[str] = []
    if args.save_password:
        warning = save_password(profile, services.credentials)
        if warning is not None:
            warnings.append(warning)
            profile = profile.with_changes(remember_password=False)
    services.store.add(profile)
    for warning in warnings:
        print(f"warning: {display_text(warning, WARNING_LIMIT)}", file=sys.stderr)
    if args.json:
        print_json({**describe_profile(profile), "warnings": warnings})
    else:
        saved = " with its password" if profile.remember_password else ""
        print(f"Saved {display_text(repr(profile.name))} ({profile.id}){saved}.")
    return ExitCode.OK


def _list(args: Namespace, services: Services) -> ExitCode:
    result = services.store.load()
    for problem in result.problems:
        print(f"warning: {display_text(problem, WARNING_LIMIT)}", file=sys.stderr)
    profiles = sorted(result.profiles, key=lambda p: (p.group.casefold(), p.name.casefold()))
    if args.names:
        names = [p.name for p in profiles]
        if args.json:
            print_json(names)
        for name in [] if args.json else names:
            print(display_text(name))
        return ExitCode.OK
    if args.json:
        print_json([describe_profile(p) for p in profiles])
        return ExitCode.OK
    rows = [
        [
            p.name,
            p.group or "-",
            p.tag.label or "-",
            ", ".join(p.urls),
            p.username,
            "read-only" if p.read_only else "",
        ]
        for p in profiles
    ]
    print(table(["NAME", "GROUP", "TAG", "URLS", "USER", ""], rows) if rows else "No connections.")
    return ExitCode.OK


async def _remove(args: Namespace, services: Services) -> ExitCode:
    """Remove the connection with its password, alert settings and load history (the
    same removal as the window's Delete)."""
    profile = find_profile(services.store.load().profiles, args.name)
    removal = ConnectionRemoval.for_files(services.paths, services.store, services.credentials)
    report = await removal.remove(profile.id)
    if report is None:  # removed by another process since it was looked up
        raise UsageError(f"No saved connection is named {profile.name!r}.")
    name = display_text(repr(profile.name))
    for problem in report.problems:
        print(f"warning: {display_text(problem, WARNING_LIMIT)}", file=sys.stderr)
    had_password = bool(report.password_removed)
    if report.password_removed is None:
        outcome = f"Removed {name}; its saved password could not be checked."
    elif had_password:
        outcome = f"Removed {name} and its saved password."
    elif not services.credentials.available:
        outcome = f"Removed {name} (no system keyring here, so no saved password)."
    else:
        outcome = f"Removed {name}; it had no saved password."
    if args.json:
        print_json(
            {
                "removed": profile.id,
                "name": profile.name,
                "password_removed": had_password,
                "warnings": report.problems,
            }
        )
    else:
        print(outcome)
    return ExitCode.OK


def _import(args: Namespace, services: Services) -> ExitCode:
    """Add every valid entry of the file in one write (all or nothing); report the rest."""
    result = import_connections(Path(args.file), services.store.load().profiles)
    for problem in result.problems:
        print(f"warning: {display_text(problem, WARNING_LIMIT)}", file=sys.stderr)
    services.store.add_many(result.profiles)
    if args.json:
        print_json(
            {
                "imported": [p.name for p in result.profiles],
                "skipped": result.skipped,
                "problems": result.problems,
            }
        )
    else:
        skipped = f"; {result.skipped} entries skipped (see the warnings)" if result.skipped else ""
        print(f"Imported {len(result.profiles)} connection(s){skipped}.")
    return ExitCode.OK


def _export(args: Namespace, services: Services) -> ExitCode:
    profiles = services.store.load().profiles
    chosen = [find_profile(profiles, n) for n in args.names] if args.names else profiles
    count = export_connections(chosen, Path(args.file))
    if args.json:
        print_json({"exported": count, "file": args.file})
    else:
        print(f"Exported {count} connection(s) to {args.file} (passwords are not exported).")
    return ExitCode.OK


async def _test(args: Namespace, services: Services) -> ExitCode:
    """Healthcheck every URL of the connection, then log in once."""
    from app.api.client import ManagementClient  # not paid by the other connection commands

    profiles = services.store.load().profiles
    if args.name:
        target = Target(find_profile(profiles, args.name), saved=True)
    else:
        target = resolve_target(args, profiles)
    results: list[dict[str, Any]] = []
    worst = ExitCode.OK
    failures: list[tuple[ExitCode, str, str]] = []  # (code, message, kind) of failed checks

    def failed(entry: dict[str, Any], code: ExitCode, message: str, kind: str) -> None:
        nonlocal worst
        results.append({**entry, "ok": False, "error": message})
        failures.append((code, message, kind))
        worst = max(worst, code)

    async with ManagementClient(
        target.profile.endpoint_settings(), password_source(target, services.credentials)
    ) as client:
        for url in target.profile.urls:
            check = {"check": "health", "url": url}
            try:
                report = await client.health(url)
            except ConsoleError as error:
                if isinstance(error, TlsError) and error.certificate is not None:
                    check["certificate_sha256"] = error.certificate.sha256
                failed(check, ExitCode.CONNECTION, cli_message(error), error_kind(error))
                continue
            status = report.status.value
            if report.ok:
                results.append({**check, "ok": True, "status": status})
            else:
                message = f"{url} reports {status}."
                failed({**check, "status": status}, ExitCode.CONNECTION, message, "unhealthy")
        try:
            await client.login()
            results.append({"check": "login", "url": client.active_url, "ok": True})
        except ConsoleError as error:
            failed({"check": "login"}, exit_code_for(error), cli_message(error), error_kind(error))
    if args.json and failures:  # the error object of every command, for the worst failure
        _, message, kind = max(failures, key=lambda failure: failure[0])  # first of equals
        document = {"error": message, "exit_code": int(worst), "kind": kind, "checks": results}
        print(f"error: {display_text(message, ERROR_LIMIT)}", file=sys.stderr)
        print_json_line(document)
    elif args.json:
        print_json(results)
    else:
        for r in results:
            mark = "ok  " if r["ok"] else "FAIL"
            what = display_text(r.get("error") or r.get("status", ""), ERROR_LIMIT)
            print(f"{mark} {r['check']:<6} {r.get('url', '')}  {what}".rstrip())
    return worst
