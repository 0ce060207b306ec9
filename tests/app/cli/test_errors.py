"""Failures of the command line: exit codes, messages naming its options, and ``--json`` errors."""

from __future__ import annotations

import hashlib
import ssl
from typing import Any
from urllib.parse import urlsplit

from tests.app.cli.inprocess import InProcessCli, Result
from tests.helpers.simulator_process import SimulatorProcess


def presented_sha256(sim: SimulatorProcess) -> str:
    """The SHA-256 of the certificate the simulator presents, read with the standard library."""
    parts = urlsplit(sim.url)
    pem = ssl.get_server_certificate((parts.hostname or "", parts.port or 443))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def error_of(result: Result) -> dict[str, Any]:
    """The ``--json`` error object: the only line on stdout, matching the exit code."""
    assert result.stdout.count("\n") == 1, result.stdout
    error = result.json()
    assert error["exit_code"] == result.code
    assert result.stderr.rstrip().endswith(error["error"])  # the same line, for people
    return error  # type: ignore[no-any-return]


def test_json_errors_keep_the_exit_code_and_name_their_kind(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    console.add(simulator)
    pw = simulator.info.password
    wrong = error_of(console.run("servers", "--json", password="not-the-password", check=4))
    assert wrong["kind"] == "authentication"
    assert "not-the-password" not in str(wrong)
    unknown = error_of(console.run("version", "no-such-server", "--json", password=pw, check=2))
    assert unknown["kind"] == "usage"
    assert "no-such-server" in unknown["error"]
    missing = error_of(console.run("servers", "-c", "missing", "--json", password=pw, check=2))
    assert missing["kind"] == "usage"
    closed = "https://127.0.0.1:9/EkranSystem"
    refused = console.run("servers", "--url", closed, "--user", "a", "--json", password=pw, check=3)
    assert error_of(refused)["kind"] == "unreachable"
    assert error_of(refused)["url"].startswith("https://127.0.0.1:9")
    no_password = error_of(console.run("servers", "--json", check=4))
    assert no_password["kind"] == "no_password"
    assert "EKRAN_CONSOLE_PASSWORD" in no_password["error"]


def test_a_mistake_in_the_arguments_is_a_json_error_too(console: InProcessCli) -> None:
    result = console.run("isolate", "--json", check=2)
    error = error_of(result)
    assert error["kind"] == "usage"
    assert "SERVER" in error["error"]
    assert result.stderr.startswith("usage: ekran-console-cli isolate")
    plain = console.run("isolate", check=2)
    assert plain.stdout == ""
    assert "the following arguments are required: SERVER" in plain.stderr


def test_an_untrusted_certificate_names_ca_and_pin_with_the_fingerprint(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    pw = simulator.info.password
    sha256 = presented_sha256(simulator)
    ad_hoc = ("servers", "--url", simulator.url, "--user", simulator.info.username)
    result = console.run(*ad_hoc, "--json", password=pw, check=3)
    error = error_of(result)
    assert error["kind"] == "tls"
    assert error["tls_error"] == "untrusted_issuer"
    assert error["certificate"]["sha256"] == sha256
    assert "--ca FILE" in error["error"]
    assert f"--pin {sha256}" in error["error"]
    assert sha256.upper()[:5] in error["error"].replace(":", "")  # the fingerprint, displayed
    assert "choose its CA file" not in result.stderr  # the window's words
    # the advice works: pinning the printed fingerprint connects
    servers = console.json(*ad_hoc, "--pin", error["certificate"]["sha256"], password=pw)
    assert [s["id"] for s in servers] == [e.server_id for e in simulator.info.endpoints]


def test_a_replaced_certificate_shows_the_new_fingerprint(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    ad_hoc = ("servers", "--url", simulator.url, "--user", simulator.info.username)
    result = console.run(*ad_hoc, "--pin", "ab" * 32, password=simulator.info.password, check=3)
    assert "not the pinned one" in result.stderr
    assert f"--pin {presented_sha256(simulator)}" in result.stderr
    assert "connections edit NAME --pin" in result.stderr


def test_the_last_server_refusal_names_force(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    console.add(simulator)
    pw = simulator.info.password
    ids = [s["id"] for s in console.json("servers", password=pw)]
    for sid in ids[:-1]:
        console.run("isolate", sid, password=pw)
    refused = console.run("isolate", ids[-1], "--json", password=pw, check=5)
    error = error_of(refused)
    assert error["kind"] == "conflict"
    assert "--force" in error["error"]
    assert "Force the isolation" not in refused.stderr
    assert console.json("isolate", ids[-1], "--force", password=pw)["status"] == "isolated"
    # a conflict of another kind is passed on as the server said it
    simulator.stop_server(ids[1])  # not the one whose Management Tool the connection uses
    offline = error_of(console.run("return", ids[1], "--json", password=pw, check=5))
    assert offline["kind"] == "conflict"
    assert "--force" not in offline["error"]


def test_refusals_for_permissions_exit_5(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    viewer = simulator.info.raw["viewer_username"]
    console.run(
        "connections", "add", "Viewer", "--url", simulator.url, "--user", viewer,
        "--ca", str(simulator.info.ca_file),
    )  # fmt: skip
    console.add(simulator, "Locked", "--read-only")
    server = simulator.info.endpoints[1].server_id
    viewer_pw = simulator.info.raw["viewer_password"]
    assert len(console.json("servers", "-c", "Viewer", password=viewer_pw)) == 4  # may read
    forbidden = console.run(
        "isolate", server, "-c", "Viewer", "--json", password=viewer_pw, check=5
    )
    assert error_of(forbidden)["kind"] == "forbidden"
    read_only = console.run(
        "isolate", server, "-c", "Locked", "--json", password=simulator.info.password, check=5
    )
    assert error_of(read_only)["kind"] == "read_only"
    assert "--no-read-only" in error_of(read_only)["error"]
    assert {s["id"]: s["status"] for s in simulator.state()["servers"]}[server] != "isolated"


def test_a_failed_connection_test_is_a_json_error_with_every_check(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    closed = "https://127.0.0.1:9/EkranSystem"
    console.add(simulator, "Two", "--url", closed)
    result = console.run("connections", "test", "Two", "--json", password="wrong", check=4)
    error = error_of(result)
    assert error["kind"] == "authentication"  # the worst failure decides, as the exit code
    assert [(c["check"], c["ok"]) for c in error["checks"]] == [
        ("health", True), ("health", False), ("login", False),
    ]  # fmt: skip
    assert "refused" in error["checks"][1]["error"]
    console.run("connections", "add", "Plain", "--url", simulator.url, "--user", "admin")
    untrusted = console.json("connections", "test", "Plain", password="wrong", check=3)
    assert untrusted["kind"] == "tls"
    assert untrusted["checks"][0]["certificate_sha256"] == presented_sha256(simulator)
    assert "--pin " + presented_sha256(simulator) in untrusted["checks"][0]["error"]
