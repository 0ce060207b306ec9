"""``isolate`` and ``return``: the action, and a message that says what actually happened.

The API's isolation request is idempotent: isolating an isolated server answers 200 and,
per the contract, keeps the original ``since``, ``by`` and ``reason`` (a Management Tool
that accepts a new reason would return it). The state before the request (from the
snapshot the server was found in) and the reply together tell which case it was.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Sequence
from typing import Any

from app.actions import ClusterActions
from app.analysis import is_serving, isolation_impact
from app.api.errors import ConflictError
from app.api.models import Isolation, Server, ServerStatus
from app.cli.exitcodes import ExitCode
from app.cli.render import age_text, print_json, status_text, table
from app.text_safety import display_text


def was_isolated(server: Server) -> bool:
    return server.isolation is not None or server.status is ServerStatus.ISOLATED


async def isolate(
    args: Namespace, actions: ClusterActions, servers: Sequence[Server], server: Server
) -> ExitCode:
    """Isolate ``server``; a refusal for being the last one in service names ``--force``."""
    try:
        after = await actions.isolate(server.id, reason=args.reason, force=args.force)
    except ConflictError as error:
        if args.force or not _would_be_last(servers, server):
            raise
        raise ConflictError(
            f"{display_text(server.name)} is the last server taking Clients: isolating it "
            "would leave none. Add --force to isolate it anyway.",
            server_detail=error.server_detail,
            detail=error.detail,
            url=error.url,
        ) from error
    facts: dict[str, Any] = {"changed": not was_isolated(server)}
    name = display_text(after.name)
    if not was_isolated(server):
        line = f"{name} is {status_text(after)}."
    else:
        line = f"{name} was already isolated{_isolation_text(after.isolation)}."
        if args.reason is not None and args.reason != _reason(server):
            updated = _reason(after) == args.reason
            facts["reason_updated"] = updated
            line += (
                f" Its reason was updated to {display_text(repr(args.reason))}."
                if updated
                else " The Management Tool kept that reason: return the server to service "
                "and isolate it again to give a new one."
            )
        else:
            line += " Nothing changed."
    return _report(args, after, facts, line)


async def return_to_service(args: Namespace, actions: ClusterActions, server: Server) -> ExitCode:
    """Return ``server`` to service; a server that was not isolated is reported as such."""
    after = await actions.return_to_service(server.id)
    name = display_text(after.name)
    if was_isolated(server):
        line = f"{name} is back in service ({status_text(after)})."
    else:
        line = f"{name} was not isolated; nothing changed (it is {status_text(after)})."
    return _report(args, after, {"changed": was_isolated(server)}, line)


def dry_run(
    args: Namespace, servers: Sequence[Server], chosen: Sequence[Server], capacity: int | None
) -> ExitCode:
    """Print what isolating ``chosen`` would do (the isolate dialog's numbers); change nothing."""
    impact = isolation_impact(servers, [s.id for s in chosen], capacity=capacity)
    if args.json:
        print_json({"dry_run": True, **impact.to_json()})
        return ExitCode.OK
    already = [s for s in chosen if was_isolated(s) or not is_serving(s)]
    print(f"Dry run, nothing was changed. Isolating would move {impact.to_move} Clients:")
    print(f"  {impact.moving_text()}.")
    for server in already:
        print(f"  note: {display_text(server.name)} is {status_text(server)} already.")
    rows = [
        [
            row.server.name,
            str(row.now),
            str(row.after) + (" (over capacity)" if row.over_capacity else ""),
        ]
        for row in impact.staying
    ]
    if rows:
        print(table(["Stays in service", "Clients now", "Clients after"], rows))
    for line in impact.warnings():
        print(f"warning: {line}")
    return ExitCode.OK


def _would_be_last(servers: Sequence[Server], server: Server) -> bool:
    return is_serving(server) and isolation_impact(servers, [server.id]).leaves_none_serving


def _reason(server: Server) -> str | None:
    return server.isolation.reason if server.isolation is not None else None


def _isolation_text(isolation: Isolation | None) -> str:
    """ " since 2026-03-12 09:40 (5 min ago) by admin with reason 'patching'"."""
    if isolation is None:
        return ""
    text = ""
    if isolation.since is not None:
        local = isolation.since.astimezone()
        text += f" since {local:%Y-%m-%d %H:%M} ({age_text(isolation.since)})"
    if isolation.by:
        text += f" by {display_text(isolation.by)}"
    reason = isolation.reason
    return text + (f" with reason {display_text(repr(reason))}" if reason else " without a reason")


def _report(args: Namespace, server: Server, facts: dict[str, Any], line: str) -> ExitCode:
    if args.json:
        print_json({**server.model_dump(mode="json"), **facts})
    else:
        print(line)
    return ExitCode.OK
