"""``connections add|edit|remove``: what is saved, what is said, and the exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.credentials import SERVICE, entry_key
from tests.app.cli.inprocess import InProcessCli
from tests.helpers.simulator_process import SimulatorProcess

PIN = "AB:" * 31 + "AB"


def add(console: InProcessCli, name: str = "Prod", *extra: str, password: str | None = None) -> Any:
    return console.json(
        "connections", "add", name, "--url", "mt01.corp.local", "--user", "admin", *extra,
        password=password,
    )  # fmt: skip


def saved(console: InProcessCli, name: str = "Prod") -> dict[str, Any]:
    (entry,) = [c for c in console.json("connections", "list") if c["name"] == name]
    return entry  # type: ignore[no-any-return]


def stored_password(console: InProcessCli, entry: dict[str, Any]) -> str | None:
    assert console.keyring is not None
    return console.keyring.entries.get((SERVICE, entry_key(entry["id"], entry["username"])))


def test_without_a_keyring_the_connection_is_saved_without_its_password(
    console_without_keyring: InProcessCli,
) -> None:
    console = console_without_keyring
    result = console.run(
        "connections", "add", "Prod", "--url", "mt01.corp.local", "--user", "admin",
        "--save-password", password="secret-1",
    )  # fmt: skip
    assert result.code == 0
    assert result.stdout.startswith("Saved 'Prod'")
    assert "with its password" not in result.stdout
    assert result.stderr.startswith("warning: No system keyring is available.")
    assert "EKRAN_CONSOLE_PASSWORD" in result.stderr
    assert "prompt" in result.stderr
    entry = saved(console)
    assert entry["remember_password"] is False
    other = add(console, "Other", "--save-password", password="secret-1")
    assert other["remember_password"] is False
    assert "EKRAN_CONSOLE_PASSWORD" in other["warnings"][0]
    for path in (p for p in console.home.rglob("*") if p.is_file()):
        assert b"secret-1" not in path.read_bytes(), f"the password was written to {path}"


def test_a_saved_password_goes_to_the_keyring(console: InProcessCli) -> None:
    entry = add(console, "Prod", "--save-password", password="secret-1")
    assert entry["remember_password"] is True
    assert entry["warnings"] == []
    assert stored_password(console, entry) == "secret-1"


def test_edit_replaces_adds_and_removes_urls(console: InProcessCli) -> None:
    add(console)
    replaced = console.json(
        "connections", "edit", "prod", "--url", "mt02.corp.local", "--url", "mt03.corp.local"
    )
    assert replaced["urls"] == [
        "https://mt02.corp.local/EkranSystem",
        "https://mt03.corp.local/EkranSystem",
    ]
    assert replaced["changed"] == ["URLs"]
    changed = console.run(
        "connections", "edit", "Prod", "--add-url", "mt04.corp.local",
        "--remove-url", "https://MT02.corp.local/EkranSystem/",
    )  # fmt: skip
    assert changed.stdout.strip() == "Updated 'Prod': URLs."
    assert saved(console)["urls"] == [
        "https://mt03.corp.local/EkranSystem",
        "https://mt04.corp.local/EkranSystem",
    ]
    unknown = console.run("connections", "edit", "Prod", "--remove-url", "mt09.corp.local", check=2)
    assert "is not one of the URLs of 'Prod'" in unknown.stderr
    twice = console.run("connections", "edit", "Prod", "--add-url", "mt03.corp.local", check=2)
    assert "listed twice" in twice.stderr
    clear = console.run(
        "connections", "edit", "Prod", "--add-url", "http://mt05.corp.local", "--json", check=2
    )
    assert clear.json()["kind"] == "invalid_connection"
    assert "unencrypted" in clear.json()["error"]
    assert len(saved(console)["urls"]) == 2  # a refused edit changes nothing


def test_edit_changes_every_other_field(console: InProcessCli, tmp_path: Path) -> None:
    add(console)
    ca = tmp_path / "corp-ca.pem"
    result = console.json(
        "connections", "edit", "Prod", "--name", "Production", "--user", "ops",
        "--group", "Customers/Acme", "--tag", "production", "--read-only", "--ca", str(ca),
        "--proxy", "http://proxy.corp.local:8080", "--poll-interval", "5", "--notes", "on call",
    )  # fmt: skip
    assert result["changed"] == [
        "name", "user", "trust", "group", "tag", "read-only", "proxy", "poll interval", "notes",
    ]  # fmt: skip
    entry = saved(console, "Production")
    assert (entry["username"], entry["group"], entry["tag"]) == (
        "ops",
        "Customers/Acme",
        "production",
    )
    assert entry["read_only"] is True
    assert (entry["tls"], entry["ca_file"]) == ("ca_file", str(ca.absolute()))
    assert (entry["proxy"], entry["poll_interval_s"], entry["notes"]) == (
        "http://proxy.corp.local:8080", 5.0, "on call",
    )  # fmt: skip
    pinned = console.json("connections", "edit", "production", "--pin", PIN, "--no-read-only")
    assert (pinned["tls"], pinned["pinned_sha256"]) == ("pinned", "ab" * 32)
    assert pinned["read_only"] is False
    assert console.json("connections", "edit", "Production", "--system-trust")["tls"] == "system"
    same = console.run("connections", "edit", "Production", "--tag", "production")
    assert same.stdout.strip() == "Nothing changed: 'Production' already has these settings."


def test_edit_refuses_what_add_refuses(console: InProcessCli) -> None:
    add(console)
    add(console, "Staging")
    nothing = console.run("connections", "edit", "Prod", check=2)
    assert "Nothing to change" in nothing.stderr
    taken = console.run("connections", "edit", "Prod", "--name", "STAGING", check=2)
    assert "already exists" in taken.stderr
    bad_pin = console.run("connections", "edit", "Prod", "--pin", "abc", "--json", check=2)
    assert "SHA-256" in bad_pin.json()["error"]
    both = console.run("connections", "edit", "Prod", "--ca", "x.pem", "--pin", PIN, check=2)
    assert "not allowed with argument" in both.stderr
    poll = console.run("connections", "edit", "Prod", "--poll-interval", "0.1", check=2)
    assert "Poll interval" in poll.stderr
    missing = console.run("connections", "edit", "Nope", "--tag", "test", check=2)
    assert "No saved connection is named 'Nope'" in missing.stderr
    assert saved(console)["name"] == "Prod"
    # renaming to the same name in another case is allowed
    assert console.json("connections", "edit", "Prod", "--name", "PROD")["name"] == "PROD"


def test_edit_saves_and_forgets_the_password(console: InProcessCli) -> None:
    add(console)
    keep = console.run("connections", "edit", "Prod", "--save-password", password="secret-2")
    assert keep.stdout.strip() == "Updated 'Prod'. Its password was saved in the system keyring."
    entry = saved(console)
    assert entry["remember_password"] is True
    assert stored_password(console, entry) == "secret-2"
    forget = console.json("connections", "edit", "Prod", "--forget-password")
    assert forget["events"] == ["its saved password was deleted"]
    assert forget["remember_password"] is False
    assert stored_password(console, entry) is None
    again = console.run("connections", "edit", "Prod", "--forget-password")
    assert again.stdout.strip() == "Updated 'Prod'. It had no saved password."
    # a new user name cannot use the old user's password: it is deleted, and said so
    console.run("connections", "edit", "Prod", "--save-password", password="secret-2")
    renamed = console.run("connections", "edit", "Prod", "--user", "ops")
    assert "the password saved for 'admin' was deleted" in renamed.stdout.lower()
    assert console.keyring is not None
    assert console.keyring.entries == {}
    assert saved(console)["remember_password"] is False


def test_edit_save_password_without_a_keyring_warns(console_without_keyring: InProcessCli) -> None:
    console = console_without_keyring
    add(console)
    result = console.run("connections", "edit", "Prod", "--save-password", password="pw")
    assert result.code == 0
    assert "EKRAN_CONSOLE_PASSWORD" in result.stderr
    assert result.stdout.strip() == "Nothing changed: 'Prod' already has these settings."


def test_remove_says_whether_a_password_was_removed(console: InProcessCli) -> None:
    add(console, "Kept", "--save-password", password="secret-3")
    add(console, "Bare")
    kept = console.run("connections", "remove", "Kept")
    assert kept.stdout.strip() == "Removed 'Kept' and its saved password."
    assert console.keyring is not None
    assert console.keyring.entries == {}
    bare = console.json("connections", "remove", "bare")
    assert (bare["name"], bare["password_removed"]) == ("Bare", False)
    assert console.json("connections", "list") == []
    add(console, "Again")
    again = console.run("connections", "remove", "Again")
    assert again.stdout.strip() == "Removed 'Again'; it had no saved password."


def test_remove_without_a_keyring(console_without_keyring: InProcessCli) -> None:
    add(console_without_keyring)
    result = console_without_keyring.run("connections", "remove", "Prod")
    assert "no system keyring here, so no saved password" in result.stdout


def test_list_names_one_a_line(console: InProcessCli) -> None:
    assert console.run("connections", "list", "--names").stdout == ""
    add(console, "Prod")
    add(console, "My Lab")
    assert console.run("connections", "list", "--names").stdout == "My Lab\nProd\n"
    assert console.json("connections", "list", "--names") == ["My Lab", "Prod"]


def test_an_edited_trust_is_used(console: InProcessCli, simulator: SimulatorProcess) -> None:
    console.run(
        "connections", "add", "Demo", "--url", simulator.url, "--user", simulator.info.username,
    )  # fmt: skip
    pw = simulator.info.password
    console.run("servers", password=pw, check=3)  # the system does not trust the test CA
    console.run("connections", "edit", "Demo", "--ca", str(simulator.info.ca_file))
    assert len(console.json("servers", password=pw)) == len(simulator.info.endpoints)
