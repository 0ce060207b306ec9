"""The command line's grammar."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from app import __version__
from app.cli.exitcodes import UsageError
from app.connections import EnvironmentTag

EPILOG = """\
exit codes: 0 success, 1 other failure, 2 usage, 3 connection or TLS,
4 authentication, 5 conflict or refused action (including no permission).
The password comes from EKRAN_CONSOLE_PASSWORD, the system keyring, or a prompt.
"""
SHELLS = ("bash", "powershell")


class CommandLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose mistakes raise ``UsageError`` instead of exiting.

    The usage line still goes to stderr at once; ``main`` then reports the error like
    any other (so ``--json`` gets its error object too) and exits 2, as argparse would.
    """

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        raise UsageError(f"{self.prog}: {message}")


def _output_options() -> CommandLineParser:
    output = CommandLineParser(add_help=False)
    output.add_argument("--json", action="store_true", help="machine-readable output")
    output.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    return output


def _endpoint_options(group: argparse._ArgumentGroup, *, required: bool) -> None:
    group.add_argument(
        "--url",
        action="append",
        metavar="URL",
        required=required,
        help="a Management Tool URL, e.g. mt01.corp.local (repeat for failover)",
    )
    group.add_argument("--user", metavar="NAME", required=required, help="user name")
    group.add_argument("--ca", metavar="FILE", help="trust this CA certificate file")
    group.add_argument(
        "--pin", metavar="SHA256", help="trust exactly the certificate with this fingerprint"
    )


def _cluster_options(output: CommandLineParser) -> CommandLineParser:
    cluster = CommandLineParser(add_help=False, parents=[output])
    target = cluster.add_argument_group(
        "cluster", "a saved connection, or an ad hoc one with --url and --user"
    )
    target.add_argument("-c", "--connection", metavar="NAME", help="a saved connection")
    _endpoint_options(target, required=False)
    return cluster


