"""The simulator's documented-only mode: the healthcheck under a chosen base path, and
nothing else a console could use (as a real deployment)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import StartSimulator
from tests.helpers.simulator_process import SimulatorProcess

BASE = "/MyMonitoringSystem"


@pytest.fixture
def documented(start_simulator: StartSimulator) -> SimulatorProcess:
    return start_simulator(
        "--documented-only", "--base-path", "MyMonitoringSystem/", "--servers", "2"
    )


def _get(sim: SimulatorProcess, url: str) -> httpx.Response:
    return httpx.get(url, verify=sim.verify, timeout=10.0, follow_redirects=False)


def _origin(url: str) -> str:
    return url.removesuffix(BASE)


def test_endpoints_are_announced_under_the_chosen_base_path(documented: SimulatorProcess) -> None:
    assert all(
        e.url.endswith(BASE) and e.url.startswith("https://") for e in documented.info.endpoints
    )


def test_the_healthcheck_answers_under_the_base_path(documented: SimulatorProcess) -> None:
    reply = _get(documented, documented.url + "/healthcheck?debug=True")
    assert reply.status_code == 200
    assert reply.json()["status"] == "Healthy"
    assert reply.headers["server"] == "Microsoft-IIS/10.0"


@pytest.mark.parametrize(
    "path", ["/api/v1/cluster", "/api/v1/auth/token", "/openapi.yaml", "/nothing/here"]
)
def test_every_other_path_is_an_iis_404_page(documented: SimulatorProcess, path: str) -> None:
    reply = _get(documented, documented.url + path)
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")
    assert "404 - File or directory not found." in reply.text


def test_the_default_base_path_is_not_served(documented: SimulatorProcess) -> None:
    reply = _get(documented, _origin(documented.url) + "/EkranSystem/healthcheck?debug=True")
    assert reply.status_code == 404


def test_posting_a_login_to_the_api_gets_a_404_page(documented: SimulatorProcess) -> None:
    reply = httpx.post(
        documented.url + "/api/v1/auth/token",
        json={"username": "admin", "password": "x"},
        verify=documented.verify,
        timeout=10.0,
    )
    assert reply.status_code == 404
    assert reply.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("root", ["/", BASE, BASE + "/"])
def test_the_site_root_redirects_to_the_login_page(documented: SimulatorProcess, root: str) -> None:
    reply = _get(documented, _origin(documented.url) + root)
    assert reply.status_code == 302
    location = reply.headers["location"]
    assert location.startswith(BASE + "/Account/Login")
    page = _get(documented, _origin(documented.url) + location)
    assert page.status_code == 200
    assert 'type="password"' in page.text


def test_a_stopped_server_answers_503_and_comes_back(documented: SimulatorProcess) -> None:
    url = documented.url_of("as-02") + "/healthcheck?debug=True"
    documented.stop_server("as-02")
    assert _get(documented, url).status_code == 503
    documented.advance(120)  # stopping takes a while
    documented.start_server("as-02")
    documented.advance(120)
    assert _get(documented, url).status_code == 200


def test_control_api_forces_a_status_and_replaces_the_body(documented: SimulatorProcess) -> None:
    url = documented.url + "/healthcheck?debug=True"
    documented.add_fault(kind="health", server_id="as-01", status="Unhealthy")
    assert _get(documented, url).status_code == 503
    documented.clear_faults()
    documented.add_fault(
        kind="body", status=200, content_type="text/html", text="<p>OK</p>", path="/healthcheck"
    )
    reply = _get(documented, url)
    assert (reply.status_code, reply.text) == (200, "<p>OK</p>")
    assert reply.headers["content-type"].startswith("text/html")
    assert _get(documented, url).headers["content-type"].startswith("application/json")  # once


def test_base_path_needs_documented_only(start_simulator: StartSimulator) -> None:
    with pytest.raises(RuntimeError, match="--base-path needs --documented-only"):
        start_simulator("--base-path", "/X")
