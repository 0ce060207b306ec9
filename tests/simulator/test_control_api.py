"""The simulator's control API: token check, state, stop/start, advance, request history."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")

STATE_SERVER_FIELDS = {
    "id",
    "name",
    "status",
    "process",
    "clients",
    "isolation",
    "health",
    "version",
}


@pytest.fixture
def frozen(start_simulator: StartSimulator) -> SimulatorProcess:
    """Clock frozen: only the test's calls move simulated time."""
    return start_simulator("--servers", "3", "--clients", "60", "--time-scale", "0")


@pytest.fixture
def client(shared_simulator: SimulatorProcess) -> Iterator[httpx.Client]:
    assert shared_simulator.info.ca_file is not None
    context = ssl.create_default_context(cafile=shared_simulator.info.ca_file)
    with httpx.Client(verify=context, timeout=30) as http:
        yield http


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def status_of(sim: SimulatorProcess, method: str, path: str, body: Any = None) -> int:
    with pytest.raises(httpx.HTTPStatusError) as caught:
        sim.control(method, path, body)
    return caught.value.response.status_code


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_every_route_needs_the_control_token(
    shared_simulator: SimulatorProcess, client: httpx.Client, token: str | None
) -> None:
    headers = {} if token is None else {"X-Sim-Token": token}
    base = shared_simulator.info.control_url
    calls = [
        ("GET", "/state"),
        ("GET", "/requests"),
        ("GET", "/faults"),
        ("POST", "/faults"),
        ("DELETE", "/faults"),
        ("POST", "/advance"),
        ("POST", "/servers/as-01/stop"),
        ("POST", "/reset"),
        ("POST", "/shutdown"),
    ]
    responses = [client.request(method, base + path, headers=headers) for method, path in calls]

    assert [r.status_code for r in responses] == [401] * len(calls)
    assert all(r.headers["content-type"].startswith("application/problem+json") for r in responses)
    assert shared_simulator.state()["servers"][0]["process"] == "running"


def test_state_describes_the_cluster(shared_simulator: SimulatorProcess) -> None:
    state = shared_simulator.state()

    parse_time(state["now"])
    assert isinstance(state["revision"], int)
    assert state["population"] == state["connected"] + state["pending"]
    servers = state["servers"]
    assert [s["id"] for s in servers] == ["as-01", "as-02", "as-03", "as-04"]
    for server in servers:
        assert set(server) == STATE_SERVER_FIELDS
        assert server["process"] == "running"
        assert server["health"] == "Healthy"
    assert sum(s["clients"] for s in servers) == state["connected"]


def test_advance_moves_simulated_time_at_once(frozen: SimulatorProcess) -> None:
    before = frozen.state()
    after = frozen.control("POST", "advance", {"seconds": 3600})
    later = frozen.state()

    assert parse_time(after["now"]) - parse_time(before["now"]) == timedelta(hours=1)
    assert later["now"] == after["now"], "with --time-scale 0 only /advance moves time"
    assert status_of(frozen, "POST", "advance", {"seconds": -1}) == 400
    assert status_of(frozen, "POST", "advance", {"seconds": "soon"}) == 400


def test_stop_and_start_walk_through_the_process_states(frozen: SimulatorProcess) -> None:
    stopping = frozen.stop_server("as-02")
    stop_again = status_of(frozen, "POST", "servers/as-02/stop")
    start_too_early = status_of(frozen, "POST", "servers/as-02/start")
    frozen.control("POST", "advance", {"seconds": 5})
    stopped = frozen.state()["servers"][1]
    starting = frozen.start_server("as-02")
    frozen.control("POST", "advance", {"seconds": 10})
    running = frozen.state()["servers"][1]

    assert (stopping["process"], stopping["status"], stopping["clients"]) == (
        "stopping",
        "stopping",
        0,
    )
    assert stop_again == start_too_early == 409
    assert (stopped["process"], stopped["status"], stopped["health"]) == (
        "stopped",
        "offline",
        None,
    )
    assert (starting["process"], starting["status"]) == ("starting", "starting")
    assert (running["process"], running["status"]) == ("running", "online")


