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


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    target = common.add_argument_group("cluster")
    target.add_argument("-c", "--connection", metavar="NAME", help="a saved connection")
    target.add_argument(
        "--url", action="append", metavar="URL", help="a Management Tool URL (repeatable)"
    )
    target.add_argument("--user", metavar="NAME", help="user name with --url")
    target.add_argument("--ca", metavar="FILE", help="trust this CA certificate file")
    target.add_argument("--pin", metavar="SHA256", help="trust the certificate with this hash")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="ekran-console-cli",
        description="Ekran Cluster Console from the command line.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    _add_connections(commands, common)

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
    watch = commands.add_parser("watch", parents=[common], help="live table of the servers")
    watch.add_argument("--interval", type=float, metavar="SECONDS", help="poll interval")
    watch.add_argument("--count", type=int, metavar="N", help="stop after N updates")
    return parser


def _add_connections(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    connections = commands.add_parser("connections", help="manage saved connections")
    actions = connections.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", parents=[common], help="save a new connection")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--group", default="", help='folder, e.g. "Customers/Acme"')
    add.add_argument("--tag", choices=[t.value for t in EnvironmentTag], default="none")
    add.add_argument("--read-only", action="store_true", help="never allow isolation")
    add.add_argument("--proxy", metavar="system|none|URL", default="system")
    add.add_argument("--poll-interval", type=float, metavar="SECONDS", default=2.0)
    add.add_argument("--notes", default="")
    add.add_argument(
        "--save-password",
        action="store_true",
        help="store the password (from the environment or a prompt) in the system keyring",
    )
    actions.add_parser("list", parents=[common], help="list saved connections")
    remove = actions.add_parser("remove", parents=[common], help="delete a saved connection")
    remove.add_argument("name", metavar="NAME")
    test = actions.add_parser("test", parents=[common], help="check health and login")
    test.add_argument("name", metavar="NAME", nargs="?")
    imp = actions.add_parser("import", parents=[common], help="import connections from a file")
    imp.add_argument("file", metavar="FILE")
    exp = actions.add_parser("export", parents=[common], help="export connections (no secrets)")
    exp.add_argument("file", metavar="FILE")
    exp.add_argument("names", metavar="NAME", nargs="*", help="only these (default: all)")
