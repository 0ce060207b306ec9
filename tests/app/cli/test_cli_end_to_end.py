"""``ekran-console-cli`` against the simulator over TLS.

The tests whose subject is the process (exit codes and streams as a script sees them, a
whole session that leaves no secret behind in any file, downloads included) run it as a
black box, a subprocess; the others run it in-process (``console``), which is much
cheaper and runs the same code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.app.cli.inprocess import InProcessCli
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.conftest import StartSimulator
from tests.helpers.simulator_process import ROOT, SimulatorProcess


class Cli:
    """Runs ``python -m app.cli`` with its own EKRAN_CONSOLE_HOME."""

    def __init__(self, home: Path) -> None:
        self.home = home

    def run(
        self, *args: str, password: str | None = None, check: int | None = 0
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "EKRAN_CONSOLE_HOME": str(self.home)}
        env.pop("EKRAN_CONSOLE_PASSWORD", None)
        if password is not None:
            env["EKRAN_CONSOLE_PASSWORD"] = password
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
        if check is not None:
            assert result.returncode == check, (
                f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def json(self, *args: str, password: str | None = None) -> Any:
        return json.loads(self.run(*args, "--json", password=password).stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "home")


def add_demo(
    cli: Cli, sim: SimulatorProcess, name: str = "Demo", *extra: str, password: str | None = None
) -> None:
    cli.run(
        "connections", "add", name,
        "--url", sim.url, "--user", sim.info.username, "--ca", str(sim.info.ca_file),
        *extra,
        password=password,
    )  # fmt: skip


def test_servers_json_uses_the_contract_field_names(
    console: InProcessCli, start_simulator: StartSimulator
) -> None:
    # Time frozen: the Clients counted by the command and by the simulator are the same.
    simulator = start_simulator("--servers", "4", "--clients", "200", "--time-scale", "0")
    cli = console
    cli.add(simulator)
    servers = cli.json("servers", password=simulator.info.password)
    assert [s["id"] for s in servers] == [e.server_id for e in simulator.info.endpoints]
    expected = {"id", "name", "address", "status", "clients", "version", "isolation"}
    assert expected | {"last_seen", "management_url"} <= set(servers[0])
    assert sum(s["clients"] for s in servers) == simulator.state()["connected"]
    text = cli.run("servers", password=simulator.info.password).stdout
    assert servers[0]["name"] in text
    assert "STATUS" in text


def test_isolate_return_and_version_by_name(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    cli = console
    cli.add(simulator)
    pw = simulator.info.password
    target = cli.json("servers", password=pw)[1]
    isolated = cli.json("isolate", target["name"].lower(), "--reason", "patching", password=pw)
    assert isolated["status"] == "isolated"
    assert isolated["isolation"]["reason"] == "patching"
    assert isolated["isolation"]["by"] == simulator.info.username
    state = {s["id"]: s for s in simulator.state()["servers"]}
    assert state[target["id"]]["status"] == "isolated"
    back = cli.json("return", target["id"], password=pw)
    assert back["status"] == "online"
    version = cli.json("version", target["id"], password=pw)
    assert version["version"] == target["version"]
    audit = (cli.home / "data" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    actions = [(json.loads(line)["action"], json.loads(line)["result"]) for line in audit]
    assert actions == [("isolate", "ok"), ("return", "ok"), ("version", "ok")]


def test_failures_at_the_process_boundary(
    cli: Cli, simulator: SimulatorProcess, console: InProcessCli
) -> None:
    """Exit codes and streams as a script sees them (the cases are tested in-process)."""
    # The saved connection is set up in-process, in the same console home (no password
    # saved: the processes below find none in any keyring).
    InProcessCli(cli.home, *console.fixtures, keyring=None).add(simulator)
    wrong = cli.run("servers", "--json", password="not-the-password", check=4)
    assert "not-the-password" not in wrong.stderr + wrong.stdout
    assert json.loads(wrong.stdout) == {
        "error": "The user name or password is wrong.",
        "exit_code": 4,
        "kind": "authentication",
        "url": json.loads(wrong.stdout)["url"],
    }
    assert wrong.stderr.startswith("error: ")
    usage = cli.run("isolate", "--json", check=2)  # argparse's own mistake, as JSON too
    assert json.loads(usage.stdout)["kind"] == "usage"
    # no password, no terminal to ask on (stdin is not a tty in a child process)
    assert json.loads(cli.run("servers", "-c", "Demo", "--json", check=4).stdout)["kind"] == (
        "no_password"
    )


def test_logs_download_is_a_valid_zip(
    console: InProcessCli, start_simulator: Any, tmp_path: Path
) -> None:
    sim = start_simulator("--servers", "2", "--log-size", "300000")
    cli = console
    cli.add(sim)
    out = tmp_path / "out"
    out.mkdir()
    result = cli.json(
        "logs", sim.info.endpoints[0].server_id, "--out", str(out), password=sim.info.password
    )
    path = Path(result["file"])
    assert path.parent == out
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    assert not list(out.glob("*.part*"))


def test_import_export_without_secrets(
    console: InProcessCli,
    simulator: SimulatorProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = console
    cli.add(simulator, "Prod", "--tag", "production", "--group", "Customers/Acme")
    export = tmp_path / "export.json"
    cli.run("connections", "export", str(export))
    text = export.read_text(encoding="utf-8")
    assert simulator.info.password not in text
    other = InProcessCli(tmp_path / "other-home", monkeypatch, capsys, keyring=MemoryKeyring())
    other.run("connections", "import", str(export))
    listed = other.json("connections", "list")
    assert [(c["name"], c["group"], c["tag"]) for c in listed] == [
        ("Prod", "Customers/Acme", "production")
    ]
    other.run("connections", "remove", "prod")
    assert other.json("connections", "list") == []


def test_watch_prints_live_updates(console: InProcessCli, simulator: SimulatorProcess) -> None:
    cli = console
    cli.add(simulator)
    result = cli.run("watch", "--count", "1", "--interval", "0.5", password=simulator.info.password)
    assert "Ctrl+C" in result.stdout
    assert simulator.info.endpoints[0].server_id in result.stdout


def test_connection_test_reports_each_url(
    console: InProcessCli, simulator: SimulatorProcess
) -> None:
    cli = console
    cli.add(simulator)
    checks = cli.json("connections", "test", "Demo", password=simulator.info.password)
    assert [c["check"] for c in checks] == ["health", "login"]
    assert all(c["ok"] for c in checks)


def real_keyring_or_skip() -> None:
    """Skip when no real keyring exists, unless the run requires one (CI): then fail."""
    import keyring

    from app.credentials import CredentialStore, KeyringUnavailableError

    try:
        CredentialStore(keyring.get_keyring())
    except KeyringUnavailableError as error:
        if os.environ.get("EKRAN_TEST_REAL_KEYRING") == "required":
            pytest.fail(f"a real keyring is required for this run but unusable: {error}")
        pytest.skip(f"no usable system keyring here ({error}); CI runs this with gnome-keyring")


@pytest.mark.keyring_real
def test_full_session_leaves_no_secret_behind(
    cli: Cli, start_simulator: Any, tmp_path: Path
) -> None:
    real_keyring_or_skip()
    sim = start_simulator("--servers", "3", "--log-size", "100000")
    secret = sim.info.password
    add_demo(cli, sim, "Kept", "--save-password", "-v", password=secret)
    env_less = [
        cli.run("servers", "-v"),  # the password now comes from the keyring
        cli.run("isolate", sim.info.endpoints[1].server_id, "--reason", "upgrade", "-v"),
        cli.run("return", sim.info.endpoints[1].server_id, "-v"),
        cli.run("version", sim.info.endpoints[0].server_id, "-v"),
        cli.run("logs", sim.info.endpoints[0].server_id, "--out", str(tmp_path), "-v"),
        cli.run("servers", "-v", password="wrong-" + secret, check=4),
    ]
    cli.run("connections", "export", str(tmp_path / "export.json"))
    outputs = "".join(r.stdout + r.stderr for r in env_less)
    assert secret not in outputs
    assert "Bearer " not in outputs
    files = [p for p in cli.home.rglob("*") if p.is_file()] + [tmp_path / "export.json"]
    assert any(p.name.endswith(".log") for p in files), "the session wrote no log file"
    for path in files:
        data = path.read_bytes()
        assert secret.encode() not in data, f"the password leaked into {path}"
        assert b"Bearer " not in data, f"a bearer token leaked into {path}"
    import keyring

    from app.credentials import SERVICE, entry_key

    (saved,) = cli.json("connections", "list")
    key = entry_key(saved["id"], saved["username"])
    assert keyring.get_password(SERVICE, key) == secret
    cli.run("connections", "remove", "Kept")
    assert keyring.get_password(SERVICE, key) is None


def test_watch_stops_when_sign_in_fails(console: InProcessCli, simulator: SimulatorProcess) -> None:
    cli = console
    cli.add(simulator)
    result = cli.run("watch", "--interval", "0.5", password="not-the-password", check=4)
    assert "password" in result.stderr.lower()
    cli.run("watch", "--interval", "0.5", check=4)  # no password at all: also stops


def test_plain_http_to_another_host_is_refused(console: InProcessCli) -> None:
    result = console.run(
        "connections", "add", "Clear", "--url", "http://mt01.corp.local", "--user", "a", check=2
    )
    assert "unencrypted" in result.stderr