def test_start_with_a_version_upgrades_the_server(frozen: SimulatorProcess) -> None:
    before = frozen.state()["servers"][2]["version"]
    frozen.stop_server("as-03")
    frozen.advance(5)
    bad = [
        status_of(frozen, "POST", "servers/as-03/start", {"version": ""}),
        status_of(frozen, "POST", "servers/as-03/start", {"version": 9}),
        status_of(frozen, "POST", "servers/as-03/start", {"build": "1300"}),
        status_of(frozen, "POST", "servers/as-03/start", {"version": "9.3", "released": "soon"}),
    ]
    starting = frozen.start_server("as-03", version="9.3.0.1300")
    frozen.advance(10)
    after = frozen.state()["servers"][2]

    assert bad == [400, 400, 400, 400]
    assert before != "9.3.0.1300"
    assert starting["version"] == "9.3.0.1300"
    assert (after["process"], after["version"]) == ("running", "9.3.0.1300")


def test_unknown_server_is_404(frozen: SimulatorProcess) -> None:
    assert status_of(frozen, "POST", "servers/as-09/stop") == 404
    assert status_of(frozen, "POST", "servers/as-09/start") == 404


def test_requests_lists_recent_management_tool_calls(
    start_simulator: StartSimulator,
) -> None:
    sim = start_simulator("--servers", "2")
    assert sim.info.ca_file is not None
    context = ssl.create_default_context(cafile=sim.info.ca_file)
    with httpx.Client(verify=context, timeout=30) as http:
        http.get(f"{sim.url}/healthcheck")
        token = http.post(
            f"{sim.url}/api/v1/auth/token",
            json={"username": sim.info.username, "password": sim.info.password},
        ).json()["access_token"]
        http.get(
            f"{sim.url_of('as-02')}/api/v1/cluster", headers={"Authorization": f"Bearer {token}"}
        )
        http.get(f"{sim.url_of('as-02')}/api/v1/cluster")

    everything = sim.control("GET", "requests")
    of_as02 = sim.control("GET", "requests?server_id=as-02")
    last = sim.control("GET", "requests?limit=1")

    assert [(r["server_id"], r["method"], r["path"], r["status"]) for r in everything] == [
        ("as-01", "GET", "/EkranSystem/healthcheck", 200),
        ("as-01", "POST", "/EkranSystem/api/v1/auth/token", 200),
        ("as-02", "GET", "/EkranSystem/api/v1/cluster", 200),
        ("as-02", "GET", "/EkranSystem/api/v1/cluster", 401),
    ], "control API calls are not listed"
    assert [r["authorization"] for r in everything] == [False, False, True, False]
    assert token not in str(everything)
    assert of_as02 == everything[2:]
    assert last == everything[-1:]
    assert status_of(sim, "GET", "requests?limit=many") == 400


def test_shutdown_ends_the_run_cleanly(start_own_simulator: StartSimulator) -> None:
    sim = start_own_simulator("--servers", "2")
    assert sim.control("POST", "shutdown") == {"stopping": True}
    assert sim.proc is not None
    assert sim.proc.wait(30) == 0
    assert not sim.ready_file.exists()


