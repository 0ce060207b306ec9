"""Contract: ``GET /api/v1/cluster/servers/{id}/logs`` — 200, 206 resume, 416, If-Range, 409."""

from __future__ import annotations

import io
import re
import ssl
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import StartSimulator
from tests.helpers.simulator_pool import SimulatorPool
from tests.helpers.simulator_process import SimulatorProcess

# tests.helpers passes the CA path to httpx as ``verify=<str>``, deprecated in httpx 0.28.
pytestmark = pytest.mark.filterwarnings("ignore:`verify=<str>` is deprecated:DeprecationWarning")

LOG_SIZE = 200_000


class Logs:
    """Logged-in access to the logs route of one simulator endpoint."""

    def __init__(self, client: httpx.Client, base: str, token: str) -> None:
        self.client = client
        self.base = base
        self.auth = {"Authorization": f"Bearer {token}"}

    def get(self, server_id: str, **headers: str) -> httpx.Response:
        return self.client.get(
            f"{self.base}/api/v1/cluster/servers/{server_id}/logs",
            headers={**self.auth, **{k.replace("_", "-"): v for k, v in headers.items()}},
        )


@contextmanager
def logs_of(sim: SimulatorProcess) -> Iterator[Logs]:
    assert sim.info.ca_file is not None
    context = ssl.create_default_context(cafile=sim.info.ca_file)
    with httpx.Client(verify=context, timeout=60) as client:
        response = client.post(
            f"{sim.url}/api/v1/auth/token",
            json={"username": sim.info.username, "password": sim.info.password},
        )
        assert response.status_code == 200, response.text
        yield Logs(client, sim.url, response.json()["access_token"])


@pytest.fixture(scope="module")
def sim(simulator_pool: SimulatorPool) -> Iterator[SimulatorProcess]:
    """A simulator with small archives; tests here only read from it."""
    process = simulator_pool.acquire(["--log-size", str(LOG_SIZE), "--seed", "5"])
    yield process
    simulator_pool.release(process)


def assert_problem(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


def test_full_download_is_a_valid_zip_with_the_documented_headers(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        response = logs.get("as-02")

    assert response.status_code == 200
    headers = response.headers
    assert headers["content-type"] == "application/zip"
    assert int(headers["content-length"]) == len(response.content)
    assert abs(len(response.content) - LOG_SIZE) <= LOG_SIZE // 10, "size follows --log-size"
    assert headers["accept-ranges"] == "bytes"
    assert headers["etag"].startswith('"')
    assert headers["etag"].endswith('"')
    match = re.fullmatch(r'attachment; filename="([^"/\\]+\.zip)"', headers["content-disposition"])
    assert match is not None, headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.testzip() is None
        assert archive.namelist()


def test_each_server_has_its_own_archive(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        first, second = logs.get("as-01"), logs.get("as-02")

    assert first.headers["etag"] != second.headers["etag"]
    assert first.headers["content-disposition"] != second.headers["content-disposition"]


def test_resumed_download_concatenates_to_the_same_bytes(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        full = logs.get("as-01")
        etag, offset = full.headers["etag"], 12_345
        rest = logs.get("as-01", Range=f"bytes={offset}-", If_Range=etag)
        middle = logs.get("as-01", Range=f"bytes={offset}-{offset + 99}")

    total = len(full.content)
    assert rest.status_code == 206
    assert rest.headers["content-range"] == f"bytes {offset}-{total - 1}/{total}"
    assert int(rest.headers["content-length"]) == total - offset
    assert rest.headers["etag"] == etag
    assert full.content[:offset] + rest.content == full.content
    assert middle.status_code == 206
    assert middle.content == full.content[offset : offset + 100]


def test_suffix_range_and_unsupported_ranges(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        full = logs.get("as-01").content
        suffix = logs.get("as-01", Range="bytes=-100")
        several = logs.get("as-01", Range="bytes=0-9,20-29")
        malformed = logs.get("as-01", Range="lines=1-2")

    total = len(full)
    assert suffix.status_code == 206
    assert suffix.headers["content-range"] == f"bytes {total - 100}-{total - 1}/{total}"
    assert suffix.content == full[-100:]
    for ignored in (several, malformed):
        assert ignored.status_code == 200, "a Range the server does not support is ignored"
        assert ignored.content == full


def test_range_beyond_the_end_is_416(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        total = int(logs.get("as-01").headers["content-length"])
        at_end = logs.get("as-01", Range=f"bytes={total}-")
        beyond = logs.get("as-01", Range=f"bytes={total + 10}-")

    for response in (at_end, beyond):
        assert_problem(response, 416)
        assert response.headers["content-range"] == f"bytes */{total}"


def test_if_range_that_no_longer_matches_gives_the_whole_archive(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        full = logs.get("as-03")
        stale = logs.get("as-03", Range="bytes=100-", If_Range='"an-older-archive"')

    assert stale.status_code == 200
    assert "content-range" not in stale.headers
    assert stale.content == full.content


def test_unknown_server_is_404(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        assert_problem(logs.get("as-42"), 404)


def test_logs_need_a_token(sim: SimulatorProcess) -> None:
    with logs_of(sim) as logs:
        response = logs.client.get(f"{sim.url}/api/v1/cluster/servers/as-01/logs")

    assert_problem(response, 401)


def test_offline_server_is_409_and_isolated_server_still_serves(
    start_simulator: StartSimulator,
) -> None:
    sim = start_simulator("--log-size", "20000", "--time-scale", "0")
    sim.stop_server("as-03")
    with logs_of(sim) as logs:
        stopping = logs.get("as-03")
        sim.control("POST", "advance", {"seconds": 10})
        offline = logs.get("as-03")
        logs.client.post(
            f"{sim.url}/api/v1/cluster/servers/as-02/isolation",
            headers=logs.auth,
            json={"isolated": True, "reason": "maintenance"},
        ).raise_for_status()
        isolated = logs.get("as-02")

    assert_problem(stopping, 409)
    assert_problem(offline, 409)
    assert isolated.status_code == 200
    assert isolated.headers["content-type"] == "application/zip"
