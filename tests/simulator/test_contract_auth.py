"""Contract: ``POST /api/v1/auth/token`` — 200, 400, 401, 429 lockout — and token lifetime."""

from __future__ import annotations

import ssl
import time
from typing import Any

import httpx
import pytest

from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

LOCKOUT_FAILURES = 5
DEADLINE_S = 30.0


def client_for(sim: SimulatorProcess) -> httpx.Client:
    """An HTTPS client that trusts only the simulator's CA."""
    assert sim.info.ca_file is not None
    return httpx.Client(verify=ssl.create_default_context(cafile=sim.info.ca_file), timeout=30)


def request_token(client: httpx.Client, base: str, username: str, password: str) -> httpx.Response:
    return client.post(
        f"{base}/api/v1/auth/token", json={"username": username, "password": password}
    )


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_token_is_issued_and_valid_on_every_endpoint(shared_simulator: SimulatorProcess) -> None:
    info = shared_simulator.info
    with client_for(shared_simulator) as client:
        response = request_token(client, shared_simulator.url, info.username, info.password)
        token = response.json()["access_token"]
        reads = [
            client.get(
                f"{endpoint.url}/api/v1/cluster", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            for endpoint in info.endpoints
        ]

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert isinstance(token, str)
    assert len(token) >= 20
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["permissions"] == ["cluster.read", "servers.manage"]
    assert reads == [200] * len(info.endpoints), "tokens are cluster-wide"


def test_each_login_gets_a_new_token(shared_simulator: SimulatorProcess) -> None:
    info = shared_simulator.info
    with client_for(shared_simulator) as client:
        tokens = {
            request_token(client, shared_simulator.url, info.username, info.password).json()[
                "access_token"
            ]
            for _ in range(3)
        }

    assert len(tokens) == 3


def test_viewer_account_can_log_in_and_read(shared_simulator: SimulatorProcess) -> None:
    raw = shared_simulator.info.raw
    with client_for(shared_simulator) as client:
        response = request_token(
            client, shared_simulator.url, raw["viewer_username"], raw["viewer_password"]
        )
        cluster = client.get(
            f"{shared_simulator.url}/api/v1/cluster",
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
        )

    assert response.status_code == 200
    assert response.json()["permissions"] == ["cluster.read"]  # no servers.manage: 403
    assert cluster.status_code == 200


def test_wrong_password_is_401_and_the_body_does_not_echo_it(
    shared_simulator: SimulatorProcess,
) -> None:
    with client_for(shared_simulator) as client:
        response = request_token(client, shared_simulator.url, "someone-else", "Wrong-Secret-123")

    assert_problem(response, 401)
    assert "Wrong-Secret-123" not in response.text


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"username": "admin"}', b'{"username": 1, "password": "x"}'],
)
def test_malformed_login_body_is_400(shared_simulator: SimulatorProcess, body: bytes) -> None:
    with client_for(shared_simulator) as client:
        response = client.post(
            f"{shared_simulator.url}/api/v1/auth/token",
            content=body,
            headers={"Content-Type": "application/json"},
        )

    assert_problem(response, 400)


def test_an_oversized_login_body_is_413(shared_simulator: SimulatorProcess) -> None:
    body = b'{"username": "admin", "password": "' + b"x" * 70_000 + b'"}'
    with client_for(shared_simulator) as client:
        response = client.post(
            f"{shared_simulator.url}/api/v1/auth/token",
            content=body,
            headers={"Content-Type": "application/json"},
        )

    assert_problem(response, 413)


def test_repeated_failures_lock_the_account_out_with_429(simulator: SimulatorProcess) -> None:
    raw = simulator.info.raw
    viewer, viewer_password = raw["viewer_username"], raw["viewer_password"]
    with client_for(simulator) as client:
        failures = [
            request_token(client, simulator.url, viewer, "wrong").status_code
            for _ in range(LOCKOUT_FAILURES)
        ]
        locked = request_token(client, simulator.url, viewer, viewer_password)
        on_other_endpoint = request_token(client, simulator.url_of("as-02"), viewer, "wrong")
        admin = request_token(
            client, simulator.url, simulator.info.username, simulator.info.password
        )

    assert failures == [401] * LOCKOUT_FAILURES
    assert_problem(locked, 429)
    retry_after = int(locked.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    assert str(retry_after) in locked.json()["detail"]
    assert on_other_endpoint.status_code == 429, "the lockout is cluster-wide"
    assert admin.status_code == 200, "only the attacked account is locked"


def test_the_lockout_window_is_an_option(start_simulator: StartSimulator) -> None:
    sim = start_simulator("--lockout-window", "3600")
    with client_for(sim) as client:
        for _ in range(LOCKOUT_FAILURES):
            request_token(client, sim.url, sim.info.username, "wrong")
        locked = request_token(client, sim.url, sim.info.username, sim.info.password)

    assert_problem(locked, 429)
    assert 3000 < int(locked.headers["Retry-After"]) <= 3600


def test_token_expires_after_its_lifetime(start_simulator: StartSimulator) -> None:
    sim = start_simulator("--token-ttl", "2")
    with client_for(sim) as client:
        response = request_token(client, sim.url, sim.info.username, sim.info.password)
        auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
        fresh = client.get(f"{sim.url}/api/v1/cluster", headers=auth)
        deadline = time.monotonic() + DEADLINE_S
        later = client.get(f"{sim.url}/api/v1/cluster", headers=auth)
        while later.status_code == 200 and time.monotonic() < deadline:
            time.sleep(0.1)
            later = client.get(f"{sim.url}/api/v1/cluster", headers=auth)

    assert response.json()["expires_in"] == 2
    assert fresh.status_code == 200
    assert_problem(later, 401)
