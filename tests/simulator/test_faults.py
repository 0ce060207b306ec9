"""Fault injection through the control API: every kind, its scope and its count."""

from __future__ import annotations

import json
import ssl
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.helpers.simulator_pool import SimulatorPool
from tests.helpers.simulator_process import SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")

LOG_SIZE = 150_000


@pytest.fixture(scope="module")
def module_sim(simulator_pool: SimulatorPool) -> Iterator[SimulatorProcess]:
    process = simulator_pool.acquire(["--log-size", str(LOG_SIZE), "--seed", "4"])
    yield process
    simulator_pool.release(process)


@pytest.fixture
def sim(module_sim: SimulatorProcess) -> Iterator[SimulatorProcess]:
    """The module's simulator, with every fault and health override cleared afterwards."""
    yield module_sim
    module_sim.clear_faults()


@pytest.fixture
def client(module_sim: SimulatorProcess) -> Iterator[httpx.Client]:
    assert module_sim.info.ca_file is not None
    context = ssl.create_default_context(cafile=module_sim.info.ca_file)
    with httpx.Client(verify=context, timeout=60) as http:
        yield http


def login(client: httpx.Client, sim: SimulatorProcess, base: str | None = None) -> dict[str, str]:
    response = client.post(
        f"{base or sim.url}/api/v1/auth/token",
        json={"username": sim.info.username, "password": sim.info.password},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def health(client: httpx.Client, base: str) -> httpx.Response:
    return client.get(f"{base}/healthcheck", params={"debug": "True"})


def read_into(buffer: bytearray, response: httpx.Response) -> None:
    for chunk in response.iter_raw():
        buffer += chunk


def active_faults(sim: SimulatorProcess) -> list[dict[str, Any]]:
    faults: list[dict[str, Any]] = sim.control("GET", "faults")
    return faults


def test_latency_delays_answers_by_at_least_the_given_time(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    fault = sim.add_fault(kind="latency", seconds=0.5, server_id="as-01", path="/healthcheck")
    timings = []
    for _ in range(2):
        started = time.monotonic()
        response = health(client, sim.url)
        timings.append(time.monotonic() - started)

    assert fault["kind"] == "latency"
    assert fault["count"] is None, "unlimited by default"
    assert response.status_code == 200, "latency only delays the real answer"
    assert min(timings) >= 0.5
    assert [f["id"] for f in active_faults(sim)] == [fault["id"]]


def test_fail_answers_the_status_count_times_with_retry_after(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    sim.add_fault(kind="fail", status=503, count=2, retry_after=3, server_id="as-02")
    other = health(client, sim.url_of("as-01"))
    failed = [health(client, sim.url_of("as-02")) for _ in range(2)]
    after = health(client, sim.url_of("as-02"))

    assert other.status_code == 200, "scoped to as-02's endpoint"
    for response in failed:
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "3"
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 503
    assert after.status_code == 200, "used up after count requests"
    assert active_faults(sim) == []


def test_answering_faults_apply_one_per_request_oldest_first(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    sim.add_fault(kind="fail", status=500)
    sim.add_fault(kind="fail", status=502)
    statuses = [health(client, sim.url).status_code for _ in range(3)]

    assert statuses == [500, 502, 200]


def test_fail_can_rate_limit_the_token_route(sim: SimulatorProcess, client: httpx.Client) -> None:
    sim.add_fault(kind="fail", status=429, retry_after=7, path="/api/v1/auth/token")
    healthy = health(client, sim.url)
    limited = client.post(
        f"{sim.url}/api/v1/auth/token",
        json={"username": sim.info.username, "password": sim.info.password},
    )

    assert healthy.status_code == 200, "the path filter spares other routes"
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert login(client, sim), "count defaults to one request"


def test_malformed_json_is_a_200_that_does_not_parse(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    auth = login(client, sim)
    sim.add_fault(kind="malformed_json", path="/api/v1/cluster")
    response = client.get(f"{sim.url}/api/v1/cluster", headers=auth)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


@pytest.mark.parametrize("chunked", [False, True])
def test_oversized_body_streams_that_many_bytes(
    sim: SimulatorProcess, client: httpx.Client, chunked: bool
) -> None:
    size = 3_000_000
    sim.add_fault(kind="oversized_body", bytes=size, chunked=chunked, path="/api/v1/cluster")
    auth = login(client, sim)
    received = 0
    with client.stream("GET", f"{sim.url}/api/v1/cluster", headers=auth) as response:
        for chunk in response.iter_raw():
            received += len(chunk)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    if chunked:
        assert "content-length" not in response.headers
    else:
        assert int(response.headers["content-length"]) == size
    assert received == size


def test_redirect_answers_with_location(sim: SimulatorProcess, client: httpx.Client) -> None:
    target = sim.url_of("as-02") + "/api/v1/cluster"
    sim.add_fault(kind="redirect", location=target, status=307, server_id="as-01")
    auth = login(client, sim, sim.url_of("as-02"))
    response = client.get(f"{sim.url}/api/v1/cluster", headers=auth)

    assert response.status_code == 307
    assert response.headers["Location"] == target


def test_cut_download_breaks_the_transfer_and_resume_completes_it(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    auth = login(client, sim)
    url = f"{sim.url}/api/v1/cluster/servers/as-01/logs"
    full = client.get(url, headers=auth).content
    sim.add_fault(kind="cut_download", after_bytes=40_000)
    health(client, sim.url).raise_for_status()  # not a download: the fault waits
    received = bytearray()
    with client.stream("GET", url, headers=auth) as response:
        etag = response.headers["ETag"]
        with pytest.raises(httpx.RemoteProtocolError):
            read_into(received, response)
    rest = client.get(url, headers={**auth, "Range": f"bytes={len(received)}-", "If-Range": etag})

    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(full)
    assert len(received) == 40_000
    assert rest.status_code == 206
    assert bytes(received) + rest.content == full


def test_content_disposition_replaces_the_header_of_the_next_download(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    auth = login(client, sim)
    url = f"{sim.url}/api/v1/cluster/servers/as-01/logs"
    hostile = 'attachment; filename="..\\..\\Windows\\CON.zip"'
    sim.add_fault(kind="content_disposition", value=hostile)
    health(client, sim.url).raise_for_status()  # not a download: the fault waits
    first = client.get(url, headers=auth)
    second = client.get(url, headers=auth)
    assert first.headers["Content-Disposition"] == hostile
    assert second.headers["Content-Disposition"] == 'attachment; filename="EKRAN-AS01_logs.zip"'
    assert first.content == second.content


def test_expire_tokens_invalidates_every_token_issued_so_far(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    old = login(client, sim)
    fault = sim.add_fault(kind="expire_tokens")
    rejected = client.get(f"{sim.url}/api/v1/cluster", headers=old)
    fresh = client.get(f"{sim.url}/api/v1/cluster", headers=login(client, sim))

    assert fault["kind"] == "expire_tokens"
    assert fault["id"]
    assert rejected.status_code == 401
    assert fresh.status_code == 200
    assert active_faults(sim) == [], "one-shot: nothing is stored"


def test_health_fault_overrides_the_report_until_cleared(
    sim: SimulatorProcess, client: httpx.Client
) -> None:
    sim.add_fault(kind="health", server_id="as-02", status="Degraded")
    degraded = health(client, sim.url_of("as-02"))
    state = sim.state()
    sim.clear_faults()
    cleared = health(client, sim.url_of("as-02"))

    assert degraded.status_code == 200
    assert degraded.json()["status"] == "Degraded"
    assert "isolation" not in degraded.json()["entries"], "degraded without being isolated"
    assert [s["health"] for s in state["servers"]] == ["Healthy", "Degraded", "Healthy", "Healthy"]
    assert cleared.json()["status"] == "Healthy"


def test_faults_never_touch_the_control_api(sim: SimulatorProcess) -> None:
    sim.add_fault(kind="fail", status=500, count=5)

    assert sim.state()["servers"], "the control API answers normally"
    assert active_faults(sim)[0]["remaining"] == 5


def test_clearing_faults_removes_them_all(sim: SimulatorProcess, client: httpx.Client) -> None:
    sim.add_fault(kind="fail", status=500, count=3)
    sim.add_fault(kind="latency", seconds=0.01)
    sim.clear_faults()

    assert active_faults(sim) == []
    assert health(client, sim.url).status_code == 200


@pytest.mark.parametrize(
    ("fault", "status"),
    [
        ({"kind": "explode"}, 400),
        ({"kind": "latency"}, 400),
        ({"kind": "fail", "status": 200}, 400),
        ({"kind": "redirect"}, 400),
        ({"kind": "health", "status": "Degraded"}, 400),
        ({"kind": "health", "server_id": "as-02", "status": "Sick"}, 400),
        ({"kind": "fail", "count": 0}, 400),
        ({"kind": "fail", "server_id": "as-99"}, 404),
    ],
)
def test_invalid_faults_are_refused(
    sim: SimulatorProcess, fault: dict[str, Any], status: int
) -> None:
    with pytest.raises(httpx.HTTPStatusError) as caught:
        sim.control("POST", "faults", fault)

    assert caught.value.response.status_code == status
    assert caught.value.response.headers["content-type"].startswith("application/problem+json")
    assert active_faults(sim) == []