def test_reset_returns_to_a_run_that_has_just_started(frozen: SimulatorProcess) -> None:
    def comparable(state: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in state.items() if key not in ("now", "revision")}

    started = frozen.state()
    assert frozen.info.ca_file is not None
    context = ssl.create_default_context(cafile=frozen.info.ca_file)
    login = f"{frozen.url}/api/v1/auth/token"
    admin = {"username": frozen.info.username, "password": frozen.info.password}
    with httpx.Client(verify=context, timeout=30) as http:
        token = http.post(login, json=admin).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        isolated = http.post(
            f"{frozen.url}/api/v1/cluster/servers/as-01/isolation",
            json={"isolated": True, "reason": "before the reset"},
            headers=bearer,
        )
        wrong = [
            http.post(login, json={**admin, "password": "wrong"}).status_code for _ in range(5)
        ]
        frozen.stop_server("as-02")
        frozen.control("POST", "servers/as-03/rename", {"name": "RENAMED", "version": "1.0"})
        frozen.add_fault(kind="latency", seconds=5, server_id="as-03")  # no request goes there
        frozen.add_fault(kind="health", server_id="as-03", status="Unhealthy")
        frozen.advance(600)
        locked_out = http.post(login, json=admin).status_code

        reset = frozen.control("POST", "reset")
        old_token = http.get(f"{frozen.url}/api/v1/cluster", headers=bearer).status_code
        after_login = http.post(login, json=admin).status_code

    assert isolated.status_code == 200, isolated.text
    assert wrong == [401] * 5
    assert locked_out == 429
    assert comparable(reset) == comparable(started)
    assert parse_time(reset["now"]) >= parse_time(started["now"])
    assert old_token == 401, "every token is revoked"
    assert after_login == 200, "no login is locked out"
    assert frozen.control("GET", "faults") == []
    requests = frozen.control("GET", "requests")
    assert [(r["path"], r["status"]) for r in requests] == [
        ("/EkranSystem/api/v1/cluster", 401),
        ("/EkranSystem/api/v1/auth/token", 200),
    ], "requests before the reset are forgotten"


def test_reset_with_run_settings_is_a_run_started_with_them(
    frozen: SimulatorProcess, start_own_simulator: StartSimulator
) -> None:
    def comparable(state: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in state.items() if key not in ("now", "revision")}

    settings = {"clients": 90, "seed": 7, "time_scale": 0, "token_ttl": 2}
    started = start_own_simulator(
        "--servers", "3", "--clients", "90", "--seed", "7", "--time-scale", "0"
    ).state()
    before = frozen.state()

    reset = frozen.control("POST", "reset", settings)
    assert frozen.info.ca_file is not None
    context = ssl.create_default_context(cafile=frozen.info.ca_file)
    admin = {"username": frozen.info.username, "password": frozen.info.password}
    with httpx.Client(verify=context, timeout=30) as http:
        login = http.post(f"{frozen.url}/api/v1/auth/token", json=admin)
    frozen.control("POST", "advance", {"seconds": 60})
    advanced = frozen.state()

    assert comparable(before) != comparable(started), "the settings make another cluster"
    assert comparable(reset) == comparable(started)
    assert login.json()["expires_in"] == 2, "the token lifetime is the new one"
    assert parse_time(advanced["now"]) - parse_time(reset["now"]) == timedelta(seconds=60), (
        "with time scale 0 only /advance moves time"
    )
    assert comparable(frozen.control("POST", "reset")) == comparable(started), (
        "a reset without a body keeps the settings the last one took"
    )


def test_reset_with_a_time_scale_sets_the_clock_going(frozen: SimulatorProcess) -> None:
    reset = frozen.control("POST", "reset", {"time_scale": 3600})
    start = parse_time(reset["now"])
    deadline = time.monotonic() + 30
    while parse_time(frozen.state()["now"]) - start < timedelta(hours=1):
        assert time.monotonic() < deadline, "the clock of a run reset with time scale 3600"
        time.sleep(0.05)


@pytest.mark.parametrize(
    "body",
    [
        {"servers": 5},
        {"password": "x"},
        {"clients": -1},
        {"clients": 1.5},
        {"seed": True},
        {"seed": 10**400},
        {"time_scale": "fast"},
        {"time_scale": 3601},
        {"churn_per_minute": 2},
        {"log_size": 10},
        {"token_ttl": 0},
    ],
)
def test_reset_refuses_settings_it_cannot_take_and_changes_nothing(
    frozen: SimulatorProcess, body: dict[str, Any]
) -> None:
    frozen.stop_server("as-02")
    before = frozen.state()

    status = status_of(frozen, "POST", "reset", body)

    assert status == 400
    assert frozen.state() == before
