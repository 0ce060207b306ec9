"""The one shared state every endpoint and the control API of a simulator run work on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web

from simulator.auth import Accounts, LoginThrottle, TokenStore
from simulator.cluster import Cluster
from simulator.faults import FaultBook
from simulator.log_store import LogStore
from simulator.request_log import RequestLog


@dataclass
class SimulatorState:
    """The cluster and everything around it that the HTTP layer shares.

    ``endpoint_urls`` maps a server id to its Management Tool base URL; only servers
    with an open endpoint appear. ``shutdown_requested`` is set by the control API's
    ``POST /shutdown``; the run then ends as on SIGTERM. aiohttp runs everything on one
    event loop, so no locking is needed.
    """

    cluster: Cluster
    accounts: Accounts
    tokens: TokenStore
    throttle: LoginThrottle
    logs: LogStore
    requests: RequestLog
    control_token: str = field(repr=False)
    faults: FaultBook = field(default_factory=FaultBook)
    endpoint_urls: dict[str, str] = field(default_factory=dict)
    shutdown_requested: asyncio.Event = field(default_factory=asyncio.Event)

    def reset(self) -> None:
        """Return to the state of a run that has just started, on the same ports.

        A new cluster from the same configuration (seed, clock starting now, every
        server running, named and versioned as at start, none isolated), every token
        revoked, no login failures counted, no faults or health overrides, no remembered
        requests, and log archives made afresh for the servers as they are now. The
        accounts, their passwords, the control token and the log written so far stay.
        """
        self.cluster = Cluster(self.cluster.config)
        self.tokens.revoke_all()
        self.throttle.clear()
        self.faults = FaultBook()
        self.requests.forget()
        self.logs.forget()


STATE = web.AppKey("simulator_state", SimulatorState)
ENDPOINT = web.AppKey("endpoint_server_id", str)
