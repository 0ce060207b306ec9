"""``--health-only`` on the command line against the simulator's documented-only mode over
TLS (in-process: ``test_cli_end_to_end`` covers the process boundary)."""

from __future__ import annotations

import json

import pytest

from tests.app.cli.inprocess import InProcessCli
from tests.helpers.simulator_process import SimulatorProcess

FIELDS = {"url", "name", "status", "http_status", "response_ms", "checked_at", "detail"}


@pytest.fixture
def cli(console: InProcessCli) -> InProcessCli:
    """In-process: the subject is what the command does and says, not the process."""
    return console


def _urls(sim: SimulatorProcess) -> list[str]:
    return [e.url for e in sim.info.endpoints]


def _url_args(urls: list[str]) -> list[str]:
    return [part for url in urls for part in ("--url", url)]


def test_servers_json_has_one_object_per_server_and_exits_0_whatever_their_state(
    cli: InProcessCli,
    documented: SimulatorProcess,
    closed_url: str,
) -> None:
    documented.stop_server("as-02")
    urls = [*_urls(documented), closed_url]
    ca = str(documented.info.ca_file)
    result = cli.run("servers", "--health-only", *_url_args(urls), "--ca", ca, "--json")
    servers = json.loads(result.stdout)
    assert [s["url"] for s in servers] == urls
    assert all(set(s) >= FIELDS for s in servers)
    by_url = {s["url"]: s for s in servers}
    online = by_url[urls[0]]
    assert (online["status"], online["http_status"]) == ("online", 200), online
    assert isinstance(online["response_ms"], float)
    assert online["name"] == urls[0][8:].split("/")[0]
    assert (by_url[urls[1]]["status"], by_url[urls[1]]["http_status"]) == ("offline", 503)
    refused = by_url[closed_url]
    assert (refused["status"], refused["http_status"], refused["reason"]) == (
        "unreachable",
        None,
        "refused",
    )
    assert refused["response_ms"] is None
    assert refused["detail"]


def test_an_untrusted_certificate_is_reported_per_url_with_its_fingerprint(
    cli: InProcessCli, documented: SimulatorProcess
) -> None:
    servers = cli.json("servers", "--health-only", *_url_args(_urls(documented)[:1]))
    (server,) = servers
    assert (server["status"], server["reason"], server["tls_error"]) == (
        "unreachable",
        "tls",
        "untrusted_issuer",
    )
    pinned = cli.json(
        "servers",
        "--health-only",
        "--url",
        server["url"],
        "--pin",
        server["certificate_sha256"],
    )
    assert pinned[0]["status"] == "online"


def test_a_saved_health_only_connection_lists_watches_and_refuses_actions(
    cli: InProcessCli, documented: SimulatorProcess
) -> None:
    urls = _urls(documented)
    ca = str(documented.info.ca_file)
    saved = cli.json("connections", "add", "Real", "--health-only", *_url_args(urls), "--ca", ca)
    assert (saved["kind"], saved["username"], saved["poll_interval_s"]) == ("health_only", "", 10.0)
    table = cli.run("servers", "-c", "Real").stdout
    assert "online" in table
    assert "HTTP" in table
    lines = cli.run("watch", "-c", "Real", "--interval", "0.5", "--count", "2", "--json")
    updates = [json.loads(line) for line in lines.stdout.splitlines()]
    assert len(updates) == 2
    assert all(set(s) >= FIELDS for u in updates for s in u["servers"])
    refused = cli.run("isolate", urls[0], "-c", "Real", "--json", check=5)
    error = json.loads(refused.stdout.splitlines()[-1])
    assert error["kind"] == "not_supported"
    assert "needs an API connection" in error["error"]
    cli.run("logs", urls[0], "-c", "Real", check=5)


def test_health_only_takes_no_user(cli: InProcessCli, documented: SimulatorProcess) -> None:
    result = cli.run(
        "servers", "--health-only", "--url", documented.url, "--user", "admin", check=2
    )
    assert "no --user" in result.stderr


def test_an_api_connection_to_a_deployment_without_the_api_names_health_only(
    cli: InProcessCli, documented: SimulatorProcess
) -> None:
    ca = str(documented.info.ca_file)
    endpoint = ["--url", documented.url, "--user", "admin", "--ca", ca]
    test = cli.run("connections", "test", *endpoint, "--json", password="x", check=5)
    document = json.loads(test.stdout.splitlines()[-1])
    assert document["kind"] == "health_only_deployment"
    assert "--health-only" in document["error"]
    assert [c["ok"] for c in document["checks"]] == [True, False]
    servers = cli.run("servers", *endpoint, password="x", check=5)
    assert "no /api/v1" in servers.stderr
    assert "--health-only" in servers.stderr
