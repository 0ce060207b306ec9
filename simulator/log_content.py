"""Text of simulated Ekran System Application Server logs.

Rendering every line of a gigabyte of logs in Python would be far too slow, so each
log kind renders a small pool of *fragments* once: the lines of one time window (10 s,
a minute or an hour), sorted by time, whose timestamps start with a placeholder of the
same length as the window's timestamp prefix. Writing a window is then a single
``bytes.replace`` of that placeholder with the real prefix.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_PLACEHOLDER = "\x01"
_ALIGNED_BASE = datetime(2000, 1, 1)
NEWLINE = "\r\n"


@dataclass(frozen=True)
class Context:
    """Names that recur across one server's logs."""

    server_name: str
    version: str
    hosts: tuple[str, ...]
    users: tuple[str, ...]
    admins: tuple[str, ...]
    peers: tuple[str, ...]

    def host(self, rng: random.Random) -> str:
        return rng.choice(self.hosts)

    def user(self, rng: random.Random) -> str:
        return rng.choice(self.users)


def make_context(rng: random.Random, server_name: str, version: str) -> Context:
    """Client host names, user and admin accounts, and peer servers for one archive."""
    departments = ("FIN", "HR", "DEV", "OPS", "SALES", "LEGAL", "SUP")
    hosts = tuple(
        f"WS-{rng.choice(departments)}-{rng.randrange(1, 9999):04d}" for _ in range(160)
    ) + tuple(f"SRV-{role}-{n:02d}" for role in ("SQL", "FILE", "RDS", "WEB") for n in (1, 2))
    first = ("a", "j", "m", "s", "k", "d", "e", "t", "r", "l")
    last = ("smith", "novak", "garcia", "kowalski", "chen", "muller", "rossi", "dubois", "lee")
    users = tuple(f"CORP\\{rng.choice(first)}.{rng.choice(last)}" for _ in range(80))
    admins = ("admin", "ekran.admin", "CORP\\secops", "CORP\\it.oncall")
    peers = tuple(f"EKRAN-AS{n:02d}" for n in range(1, 5))
    return Context(server_name, version, hosts, users, admins, peers)


def _ip(rng: random.Random) -> str:
    return f"10.{rng.randrange(30, 40)}.{rng.randrange(0, 64)}.{rng.randrange(2, 254)}"


def _session(rng: random.Random) -> str:
    return f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}"


_STACK = (
    "   at Ekran.Server.Storage.BinaryStore.WriteBatch(SessionId session, Stream data)",
    "   at Ekran.Server.DataReceiver.ProcessPacket(ClientConnection connection)",
    "   at System.Threading.Tasks.Task.ExecuteWithThreadLocal(Task& currentTaskSlot)",
)
_EXCEPTIONS = (
    "System.IO.IOException: The specified network name is no longer available.",
    "System.Data.SqlClient.SqlException (0x80131904): Execution Timeout Expired.",
    "System.TimeoutException: The operation has timed out.",
)
_DISCONNECTS = (
    "agent service stopped",
    "connection closed by remote host",
    "user logged off",
    "network timeout",
    "moved by load balancer",
)


def _app_server_line(rng: random.Random, ctx: Context) -> tuple[str, str, str]:
    roll = rng.random()
    host = ctx.host(rng)
    if roll < 0.22:
        return (
            "INFO",
            "ClientConnection",
            (f"Client {host} ({_ip(rng)}) connected; agent {ctx.version}, session {_session(rng)}"),
        )
    if roll < 0.40:
        return (
            "INFO",
            "ClientConnection",
            (f"Client {host} disconnected: {rng.choice(_DISCONNECTS)}"),
        )
    if roll < 0.70:
        return (
            "INFO",
            "DataReceiver",
            (
                f"Received {rng.randrange(2, 40)} screen captures ({rng.randrange(40, 4000)} KB) "
                f"from {host}, user {ctx.user(rng)}"
            ),
        )
    if roll < 0.80:
        return (
            "INFO",
            "Cluster",
            (
                f"Node {ctx.server_name} heartbeat written to database; "
                f"{rng.randrange(2, 5)} nodes online"
            ),
        )
    if roll < 0.85:
        rule = rng.choice(("USB storage connected", "Sensitive file opened", "Admin tool launched"))
        return "INFO", "Alerts", f"Alert '{rule}' triggered on {host} by {ctx.user(rng)}"
    if roll < 0.89:
        return "INFO", "Licensing", (f"Endpoint licenses in use: {rng.randrange(300, 500)} of 500")
    if roll < 0.94:
        return (
            "WARN",
            "ClientConnection",
            (
                f"Client {host} missed {rng.randrange(2, 6)} heartbeats; "
                f"last contact {rng.randrange(30, 300)} s ago"
            ),
        )
    if roll < 0.975:
        procedure = rng.choice(("SaveActivityBatch", "GetSessionIndex", "UpdateClientState"))
        return "WARN", "Database", f"Slow query {rng.randrange(800, 9000)} ms in {procedure}"
    exception = rng.choice(_EXCEPTIONS)
    trace = NEWLINE.join(_STACK[: rng.randrange(1, len(_STACK) + 1)])
    return (
        "ERROR",
        "DataReceiver",
        (f"Failed to store data batch from {host}: {exception}{NEWLINE}{trace}"),
    )


