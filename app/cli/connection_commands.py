"""``connections add|list|remove|test|import|export``."""

from __future__ import annotations

import getpass
import os
import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.api.client import ManagementClient
from app.api.errors import ConsoleError, TlsError
from app.api.settings import ProxyMode
from app.cli.exitcodes import ExitCode, UsageError, exit_code_for
from app.cli.render import print_json, table
from app.cli.target import (
    PASSWORD_ENV_VAR,
    Target,
    find_profile,
    password_source,
    resolve_target,
)
from app.connections import (
    ConnectionProfile,
    ProxyOptions,
    export_connections,
    import_connections,
)
from app.credentials import Secret
from app.text_safety import display_text

WARNING_LIMIT = 400

if TYPE_CHECKING:
    from app.cli.main import Services


async def run(args: Namespace, services: Services) -> ExitCode:
    handlers = {
        "add": _add,
        "list": _list,
        "remove": _remove,
        "import": _import,
        "export": _export,
    }
    if args.action == "test":
        return await _test(args, services)
    return handlers[args.action](args, services)


def _describe(profile: ConnectionProfile) -> dict[str, Any]:
    return {
        "id": profile.id,
        "name": profile.name,
        "group": profile.group,
        "tag": profile.tag.value,
        "read_only": profile.read_only,
        "urls": list(profile.urls),
        "username": profile.username,
        "tls": profile.tls.mode.value,
        "poll_interval_s": profile.poll_interval_s,
    }


def _add(args: Namespace, services: Services) -> ExitCode:
    if not args.url or not args.user:
        raise UsageError("connections add needs --url and --user.")
    if args.ca and args.pin:
        raise UsageError("Use either --ca or --pin, not both.")
    tls: dict[str, str] = {"mode": "system"}
    if args.ca:
        tls = {"mode": "ca_file", "ca_file": str(Path(args.ca).expanduser().absolute())}
    elif args.pin:
        tls = {"mode": "pinned", "pinned_sha256": args.pin}
    proxy = (
        ProxyOptions(mode=ProxyMode(args.proxy))
        if args.proxy in ("system", "none")
        else ProxyOptions(mode=ProxyMode.URL, url=args.proxy)
    )
    profile = ConnectionProfile(
        name=args.name,
        group=args.group,
        tag=args.tag,
        read_only=args.read_only,
        urls=args.url,
        username=args.user,
        tls=tls,
        proxy=proxy,
        poll_interval_s=args.poll_interval,
        notes=args.notes,
        remember_password=args.save_password,
    )
    if any(p.name.casefold() == profile.name.casefold() for p in services.store.load().profiles):
        raise UsageError(f"A connection named {profile.name!r} already exists.")
    if args.save_password:
        if services.credentials is None:
            raise UsageError("No system keyring is available: the password cannot be saved.")
        password = os.environ.get(PASSWORD_ENV_VAR) or _ask(profile)
        services.credentials.set(profile, Secret(password))
    services.store.add(profile)
    if args.json:
        print_json(_describe(profile))
    else:
        print(f"Saved {display_text(repr(profile.name))} ({profile.id}).")
    return ExitCode.OK


def _ask(profile: ConnectionProfile) -> str:
    if not sys.stdin.isatty():
        raise UsageError(f"Set {PASSWORD_ENV_VAR} or run in a terminal to save a password.")
    return getpass.getpass(f"Password for {profile.username}@{profile.name}: ")


def _list(args: Namespace, services: Services) -> ExitCode:
    result = services.store.load()
    for problem in result.problems:
        print(f"warning: {display_text(problem, WARNING_LIMIT)}", file=sys.stderr)
    profiles = sorted(result.profiles, key=lambda p: (p.group.casefold(), p.name.casefold()))
    if args.json:
        print_json([_describe(p) for p in profiles])
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


def _remove(args: Namespace, services: Services) -> ExitCode:
    profile = find_profile(services.store.load().profiles, args.name)
    services.store.remove(profile.id)
    if services.credentials is not None:
        services.credentials.delete(profile)
    if not args.json:
        print(f"Removed {display_text(repr(profile.name))} and its saved password.")
    else:
        print_json({"removed": profile.id})
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
    profiles = services.store.load().profiles
    if args.name:
        target = Target(find_profile(profiles, args.name), saved=True)
    else:
        target = resolve_target(args, profiles)
    results: list[dict[str, Any]] = []
    worst = ExitCode.OK
    async with ManagementClient(
        target.profile.endpoint_settings(), password_source(target, services.credentials)
    ) as client:
        for url in target.profile.urls:
            try:
                report = await client.health(url)
                results.append(
                    {"check": "health", "url": url, "ok": report.ok, "status": report.status.value}
                )
                if not report.ok:
                    worst = max(worst, ExitCode.CONNECTION)
            except ConsoleError as error:
                entry: dict[str, Any] = {
                    "check": "health",
                    "url": url,
                    "ok": False,
                    "error": error.message,
                }
                if isinstance(error, TlsError) and error.certificate is not None:
                    entry["certificate_sha256"] = error.certificate.sha256
                results.append(entry)
                worst = max(worst, ExitCode.CONNECTION)
        try:
            await client.login()
            results.append({"check": "login", "url": client.active_url, "ok": True})
        except ConsoleError as error:
            results.append({"check": "login", "ok": False, "error": error.message})
            worst = max(worst, exit_code_for(error))
    if args.json:
        print_json(results)
    else:
        for r in results:
            mark = "ok  " if r["ok"] else "FAIL"
            what = r.get("status") or r.get("error", "")
            print(f"{mark} {r['check']:<6} {r.get('url', '')}  {what}".rstrip())
            if "certificate_sha256" in r:
                print(f"     certificate SHA-256: {r['certificate_sha256']} (trust it with --pin)")
    return worst
