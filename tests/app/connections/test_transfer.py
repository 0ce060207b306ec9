"""Export and import of connections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.connections.errors import TransferError
from app.connections.store import ConnectionStore
from app.connections.transfer import MAX_IMPORT_BYTES, export_connections, import_connections
from app.credentials import CredentialStore
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.profiles import MakeProfile


def test_round_trip_into_an_empty_console(tmp_path: Path, make_profile: MakeProfile) -> None:
    profiles = [
        make_profile(group="Customers/Acme", tag="staging", read_only=True),
        make_profile(tls={"mode": "ca_file", "ca_file": "/etc/ekran/ca.pem"}),
    ]
    target = tmp_path / "acme.json"
    assert export_connections(profiles, target) == 2
    result = import_connections(target, existing=[])
    assert result.profiles == profiles
    assert result.problems == []


def test_export_document_kind(tmp_path: Path, make_profile: MakeProfile) -> None:
    target = tmp_path / "out.json"
    export_connections([make_profile()], target)
    document = json.loads(target.read_bytes())
    assert document["format"] == "ekran-console/connections-export"
    assert document["version"] == 1


def test_export_contains_no_password(tmp_path: Path, make_profile: MakeProfile) -> None:
    profile = make_profile(remember_password=True)
    keyring = MemoryKeyring()
    password = "Tr0ub4dor&3-unique-marker"
    CredentialStore(keyring).set(profile, password)
    target = tmp_path / "out.json"

    export_connections([profile], target)

    assert password not in target.read_text(encoding="utf-8")
    assert list(keyring.entries.values()) == [password]  # it really was stored


def test_clashing_ids_get_new_ids_and_clashing_names_a_suffix(
    tmp_path: Path, make_profile: MakeProfile
) -> None:
    existing = [make_profile(name="Acme"), make_profile(name="Beta (imported)")]
    exported = [
        existing[0],  # same id and name as a saved one
        make_profile(name="ACME"),  # same name, other case
        make_profile(name="Beta"),
        make_profile(name="Gamma"),
    ]
    target = tmp_path / "out.json"
    export_connections(exported, target)

    imported = import_connections(target, existing).profiles

    assert [p.name for p in imported] == ["Acme (imported)", "ACME (imported 2)", "Beta", "Gamma"]
    assert imported[0].id != existing[0].id
    assert [p.id for p in imported[1:]] == [p.id for p in exported[1:]]
    assert imported[0].with_changes(id=existing[0].id, name="Acme") == existing[0]


def test_long_names_stay_within_the_limit(tmp_path: Path, make_profile: MakeProfile) -> None:
    existing = [make_profile(name="x" * 100)]
    target = tmp_path / "out.json"
    export_connections([make_profile(name="x" * 100)], target)
    [imported] = import_connections(target, existing).profiles
    assert imported.name == "x" * 89 + " (imported)"


def test_saved_connections_file_is_not_an_export(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    store.save([make_profile()])
    with pytest.raises(TransferError, match="not an export"):
        import_connections(store.path, existing=[])


@pytest.mark.parametrize(
    "content",
    [b"", b"hello", b"[]", b'{"format": "other"}', b"\x89PNG\r\n\x1a\n"],
)
def test_other_files_are_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "file.json"
    path.write_bytes(content)
    with pytest.raises(TransferError, match="is not an Ekran Cluster Console connections export"):
        import_connections(path, existing=[])


def test_huge_files_are_rejected_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as stream:
        stream.truncate(MAX_IMPORT_BYTES + 1)
    with pytest.raises(TransferError, match="too large"):
        import_connections(path, existing=[])


def test_missing_file_is_a_transfer_error(tmp_path: Path) -> None:
    with pytest.raises(TransferError, match="could not be read"):
        import_connections(tmp_path / "absent.json", existing=[])


def test_invalid_entries_are_left_out_and_reported(
    tmp_path: Path, make_profile: MakeProfile
) -> None:
    good = make_profile()
    document = {
        "format": "ekran-console/connections-export",
        "version": 1,
        "connections": [good.to_data(), {"name": "No URL", "username": "u"}, "junk"],
    }
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = import_connections(path, existing=[])
    assert result.profiles == [good]
    assert result.problems == [
        'Connection 2 ("No URL") was not imported: Add at least one Management Tool URL.',
        "Connection 3 was not imported: The entry is not a connection.",
    ]


def test_export_from_a_newer_version_is_imported_with_a_note(
    tmp_path: Path, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    document = {
        "format": "ekran-console/connections-export",
        "version": 2,
        "connections": [{**profile.to_data(), "auth_kerberos_realm": "CORP"}],
    }
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    result = import_connections(path, existing=[])
    assert result.profiles == [profile]
    assert "newer version" in result.problems[0]
