"""Entry point of ``ekran-console-cli``: parse, wire the core's services, run, map errors."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.api.errors import ConsoleError
from app.audit import AuditLog
from app.cli import completion, connection_commands
from app.cli.exitcodes import (
    ERROR_LIMIT,
    INTERRUPTED,
    ExitCode,
    UsageError,
    error_kind,
    exit_code_for,
)
from app.cli.messages import cli_message, error_facts
from app.cli.parser import build_parser
from app.connections import ConnectionStore, ConnectionStoreError, TransferError
from app.credentials import CredentialStore, system_or_null
from app.logsetup import configure_logging, redact, shutdown_logging
from app.paths import AppPaths
from app.text_safety import display_text, escape_json_output

log = logging.getLogger(__name__)
CLI_LOG_FILE = "cli.log"
# Failures with a message written for people: shown as they are, without "Unexpected".
EXPECTED_FAILURES = (OSError, UsageError, ConsoleError, ConnectionStoreError, TransferError)


@dataclass(frozen=True)
class Services:
    """What a command may use; built once in ``main``."""

    paths: AppPaths
    store: ConnectionStore
    credentials: CredentialStore  # a NullCredentialStore without a usable keyring
    audit: AuditLog


def build_services(paths: AppPaths) -> Services:
    return Services(
        paths=paths,
        store=ConnectionStore(paths),
        credentials=system_or_null(),
        audit=AuditLog.in_data_dir(paths),
    )


def main(
    argv: Sequence[str] | None = None,
    *,
    services_factory: Callable[[AppPaths], Services] = build_services,
) -> int:
    """Run one command; returns the process exit code (see ``ExitCode``).

    With ``--json`` every failure also prints one JSON object on stdout (see ``report``),
    including a mistake in the arguments. ``services_factory`` lets tests supply the
    keyring.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments
    try:
        args = build_parser().parse_args(arguments)
    except UsageError as error:  # before logging is set up: nothing to log it to
        return report(error, as_json=as_json, logged=False)
    if args.command == "completion":
        print(completion.script(args.shell, build_parser()))
        return int(ExitCode.OK)
    paths = AppPaths.default()
    configure_logging(paths, console=args.verbose, file_name=CLI_LOG_FILE)
    try:
        services = services_factory(paths)
        if args.command == "connections":
            return int(asyncio.run(connection_commands.run(args, services)))
        # Imported here: the HTTP client and the monitor cost a start-up the connection
        # commands (a 10,000-entry import among them) need not pay.
        if args.command == "rollout":
            from app.cli import rollout_command

            return int(asyncio.run(rollout_command.run(args, services)))
        from app.cli import cluster_commands

        return int(asyncio.run(cluster_commands.run(args, services)))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        if as_json:
            _print_error_json("Interrupted.", INTERRUPTED, "interrupted", {})
        return INTERRUPTED
    except Exception as error:  # every failure ends as one clear line and an exit code
        return report(error, as_json=getattr(args, "json", False))
    finally:
        shutdown_logging()


def report(error: BaseException, *, as_json: bool = False, logged: bool = True) -> int:
    """Print the one-line message to stderr, log the detail, return the exit code.

    With ``as_json`` the same failure is also printed to stdout as one compact JSON
    object on its own line: ``error`` (the message), ``exit_code``, ``kind`` (see
    ``error_kind``) and, where known, ``url``, ``tls_error`` and ``certificate``.
    """
    code = exit_code_for(error)
    message = cli_message(error)
    detail = getattr(error, "detail", "")
    kind = error_kind(error)
    if code is ExitCode.FAILURE and not isinstance(error, EXPECTED_FAILURES):
        log.error("unexpected failure", exc_info=error)
        message = f"Unexpected error: {redact(message)} (details in the log)"
    elif logged:
        log.warning("%s | %s", message, detail)
    print(f"error: {display_text(redact(message), ERROR_LIMIT)}", file=sys.stderr)
    if as_json:
        _print_error_json(redact(message), int(code), kind, error_facts(error))
    return int(code)


def _print_error_json(message: str, code: int, kind: str, facts: dict[str, object]) -> None:
    document = {"error": message, "exit_code": code, "kind": kind, **facts}
    print(escape_json_output(json.dumps(document, ensure_ascii=False, default=str)))
    sys.stdout.flush()
