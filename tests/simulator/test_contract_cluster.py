"""Contract: the cluster snapshot with its ETag, the version route, openapi.yaml, error shape.

Read-only checks run against one simulator whose clock is frozen (``--time-scale 0``),
so the snapshot cannot change between two requests unless a test changes it.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.conftest import StartSimulator
from tests.helpers.simulator_pool import SimulatorPool
from tests.helpers.simulator_process import SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")

ROOT = Path(__file__).resolve().parents[2]
SERVER_FIELDS = {
    "id",
    "name",
    "address",
    "status",
    "clients",
    "version",
    "isolation",
    "last_seen",
    "management_url",
}


@pytest.fixture(scope="module")
def frozen(simulator_pool: SimulatorPool) -> Iterator[SimulatorProcess]:
    sim = simulator_pool.acquire(
        ["--servers", "4", "--clients", "200", "--seed", "3", "--time-scale", "0"]
    )
    yield sim
    simulator_pool.release(sim)


def client_for(sim: SimulatorProcess) -> httpx.Client:
    """An HTTPS client that trusts only the simulator's CA."""
    assert sim.info.ca_file is not None
    return httpx.Client(verify=ssl.create_default_context(cafile=sim.info.ca_file), timeout=30)


def login(client: httpx.Client, base: str, username: str, password: str) -> dict[str, str]:
    response = client.post(
        f"{base}/api/v1/auth/token", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def admin(client: httpx.Client, sim: SimulatorProcess, base: str | None = None) -> dict[str, str]:
    return login(client, base or sim.url, sim.info.username, sim.info.password)


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.utcoffset() is not None, text
    return moment


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert isinstance(body["type"], str)
    assert isinstance(body["title"], str)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


# -- snapshot --------------------------------------------------------------------------------


def test_snapshot_lists_every_server_in_the_documented_shape(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        response = client.get(f"{frozen.url}/api/v1/cluster", headers=admin(client, frozen))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["cluster"]["name"], str)
    assert body["cluster"]["name"]
    parse_time(body["cluster"]["generated_at"])
    servers = body["servers"]
    assert [s["id"] for s in servers] == ["as-01", "as-02", "as-03", "as-04"]
    for server in servers:
        assert set(server) == SERVER_FIELDS
        assert server["status"] == "online"
        assert isinstance(server["clients"], int)
        assert server["clients"] >= 0
        assert server["isolation"] is None
        parse_time(server["last_seen"])
        assert server["management_url"] == frozen.url_of(server["id"])
    assert sum(s["clients"] for s in servers) == 200
    versions = [s["version"] for s in servers]
    assert versions[0] == versions[1] == versions[2] != versions[3], "one server on the old version"


def test_every_endpoint_shows_the_whole_cluster(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        auth = admin(client, frozen)
        views = [
            client.get(f"{endpoint.url}/api/v1/cluster", headers=auth).json()["servers"]
            for endpoint in frozen.info.endpoints
        ]

    assert len(views) == 4
    assert all(view == views[0] for view in views)


def test_etag_gives_304_without_body_while_nothing_changed(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        auth = admin(client, frozen)
        first = client.get(f"{frozen.url}/api/v1/cluster", headers=auth)
        etag = first.headers["ETag"]
        same = client.get(f"{frozen.url}/api/v1/cluster", headers={**auth, "If-None-Match": etag})
        listed = client.get(
            f"{frozen.url}/api/v1/cluster",
            headers={**auth, "If-None-Match": f'"other", W/{etag}'},
        )
        stale = client.get(
            f"{frozen.url}/api/v1/cluster", headers={**auth, "If-None-Match": '"stale"'}
        )

    assert not etag.startswith("W/"), "a strong ETag"
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert same.status_code == 304
    assert same.content == b""
    assert same.headers["ETag"] == etag
    assert listed.status_code == 304, "If-None-Match uses weak comparison over a list"
    assert stale.status_code == 200
    assert stale.headers["ETag"] == etag


def test_etag_changes_when_the_cluster_changes(start_simulator: StartSimulator) -> None:
    simulator = start_simulator("--time-scale", "0")
    with client_for(simulator) as client:
        auth = admin(client, simulator)
        etag = client.get(f"{simulator.url}/api/v1/cluster", headers=auth).headers["ETag"]
        client.post(
            f"{simulator.url}/api/v1/cluster/servers/as-02/isolation",
            headers=auth,
            json={"isolated": True, "reason": "patching"},
        ).raise_for_status()
        after = client.get(
            f"{simulator.url}/api/v1/cluster", headers={**auth, "If-None-Match": etag}
        )

    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.json()["servers"][1]["status"] == "isolated"


def test_snapshot_needs_a_valid_token(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        missing = client.get(f"{frozen.url}/api/v1/cluster")
        invalid = client.get(
            f"{frozen.url}/api/v1/cluster", headers={"Authorization": "Bearer not-a-token"}
        )
        wrong_scheme = client.get(
            f"{frozen.url}/api/v1/cluster", headers={"Authorization": "Basic YWRtaW46YWRtaW4="}
        )

    for response in (missing, invalid, wrong_scheme):
        assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


# -- version ---------------------------------------------------------------------------------


def test_version_is_reported_by_each_server(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        auth = admin(client, frozen)
        current = client.get(f"{frozen.url}/api/v1/cluster/servers/as-01/version", headers=auth)
        old = client.get(f"{frozen.url}/api/v1/cluster/servers/as-04/version", headers=auth)
        servers = client.get(f"{frozen.url}/api/v1/cluster", headers=auth).json()["servers"]

    assert current.status_code == old.status_code == 200
    for response, server in ((current, servers[0]), (old, servers[3])):
        body = response.json()
        assert body["version"] == server["version"]
        assert isinstance(body["build"], str)
        assert body["version"].endswith(body["build"])
        datetime.strptime(body["released"], "%Y-%m-%d")
    assert current.json()["version"] != old.json()["version"]


def test_version_of_an_unknown_server_is_404(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        response = client.get(
            f"{frozen.url}/api/v1/cluster/servers/as-99/version", headers=admin(client, frozen)
        )

    assert "as-99" in assert_problem(response, 404)["detail"]


def test_version_of_a_stopped_server_is_503(simulator: SimulatorProcess) -> None:
    simulator.stop_server("as-03")
    with client_for(simulator) as client:
        response = client.get(
            f"{simulator.url}/api/v1/cluster/servers/as-03/version",
            headers=admin(client, simulator),
        )

    assert_problem(response, 503)


# -- openapi.yaml and errors -----------------------------------------------------------------


def test_openapi_document_is_served_without_authentication(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        response = client.get(f"{frozen.url}/openapi.yaml")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert response.content == (ROOT / "docs" / "openapi.yaml").read_bytes()
    assert yaml.safe_load(response.text)["openapi"].startswith("3.1")


def test_unknown_paths_and_methods_answer_problem_json(frozen: SimulatorProcess) -> None:
    with client_for(frozen) as client:
        unknown = client.get(f"{frozen.url}/api/v1/nothing-here")
        wrong_method = client.delete(f"{frozen.url}/api/v1/cluster")

    assert_problem(unknown, 404)
    assert_problem(wrong_method, 405)
