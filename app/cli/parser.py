"""The command line's grammar."""

from __future__ import annotations

import argparse

from app import __version__
from app.connections import EnvironmentTag

EPILOG = """\
exit codes: 0 success, 1 other failure, 2 usage, 3 connection or TLS,
4 authentication, 5 conflict or refused action.
The password comes from EKRAN_CONSOLE_PASSWORD, the system keyring, or a prompt.
"""


def _output_options() -> argparse.ArgumentParser:
    output = argparse.ArgumentParser(add_help=False)
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


def _cluster_options(output: argparse.ArgumentParser) -> argparse.ArgumentParser:
    cluster = argparse.ArgumentParser(add_help=False, parents=[output])
    target = cluster.add_argument_group(
        "cluster", "a saved connection, or an ad hoc one with --url and --user"
    )
    target.add_argument("-c", "--connection", metavar="NAME", help="a saved connection")
    _endpoint_options(target, required=False)
    return cluster


def build_parser() -> argparse.ArgumentParser:
    output = _output_options()
    common = _cluster_options(output)
    parser = argparse.ArgumentParser(
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
    isolate.add_argument("server", metavar="SERVER", help="server id or name")
    isolate.add_argument("--reason", help="why (shown to other admins)")
    isolate.add_argument(
        "--force", action="store_true", help="even if no other server would stay in service"
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
    return parser


def _add_connections(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    output: argparse.ArgumentParser,
    common: argparse.ArgumentParser,
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
        "--save-password",
        action="store_true",
        help="store the password (from the environment or a prompt) in the system keyring",
    )
    actions.add_parser("list", parents=[output], help="list saved connections")
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
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
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
