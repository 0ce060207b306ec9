"""ConnectionStore in one process: round trip, backup, recovery, newer versions, edits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.connections.document import FORMAT_VERSION, STORE_FORMAT
from app.connections.errors import (
    ConnectionStoreError,
    DuplicateProfileError,
    NewerFormatError,
    ProfileNotFoundError,
    StoreLockTimeoutError,
)
from app.connections.filelock import InterProcessLock
from app.connections.store import ConnectionStore
from app.paths import AppPaths
from tests.helpers.profiles import MakeProfile


def corrupt_copies(store: ConnectionStore) -> list[Path]:
    return sorted(store.path.parent.glob("connections.json.corrupt-*"))


def document_bytes(connections: list[object], version: int = FORMAT_VERSION) -> bytes:
    return json.dumps(
        {"format": STORE_FORMAT, "version": version, "connections": connections}
    ).encode()


def test_file_lives_in_the_config_folder_under_the_console_home(
    store: ConnectionStore, console_home: Path, make_profile: MakeProfile
) -> None:
    store.save([make_profile()])
    assert store.path == console_home / "config" / "connections.json"
    assert store.path.is_file()


def test_no_file_means_no_connections_and_no_problem(store: ConnectionStore) -> None:
    result = store.load()
    assert (result.profiles, result.problems, result.can_save) == ([], [], True)


def test_round_trip_keeps_order_and_values(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    profiles = [
        make_profile(tag="production", group="Customers/Acme", read_only=True),
        make_profile(notes="line one\nline two", poll_interval_s=30, remember_password=True),
        make_profile(tls={"mode": "pinned", "pinned_sha256": "0" * 64}),
    ]
    store.save(profiles)
    result = store.load()
    assert result.profiles == profiles
    assert result.problems == []


def test_file_is_the_versioned_document(store: ConnectionStore, make_profile: MakeProfile) -> None:
    profile = make_profile()
    store.save([profile])
    document = json.loads(store.path.read_text(encoding="utf-8"))
    assert document["format"] == "ekran-console/connections"
    assert document["version"] == 1
    assert [entry["id"] for entry in document["connections"]] == [profile.id]


def test_previous_file_is_kept_as_backup(store: ConnectionStore, make_profile: MakeProfile) -> None:
    first, second = make_profile(), make_profile()
    store.save([first])
    store.save([first, second])
    backup = json.loads(store.backup_path.read_bytes())
    assert [entry["id"] for entry in backup["connections"]] == [first.id]


def test_corrupt_file_is_set_aside_and_restored_from_backup(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    first, second = make_profile(), make_profile()
    store.save([first])
    store.save([first, second])
    store.path.write_bytes(b'{"format": "ekran-console/conn')

    result = store.load()

    assert result.profiles == [first]
    [aside] = corrupt_copies(store)
    assert aside.read_bytes() == b'{"format": "ekran-console/conn'
    assert len(result.problems) == 1
    assert "damaged" in result.problems[0]
    assert aside.name in result.problems[0]
    assert "restored from connections.json.bak" in result.problems[0]
    assert store.load().profiles == [first]  # the restored file is now the main file
    assert len(corrupt_copies(store)) == 1


@pytest.mark.parametrize(
    "content",
    [
        b"[1, 2, 3]",
        b'{"format": "something-else", "version": 1, "connections": []}',
        b'{"format": "ekran-console/connections", "version": "one", "connections": []}',
        b'{"format": "ekran-console/connections", "version": 1, "connections": {}}',
        b"\xff\xfe\x00garbage",
    ],
)
def test_wrong_shapes_count_as_damage(
    store: ConnectionStore, make_profile: MakeProfile, content: bytes
) -> None:
    profile = make_profile()
    store.save([profile])
    store.save([profile])  # now the backup holds it too
    store.path.write_bytes(content)
    result = store.load()
    assert result.profiles == [profile]
    assert [p.read_bytes() for p in corrupt_copies(store)] == [content]


def test_both_files_corrupt_gives_nothing_and_deletes_nothing(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    store.save([make_profile()])
    store.save([make_profile()])
    store.path.write_bytes(b"not json")
    store.backup_path.write_bytes(b"not json either")

    result = store.load()

    assert result.profiles == []
    assert len(result.problems) == 1
    assert "not usable either" in result.problems[0]
    assert store.backup_path.read_bytes() == b"not json either"
    assert [p.read_bytes() for p in corrupt_copies(store)] == [b"not json"]


def test_corrupt_file_without_backup_is_reported(store: ConnectionStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(b"{")
    result = store.load()
    assert result.profiles == []
    assert "there is no backup" in result.problems[0]
    assert [p.read_bytes() for p in corrupt_copies(store)] == [b"{"]


def test_invalid_entry_is_skipped_reported_and_kept_aside(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    good = make_profile()
    bad = {**make_profile().to_data(), "name": "Broken", "poll_interval_s": 0.01}
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(document_bytes([good.to_data(), bad]))

    result = store.load()

    assert result.profiles == [good]
    [problem] = result.problems
    assert 'Connection 2 ("Broken") was skipped' in problem
    assert "Poll interval must be between 0.5 s and 1 hour." in problem
    [aside] = corrupt_copies(store)
    assert aside.name in problem
    assert bad in json.loads(aside.read_bytes())["connections"]
    store.load()
    assert corrupt_copies(store) == [aside]  # loading again does not pile up copies


def test_repeated_id_is_skipped(store: ConnectionStore, make_profile: MakeProfile) -> None:
    profile = make_profile()
    twin = profile.with_changes(name="Twin")
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(document_bytes([profile.to_data(), twin.to_data()]))
    result = store.load()
    assert result.profiles == [profile]
    assert "same id" in result.problems[0]


def test_unknown_fields_of_the_same_version_are_ignored(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    store.path.parent.mkdir(parents=True)
    entry = {**profile.to_data(), "colour_override": "#123456"}
    content = json.dumps(
        {"format": STORE_FORMAT, "version": 1, "saved_by": "x", "connections": [entry]}
    )
    store.path.write_text(content, encoding="utf-8")
    result = store.load()
    assert result.profiles == [profile]
    assert result.problems == []


def test_newer_version_is_read_but_never_overwritten(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    content = document_bytes([{**profile.to_data(), "new_field": True}], version=2)
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)

    result = store.load()

    assert result.profiles == [profile]
    assert result.can_save is False
    assert result.newer_format is True
    assert "newer version" in result.problems[-1]
    with pytest.raises(NewerFormatError, match="newer version"):
        store.save([profile])
    with pytest.raises(NewerFormatError):
        store.add(make_profile())
    assert store.path.read_bytes() == content
    assert not store.backup_path.exists()


def test_newer_version_with_another_layout_is_left_alone(store: ConnectionStore) -> None:
    content = json.dumps({"format": STORE_FORMAT, "version": 3, "profiles_v3": {}}).encode()
    store.path.parent.mkdir(parents=True)
    store.path.write_bytes(content)
    result = store.load()
    assert result.profiles == []
    assert result.newer_format is True
    assert "newer version" in result.problems[0]
    assert corrupt_copies(store) == []
    assert store.path.read_bytes() == content


def test_add_get_update_remove(store: ConnectionStore, make_profile: MakeProfile) -> None:
    first, second = make_profile(), make_profile()
    store.add(first)
    store.add(second)
    assert store.get(second.id) == second
    changed = second.with_changes(name="Renamed")
    store.update(changed)
    assert store.load().profiles == [first, changed]
    assert store.remove(first.id) == first
    assert store.load().profiles == [changed]
    assert store.remove(first.id) is None
    assert store.get(first.id) is None


def test_add_refuses_a_saved_id(store: ConnectionStore, make_profile: MakeProfile) -> None:
    profile = make_profile()
    store.add(profile)
    with pytest.raises(DuplicateProfileError, match="already saved"):
        store.add(profile.with_changes(name="Other"))


def test_update_of_a_removed_connection_is_reported(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    with pytest.raises(ProfileNotFoundError, match="no longer saved"):
        store.update(make_profile(name="Gone"))


def test_save_refuses_repeated_ids(store: ConnectionStore, make_profile: MakeProfile) -> None:
    profile = make_profile()
    with pytest.raises(DuplicateProfileError):
        store.save([profile, profile.with_changes(name="Twin")])
    assert not store.path.exists()


def test_duplicate_gets_new_id_copy_name_and_follows_the_original(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    first, last = make_profile(name="Acme"), make_profile()
    store.save([first, last])
    copy = store.duplicate(first.id)
    second_copy = store.duplicate(first.id)
    assert copy.id not in (first.id, last.id)
    assert (copy.name, second_copy.name) == ("Acme (copy)", "Acme (copy 2)")
    assert copy.with_changes(id=first.id, name="Acme") == first
    assert [p.id for p in store.load().profiles] == [first.id, second_copy.id, copy.id, last.id]


def test_save_removes_temporary_files_of_killed_writers(
    store: ConnectionStore, make_profile: MakeProfile
) -> None:
    store.path.parent.mkdir(parents=True)
    leftover = store.path.parent / ".connections.json.abc123.tmp"
    leftover.write_bytes(b"half")
    store.save([make_profile()])
    assert not leftover.exists()


def test_a_held_lock_times_out_with_a_plain_message(
    paths: AppPaths, make_profile: MakeProfile
) -> None:
    store = ConnectionStore(paths, lock_timeout_s=0.2)
    paths.config_dir.mkdir(parents=True)
    with InterProcessLock(paths.config_dir / "connections.json.lock"):
        with pytest.raises(StoreLockTimeoutError, match="busy with the saved connections"):
            store.load()
        with pytest.raises(StoreLockTimeoutError):
            store.add(make_profile())
    assert store.load().profiles == []


def test_unusable_config_folder_reads_as_empty_and_refuses_changes(
    tmp_path: Path, make_profile: MakeProfile
) -> None:
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    store = ConnectionStore(AppPaths.under(blocker))
    result = store.load()
    assert result.profiles == []
    assert not result.can_save
    with pytest.raises(ConnectionStoreError, match="cannot be written"):
        store.add(make_profile())
