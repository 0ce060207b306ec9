"""``python -m simulator``: the command line of the reference Management Tool cluster."""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from simulator.auth import LOCKOUT_FAILURES, LOCKOUT_WINDOW_S
from simulator.http_api import BASE_PATH
from simulator.http_documented import normalize_base_path
from simulator.logs import MIN_ARCHIVE_BYTES
from simulator.options import (
    DEFAULT_LOG_SIZE,
    DEFAULT_USERNAME,
    MAX_TIME_SCALE,
    VIEWER_USERNAME,
    SimulatorOptions,
)
from simulator.runner import StartupError, serve
from simulator.tls import TlsError

MAX_PORT = 65535
DEMO_BASE_PORT = 47801
DEMO_CONTROL_PORT = 47800
DEMO_PASSWORD = "ekran-demo"
DEMO_DATA_DIR = "ekran-cluster-simulator"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description=(
            "Simulated Ekran System HA cluster: one Management Tool endpoint per Application "
            "Server on 127.0.0.1, a control API, and a ready file. See docs/simulator.md."
        ),
    )
    add = parser.add_argument
    add(
        "--servers",
        metavar="N",
        type=_int_at_least(1),
        default=4,
        help="Application Servers (default 4)",
    )
    add("--clients", metavar="M", type=_int_at_least(0), default=100, help="Clients (default 100)")
    add(
        "--host",
        metavar="HOST",
        default="127.0.0.1",
        help="address the endpoints listen on (default 127.0.0.1)",
    )
    add(
        "--base-port",
        metavar="P",
        type=_port,
        default=None,
        help="0: free ports (default); else server i (from 0) listens on P+i",
    )
    add(
        "--endpoints",
        metavar="K",
        type=_int_at_least(1),
        default=None,
        help="open endpoints only for the first K servers",
    )
    add(
        "--tls-dir",
        metavar="DIR",
        type=Path,
        default=None,
        help="CA and certificate directory (default: temporary)",
    )
    add(
        "--remove-tls-dir",
        action="store_true",
        help="delete --tls-dir when stopping (it holds the CA's private key)",
    )
    add("--insecure-http", action="store_true", help="serve plain HTTP instead of HTTPS")
    add(
        "--ready-file",
        metavar="PATH",
        type=Path,
        default=None,
        help="write the ready JSON here once listening",
    )
    add(
        "--seed",
        metavar="S",
        type=int,
        default=0,
        help="random seed of the cluster dynamics (default 0)",
    )
    add(
        "--time-scale",
        metavar="X",
        type=_float_between(0.0, MAX_TIME_SCALE),
        default=1.0,
        help="simulated seconds per real second; 0 freezes time (default 1)",
    )
    add(
        "--drain-seconds",
        metavar="D",
        type=_float_between(0.0),
        default=120.0,
        help="seconds an isolated server takes to drain (default 120)",
    )
    add(
        "--churn",
        metavar="F",
        type=_float_between(0.0, 1.0),
        default=0.02,
        help="fraction of connected Clients replaced per simulated minute (default 0.02)",
    )
    add(
        "--log-size",
        metavar="BYTES",
        type=_int_at_least(MIN_ARCHIVE_BYTES),
        default=DEFAULT_LOG_SIZE,
        help="log archive size in bytes (default 4 MiB)",
    )
    add(
        "--old-version-servers",
        metavar="K",
        type=_int_at_least(0),
        default=1,
        help="servers still on the previous version (default 1)",
    )
    add(
        "--token-ttl",
        metavar="SECONDS",
        type=_float_between(1.0),
        default=3600.0,
        help="access token lifetime in seconds (default 3600)",
    )
    add(
        "--lockout-window",
        metavar="SECONDS",
        type=_float_between(1.0),
        default=LOCKOUT_WINDOW_S,
        help=f"{LOCKOUT_FAILURES} failed logins within this many seconds lock the user name "
        f"out (default {LOCKOUT_WINDOW_S:g})",
    )
    add(
        "--username",
        metavar="NAME",
        default=DEFAULT_USERNAME,
        help="administrator user name (default admin)",
    )
    add("--password", metavar="PW", default=None, help="administrator password (default: random)")
    add(
        "--control-port",
        metavar="PORT",
        type=_port,
        default=None,
        help="control API port on 127.0.0.1 (default: free)",
    )
    add(
        "--parent-pid",
        metavar="PID",
        type=_int_at_least(1),
        default=None,
        help="stop cleanly when process PID ends (the program that started the simulator)",
    )
    add(
        "--documented-only",
        action="store_true",
        help="serve only what the product documents: the healthcheck; every other path "
        "a 404 page, the site root a redirect to the login page",
    )
    add(
        "--base-path",
        metavar="PATH",
        type=_base_path,
        default=None,
        help="the Management Tool's path with --documented-only (default /EkranSystem)",
    )
    add(
        "--demo",
        action="store_true",
        help=(
            f"settings for a person: ports {DEMO_BASE_PORT}+ (control {DEMO_CONTROL_PORT}), "
            f"password {DEMO_PASSWORD!r}, CA kept in the user data directory"
        ),
    )
    return parser


def parse_options(argv: Sequence[str] | None = None) -> SimulatorOptions:
    """Parse and check the command line; exits with status 2 and a message on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.username or args.username == VIEWER_USERNAME:
        parser.error(f"--username must be non-empty and not {VIEWER_USERNAME!r}")
    if args.demo:
        _apply_demo_defaults(args)
    if args.base_path is not None and not args.documented_only:
        parser.error("--base-path needs --documented-only")
    base_port = args.base_port or 0
    if base_port and base_port + args.servers - 1 > MAX_PORT:
        parser.error(f"--base-port {base_port} leaves no room for {args.servers} servers")
    return SimulatorOptions(
        servers=args.servers,
        clients=args.clients,
        host=args.host,
        base_port=base_port,
        endpoints=args.endpoints,
        tls_dir=args.tls_dir,
        remove_tls_dir=args.remove_tls_dir,
        insecure_http=args.insecure_http,
        ready_file=args.ready_file,
        seed=args.seed,
        time_scale=args.time_scale,
        drain_seconds=args.drain_seconds,
        churn_per_minute=args.churn,
        log_size=args.log_size,
        old_version_servers=args.old_version_servers,
        token_ttl=args.token_ttl,
        lockout_window=args.lockout_window,
        username=args.username,
        password=args.password,
        control_port=args.control_port or 0,
        parent_pid=args.parent_pid,
        documented_only=args.documented_only,
        base_path=args.base_path or BASE_PATH,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the simulator; 0 after a clean stop, 1 when it cannot start or fails."""
    options = parse_options(argv)
    try:
        return asyncio.run(serve(options))
    except (StartupError, TlsError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def _apply_demo_defaults(args: argparse.Namespace) -> None:
    import platformdirs

    if args.base_port is None:
        args.base_port = DEMO_BASE_PORT
    if args.control_port is None:
        args.control_port = DEMO_CONTROL_PORT
    if args.password is None:
        args.password = DEMO_PASSWORD
    if args.tls_dir is None:
        args.tls_dir = platformdirs.user_data_path(DEMO_DATA_DIR, appauthor=False) / "tls"


def _int_at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def _float_between(minimum: float, maximum: float = math.inf) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not minimum <= value < math.inf:
            raise argparse.ArgumentTypeError(f"must be a finite number of at least {minimum:g}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:g}")
        return value

    return parse


def _base_path(text: str) -> str:
    try:
        return normalize_base_path(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(text: str) -> int:
    value = _int_at_least(0)(text)
    if value > MAX_PORT:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_PORT}")
    return value
