"""Entry point of ``ekran-console-cli``: parse, wire the core's services, run, map errors."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from app.api.errors import ConsoleError
from app.audit import AuditLog
from app.cli import cluster_commands, connection_commands, rollout_command
from app.cli.exitcodes import ExitCode, UsageError, exit_code_for
from app.cli.parser import build_parser
from app.connections import ConnectionStore, ConnectionStoreError, TransferError
from app.credentials import CredentialStore, KeyringUnavailableError
from app.logsetup import configure_logging, redact, shutdown_logging
from app.paths import AppPaths

log = logging.getLogger(__name__)
CLI_LOG_FILE = "cli.log"
# Failures with a message written for people: shown as they are, without "Unexpected".
EXPECTED_FAILURES = (OSError, UsageError, ConsoleError, ConnectionStoreError, TransferError)


@dataclass(frozen=True)
class Services:
    """What a command may use; built once in ``main``."""

    paths: AppPaths
    store: ConnectionStore
    credentials: CredentialStore | None  # None: no usable keyring on this machine
    audit: AuditLog


def build_services(paths: AppPaths) -> Services:
    try:
        credentials: CredentialStore | None = CredentialStore.system()
    except KeyringUnavailableError as error:
        log.info("no keyring: %s", error)
        credentials = None
    return Services(
        paths=paths,
        store=ConnectionStore(paths),
        credentials=credentials,
        audit=AuditLog.in_data_dir(paths),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code (see ``ExitCode``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    paths = AppPaths.default()
    configure_logging(paths, console=args.verbose, file_name=CLI_LOG_FILE)
    try:
        services = build_services(paths)
        if args.command == "connections":
            return int(asyncio.run(connection_commands.run(args, services)))
        if args.command == "rollout":
            return int(asyncio.run(rollout_command.run(args, services)))
        return int(asyncio.run(cluster_commands.run(args, services)))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as error:  # every failure ends as one clear line and an exit code
        return report(error)
    finally:
        shutdown_logging()


def report(error: BaseException) -> int:
    """Print the one-line message to stderr, log the detail, return the exit code."""
    code = exit_code_for(error)
    message = str(error) or type(error).__name__
    detail = getattr(error, "detail", "")
    if code is ExitCode.FAILURE and not isinstance(error, EXPECTED_FAILURES):
        log.error("unexpected failure", exc_info=error)
        message = f"Unexpected error: {redact(message)} (details in the log)"
    else:
        log.warning("%s | %s", message, detail)
    print(f"error: {redact(message)}", file=sys.stderr)
    return int(code)