def build_parser() -> argparse.ArgumentParser:
    output = _output_options()
    common = _cluster_options(output)
    parser = CommandLineParser(
        prog="ekran-console-cli",
        description="Ekran Cluster Console from the command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _add_connections(commands, output, common)

    commands.add_parser("servers", parents=[common], help="list the cluster's servers")
    isolate = commands.add_parser(
        "isolate", parents=[common], help="put a server into Isolation mode"
    )
    isolate.add_argument(
        "server", metavar="SERVER", nargs="+", help="server id or name (several: --dry-run)"
    )
    isolate.add_argument("--reason", help="why (shown to other admins)")
    isolate.add_argument(
        "--force", action="store_true", help="even if no other server would stay in service"
    )
    isolate.add_argument(
        "--dry-run",
        action="store_true",
        help="change nothing: show where the Clients would go and any warning",
    )
    back = commands.add_parser("return", parents=[common], help="return a server to service")
    back.add_argument("server", metavar="SERVER", help="server id or name")
    version = commands.add_parser("version", parents=[common], help="ask a server its version")
    version.add_argument("server", metavar="SERVER", help="server id or name")
    logs = commands.add_parser("logs", parents=[common], help="download a server's logs")
    logs.add_argument("server", metavar="SERVER", help="server id or name")
    logs.add_argument("--out", metavar="DIR", default=".", help="folder (default: current)")
    _add_rollout(commands, common)
    watch = commands.add_parser("watch", parents=[common], help="live table of the servers")
    watch.add_argument("--interval", type=float, metavar="SECONDS", help="poll interval")
    watch.add_argument("--count", type=int, metavar="N", help="stop after N updates")
    shell = commands.add_parser(
        "completion",
        help="print a shell completion script",
        description="Print a completion script. bash: source <(ekran-console-cli completion "
        "bash); PowerShell: ekran-console-cli completion powershell | Out-String | "
        "Invoke-Expression (add the line to $PROFILE to keep it).",
    )
    shell.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    return parser


def _add_connections(
    commands: argparse._SubParsersAction[CommandLineParser],
    output: CommandLineParser,
    common: CommandLineParser,
) -> None:
    connections = commands.add_parser("connections", help="manage saved connections")
    actions = connections.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", parents=[output], help="save a new connection")
    add.add_argument("name", metavar="NAME", help="a name for the connection")
    _endpoint_options(add.add_argument_group("endpoint"), required=True)
    add.add_argument("--group", default="", help='folder, e.g. "Customers/Acme"')
    add.add_argument(
        "--tag", choices=[t.value for t in EnvironmentTag], default="none", help="environment"
    )
    add.add_argument("--read-only", action="store_true", help="never allow isolation")
    add.add_argument(
        "--proxy", metavar="system|none|URL", default="system", help="proxy (default: system)"
    )
    add.add_argument(
        "--poll-interval",
        type=float,
        metavar="SECONDS",
        default=2.0,
        help="how often the cluster is polled (default: 2)",
    )
    add.add_argument("--notes", default="", help="free text shown with the connection")
    add.add_argument(
        "--capacity",
        type=int,
        metavar="N",
        help="Clients one server should carry at most (isolate warns above it)",
    )
    add.add_argument(
        "--save-password",
        action="store_true",
        help="store the password (from the environment or a prompt) in the system keyring",
    )
    _add_edit(actions, output)
    listing = actions.add_parser("list", parents=[output], help="list saved connections")
    listing.add_argument(
        "--names", action="store_true", help="only the names, one a line (for scripts)"
    )
    remove = actions.add_parser(
        "remove", parents=[output], help="delete a saved connection and its saved password"
    )
    remove.add_argument("name", metavar="NAME")
    test = actions.add_parser("test", parents=[common], help="check health and login")
    test.add_argument("name", metavar="NAME", nargs="?")
    imp = actions.add_parser("import", parents=[output], help="import connections from a file")
    imp.add_argument("file", metavar="FILE")
    exp = actions.add_parser("export", parents=[output], help="export connections (no secrets)")
    exp.add_argument("file", metavar="FILE")
    exp.add_argument("names", metavar="NAME", nargs="*", help="only these (default: all)")


def _add_rollout(
    commands: argparse._SubParsersAction[CommandLineParser],
    common: CommandLineParser,
) -> None:
    rollout = commands.add_parser(
        "rollout",
        parents=[common],
        help="rolling maintenance: one server at a time (resumes a saved run)",
        description="Isolate, drain, wait for the upgrade, verify and return each server "
        "in turn. Exit 0 when all are done, 5 when a check or stop condition pauses the "
        "run; running the same command again resumes it.",
    )
    rollout.add_argument(
        "server", metavar="SERVER", nargs="*", help="servers in order (default: all)"
    )
    rollout.add_argument("--target-version", metavar="V", help="the version each must come back on")
    rollout.add_argument(
        "--drain-timeout", type=float, metavar="SECONDS", help="longest drain (default: 1800)"
    )
    rollout.add_argument(
        "--settle", type=float, metavar="SECONDS", help="wait after each return (default: 60)"
    )
    rollout.add_argument("--reason", help="written into each isolation")
    rollout.add_argument(
        "--no-restart",
        action="store_true",
        help="do not wait for a stop and start; a line on standard input (or its end) says done",
    )
    rollout.add_argument("--yes", action="store_true", help="start without asking")
    rollout.add_argument(
        "--force", action="store_true", help="pass the pre-flight checks that can be overridden"
    )


def _add_edit(
    actions: argparse._SubParsersAction[CommandLineParser],
    output: CommandLineParser,
) -> None:
    """``connections edit NAME``: every option is optional and changes only its field."""
    edit = actions.add_parser(
        "edit",
        parents=[output],
        help="change a saved connection",
        description="Change the given fields of a saved connection; the others stay. The "
        "result is checked like 'connections add'.",
    )
    edit.add_argument("name", metavar="NAME", help="the connection's name or id")
    edit.add_argument("--name", dest="new_name", metavar="NEW_NAME", help="rename it")
    urls = edit.add_argument_group("URLs")
    urls.add_argument(
        "--url",
        action="append",
        metavar="URL",
        help="replace the URLs (repeat for failover, in the order to try)",
    )
    urls.add_argument("--add-url", action="append", metavar="URL", help="append a URL")
    urls.add_argument("--remove-url", action="append", metavar="URL", help="remove a URL")
    edit.add_argument("--user", metavar="NAME", help="user name")
    trust = edit.add_mutually_exclusive_group()
    trust.add_argument("--ca", metavar="FILE", help="trust this CA certificate file")
    trust.add_argument(
        "--pin", metavar="SHA256", help="trust exactly the certificate with this fingerprint"
    )
    trust.add_argument(
        "--system-trust", action="store_true", help="trust the system's certificate store"
    )
    edit.add_argument("--group", help='folder, e.g. "Customers/Acme" ("" for none)')
    edit.add_argument("--tag", choices=[t.value for t in EnvironmentTag], help="environment")
    edit.add_argument(
        "--read-only",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="never allow isolation (--no-read-only allows it)",
    )
    edit.add_argument("--proxy", metavar="system|none|URL", help="proxy")
    edit.add_argument("--poll-interval", type=float, metavar="SECONDS", help="poll interval")
    edit.add_argument("--notes", help="free text shown with the connection")
    edit.add_argument(
        "--capacity",
        type=int,
        metavar="N",
        help="Clients one server should carry at most (0: no limit)",
    )
    password = edit.add_mutually_exclusive_group()
    password.add_argument(
        "--save-password",
        action="store_true",
        help="store the password (from the environment or a prompt) in the system keyring",
    )
    password.add_argument(
        "--forget-password", action="store_true", help="delete the saved password"
    )