def _management_tool_line(rng: random.Random, ctx: Context) -> tuple[str, str, str]:
    roll = rng.random()
    admin = rng.choice(ctx.admins)
    if roll < 0.60:
        path = rng.choice(
            ("/api/v1/servers", "/api/v1/cluster", "/Monitoring/Sessions", "/Clients/List")
        )
        return (
            "INFO",
            "Request",
            (f"GET /EkranSystem{path} 200 {rng.randrange(3, 900)} ms user={admin} ip={_ip(rng)}"),
        )
    if roll < 0.72:
        return "INFO", "Authentication", f"User {admin} signed in from {_ip(rng)}"
    if roll < 0.80:
        return "INFO", "Authentication", f"User {admin} signed out"
    if roll < 0.86:
        return "WARN", "Authentication", f"Failed sign-in for {admin} from {_ip(rng)}"
    if roll < 0.92:
        peer = rng.choice(ctx.peers)
        if rng.random() < 0.5:
            return "INFO", "Cluster", f"Application Server {peer} isolated by {admin}: maintenance"
        return "INFO", "Cluster", f"Application Server {peer} returned to service by {admin}"
    if roll < 0.98:
        report = rng.choice(("User activity", "Alert summary", "Applications usage"))
        return (
            "INFO",
            "Reports",
            (
                f"Report '{report}' generated in {rng.randrange(1, 90)} s "
                f"({rng.randrange(10, 90000)} rows)"
            ),
        )
    return (
        "ERROR",
        "WebHost",
        (f"Unhandled exception in /EkranSystem/Monitoring/Sessions: {rng.choice(_EXCEPTIONS)}"),
    )


def _db_maintenance_line(rng: random.Random, ctx: Context) -> tuple[str, str, str]:
    del ctx
    roll = rng.random()
    table = rng.choice(("ActivityData", "Screenshots", "Sessions", "Alerts", "KeystrokeIndex"))
    if roll < 0.25:
        before = rng.uniform(12, 70)
        return (
            "INFO",
            "IndexMaintenance",
            (f"Rebuilt index IX_{table}_Time on {table} (fragmentation {before:.1f}% -> 0.3%)"),
        )
    if roll < 0.45:
        return (
            "INFO",
            "Statistics",
            f"Statistics updated on {table} in {rng.randrange(20, 9000)} ms",
        )
    if roll < 0.65:
        return (
            "INFO",
            "Cleanup",
            (f"Deleted {rng.randrange(0, 50000)} expired records from {table} older than 180 days"),
        )
    if roll < 0.80:
        return (
            "INFO",
            "Backup",
            (
                f"Backup of EkranActivityDB completed: {rng.uniform(1, 90):.1f} GB "
                f"in {rng.randrange(60, 3600)} s"
            ),
        )
    if roll < 0.95:
        return (
            "WARN",
            "Storage",
            f"Transaction log of EkranActivityDB is {rng.randrange(70, 96)}% full",
        )
    return "ERROR", "Cleanup", f"Deadlock while purging {table}; retry 1 of 3 succeeded"


LineMaker = Callable[[random.Random, Context], tuple[str, str, str]]


@dataclass(frozen=True)
class LogKind:
    """One log file family: how long a window lasts and what its lines say."""

    window: timedelta
    prefix_length: int  # characters of "YYYY-MM-DD HH:MM:SS" fixed by the window start
    lines_per_window: tuple[int, int]
    make_line: LineMaker

    @property
    def placeholder(self) -> bytes:
        return (_PLACEHOLDER * self.prefix_length).encode("ascii")

    def prefix(self, window_start: datetime) -> bytes:
        """The timestamp prefix every line in the window starting then shares."""
        return window_start.strftime(TIMESTAMP_FORMAT)[: self.prefix_length].encode("ascii")

    def render_fragment(self, rng: random.Random, ctx: Context) -> bytes:
        """One window of lines, oldest first, each timestamp starting with the placeholder."""
        window_ms = int(self.window.total_seconds() * 1000)
        count = rng.randint(*self.lines_per_window)
        mark = _PLACEHOLDER * self.prefix_length
        lines = []
        for offset_ms in sorted(rng.randrange(window_ms) for _ in range(count)):
            moment = _ALIGNED_BASE + timedelta(milliseconds=offset_ms)
            stamp = moment.strftime(TIMESTAMP_FORMAT)[self.prefix_length :]
            level, component, message = self.make_line(rng, ctx)
            thread = rng.randrange(1, 64)
            lines.append(
                f"{mark}{stamp}.{offset_ms % 1000:03d} [{level:<5}] [T{thread:02d}] "
                f"{component}: {message}{NEWLINE}"
            )
        return "".join(lines).encode("utf-8")


APP_SERVER = LogKind(timedelta(seconds=10), 18, (8, 60), _app_server_line)
MANAGEMENT_TOOL = LogKind(timedelta(minutes=1), 16, (1, 30), _management_tool_line)
DB_MAINTENANCE = LogKind(timedelta(hours=1), 13, (1, 12), _db_maintenance_line)


def system_info(rng: random.Random, ctx: Context, server_id: str, collected: datetime) -> bytes:
    """The ``system-info.txt`` of an archive: server identity, version and platform."""
    cores = rng.choice((4, 8, 16))
    memory = rng.choice((16, 32, 64))
    rows = (
        ("Collected", collected.strftime(TIMESTAMP_FORMAT)),
        ("Server name", ctx.server_name),
        ("Server id", server_id),
        ("Product version", ctx.version),
        ("Operating system", "Microsoft Windows Server 2022 Standard 10.0.20348 (64-bit)"),
        ("Processor", f"Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz, {cores} cores"),
        ("Memory", f"{memory} GB"),
        (".NET runtime", "8.0.8"),
        ("Database", "Microsoft SQL Server 2019 (15.0.4385.2), EkranActivityDB"),
        ("Cluster mode", "High availability, load balanced"),
        ("Log folder", r"C:\Program Files\Ekran System\Ekran System\Logs"),
    )
    lines = ["Ekran System Application Server - system information", ""]
    lines += [f"{label + ':':<18}{value}" for label, value in rows]
    return (NEWLINE.join(lines) + NEWLINE).encode("utf-8")
