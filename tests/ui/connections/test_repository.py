"""ConnectionRepository against a real ConnectionStore and an in-memory keyring."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from keyring.errors import KeyringLocked

from app.connections import ConnectionStore, EnvironmentTag
from app.credentials import SERVICE, CredentialStore, NullCredentialStore, Secret, entry_key
from tests.app.connections.keyring_fake import MemoryKeyring
from tests.helpers.profiles import MakeProfile
from tests.helpers.removal import removal_beside
from ui.connections.repository import ConnectionRepository
from ui.tasks import TaskRunner


async def _done(task: asyncio.Task[Any] | None) -> Any:
    assert task is not None
    return await task


def _stored(keyring: MemoryKeyring, profile_id: str, username: str = "admin") -> str | None:
    return keyring.entries.get((SERVICE, entry_key(profile_id, username)))


def _collect(signal: Any) -> list[Any]:
    seen: list[Any] = []
    signal.connect(seen.append)
    return seen


async def test_add_saves_the_profile_and_remembers_the_password(
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    make_profile: MakeProfile,
) -> None:
    changes = _collect(repository.connections_changed)
    profile = make_profile(name="Acme", group="Customers", remember_password=True)

    saved = await _done(repository.add(profile, Secret("s3cret")))

    assert saved == profile
    assert [p.id for p in store.load().profiles] == [profile.id]
    assert _stored(keyring_backend, profile.id) == "s3cret"
    assert changes[-1] == [profile]
    assert repository.profile(profile.id) == profile
    assert repository.groups() == ["Customers"]
    assert await repository.get_password(profile) == Secret("s3cret")


async def test_add_without_remember_stores_no_password(
    repository: ConnectionRepository, keyring_backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    profile = make_profile(remember_password=False)
    await _done(repository.add(profile, Secret("s3cret")))
    assert keyring_backend.entries == {}
    assert await repository.get_password(profile) is None


async def test_profiles_are_sorted_by_folder_then_name(
    repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    for name, group in [("b", "Z"), ("B", ""), ("a", "Z"), ("A", "")]:
        await _done(repository.add(make_profile(name=name, group=group), None))
    assert [(p.group, p.name) for p in repository.profiles()] == [
        ("", "A"),
        ("", "B"),
        ("Z", "a"),
        ("Z", "b"),
    ]


async def test_update_keeps_replaces_moves_and_forgets_the_password(
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(remember_password=True)
    await _done(repository.add(profile, Secret("first")))

    renamed = profile.with_changes(name="Renamed", tag=EnvironmentTag.PRODUCTION)
    await _done(repository.update(renamed, None))
    assert store.load().profiles == [renamed]
    assert _stored(keyring_backend, profile.id) == "first"  # kept

    await _done(repository.update(renamed, Secret("second")))
    assert _stored(keyring_backend, profile.id) == "second"  # replaced

    other_user = renamed.with_changes(username="operator")
    await _done(repository.update(other_user, None))
    assert _stored(keyring_backend, profile.id, "operator") == "second"  # moved along
    assert _stored(keyring_backend, profile.id, "admin") is None

    await _done(repository.update(other_user, None, forget_password=True))
    assert keyring_backend.entries == {}


async def test_update_of_a_connection_removed_elsewhere_reports_and_reloads(
    repository: ConnectionRepository, store: ConnectionStore, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    await _done(repository.add(profile, None))
    store.remove(profile.id)  # for example by the command line
    failures = _collect(repository.operation_failed)

    assert await _done(repository.update(profile.with_changes(name="New"), None)) is None

    assert len(failures) == 1
    assert "no longer saved" in failures[0]
    assert repository.profiles() == []


async def test_remove_deletes_the_profile_and_its_keyring_entry(
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    make_profile: MakeProfile,
) -> None:
    keep = make_profile(remember_password=True)
    gone = make_profile(remember_password=True)
    await _done(repository.add(keep, Secret("keep")))
    await _done(repository.add(gone, Secret("gone")))
    removed = _collect(repository.connection_removed)

    await _done(repository.remove(gone))
    await _done(repository.remove(gone))  # already gone: nothing more is announced

    assert removed == [gone.id]
    assert [p.id for p in store.load().profiles] == [keep.id]
    assert _stored(keyring_backend, gone.id) is None
    assert _stored(keyring_backend, keep.id) == "keep"
    assert [p.id for p in repository.profiles()] == [keep.id]


async def test_duplicate_saves_a_copy_without_password(
    repository: ConnectionRepository, keyring_backend: MemoryKeyring, make_profile: MakeProfile
) -> None:
    original = make_profile(name="Acme", remember_password=True)
    await _done(repository.add(original, Secret("pw")))

    copy = await _done(repository.duplicate(original))

    assert copy.name == "Acme (copy)"
    assert copy.id != original.id
    assert copy.urls == original.urls
    assert {p.name for p in repository.profiles()} == {"Acme", "Acme (copy)"}
    assert await repository.get_password(copy) is None


async def test_export_then_import_adds_copies_with_unique_names(
    repository: ConnectionRepository,
    tmp_path: Path,
    make_profile: MakeProfile,
) -> None:
    first, second = make_profile(name="One"), make_profile(name="Two")
    await _done(repository.add(first, Secret("never exported")))
    await _done(repository.add(second, None))
    completed = _collect(repository.operation_completed)
    export = tmp_path / "export.json"

    assert await _done(repository.export_file(export, [first, second])) == 2
    assert "never exported" not in export.read_text(encoding="utf-8")
    assert json.loads(export.read_text(encoding="utf-8"))["format"].endswith("export")

    assert await _done(repository.import_file(export)) == 2
    names = sorted(p.name for p in repository.profiles())
    assert names == ["One", "One (imported)", "Two", "Two (imported)"]
    assert completed == [
        "Exported 2 connections to export.json (passwords are not exported).",
        "Imported 2 connections from export.json.",
    ]


async def test_import_of_a_bad_file_fails_with_one_line(
    repository: ConnectionRepository, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    failures = _collect(repository.operation_failed)
    assert await _done(repository.import_file(bad)) is None
    assert len(failures) == 1
    assert "bad.json" in failures[0]
    assert "\n" not in failures[0]


async def test_reload_reports_a_recovered_damaged_file(
    repository: ConnectionRepository, store: ConnectionStore, make_profile: MakeProfile
) -> None:
    profile = make_profile()
    await _done(repository.add(profile, None))
    await _done(repository.add(make_profile(), None))  # the first save is now the backup
    store.path.write_text("{damaged", encoding="utf-8")
    problems = _collect(repository.problem_reported)

    await _done(repository.reload())

    assert len(problems) == 1
    assert "damaged" in problems[0]
    assert [p.id for p in repository.profiles()] == [profile.id]


async def test_transient_connection_is_listed_kept_in_memory_and_saved_on_request(
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    make_profile: MakeProfile,
) -> None:
    demo = make_profile(name="Demo cluster", remember_password=True)
    changes = _collect(repository.connections_changed)

    repository.add_transient(demo)
    repository.set_transient_password(demo.id, Secret("demo-pw"))

    assert changes[-1] == [demo]
    assert repository.is_transient(demo.id)
    assert store.load().profiles == []
    assert keyring_backend.entries == {}
    assert await repository.get_password(demo) == Secret("demo-pw")

    await _done(repository.save_transient(demo.id))

    assert not repository.is_transient(demo.id)
    assert store.load().profiles == [demo]
    assert _stored(keyring_backend, demo.id) == "demo-pw"


async def test_removing_a_transient_connection_touches_nothing_on_disk(
    repository: ConnectionRepository, store: ConnectionStore, make_profile: MakeProfile
) -> None:
    demo = make_profile()
    repository.add_transient(demo)
    removed = _collect(repository.connection_removed)
    await _done(repository.remove(demo))
    assert repository.profiles() == []
    assert removed == [demo.id]
    assert not store.path.parent.exists() or list(store.path.parent.iterdir()) == []


async def test_remember_password_stores_it_and_marks_the_profile(
    repository: ConnectionRepository,
    store: ConnectionStore,
    keyring_backend: MemoryKeyring,
    make_profile: MakeProfile,
) -> None:
    profile = make_profile(remember_password=False)
    await _done(repository.add(profile, None))

    assert await repository.remember_password(profile, Secret("typed"))

    assert _stored(keyring_backend, profile.id) == "typed"
    assert store.load().profiles[0].remember_password is True


async def test_without_keyring_passwords_are_not_available(
    store: ConnectionStore, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    credentials = NullCredentialStore("no keyring in this test")
    repository = ConnectionRepository(
        store, credentials, runner, removal_beside(store, credentials)
    )
    profile = make_profile(remember_password=True)
    await _done(repository.add(profile, Secret("pw")))
    assert not repository.keyring_available
    assert await repository.get_password(profile) is None
    assert not await repository.remember_password(profile, Secret("pw"))


class _LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")


async def test_keyring_failure_is_reported_not_raised(
    store: ConnectionStore, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    credentials = CredentialStore(_LockedKeyring())
    repository = ConnectionRepository(
        store, credentials, runner, removal_beside(store, credentials)
    )
    problems = _collect(repository.problem_reported)
    assert await repository.get_password(make_profile()) is None
    assert problems == ["The system keyring is locked; could not read the password."]


async def test_passwords_never_reach_signals(
    repository: ConnectionRepository, make_profile: MakeProfile
) -> None:
    secret = "hunter2-secret"
    emitted: list[str] = []
    for signal in (
        repository.problem_reported,
        repository.operation_failed,
        repository.operation_completed,
    ):
        signal.connect(emitted.append)
    profile = make_profile(remember_password=True)
    await _done(repository.add(profile, Secret(secret)))
    await _done(repository.add(profile, Secret(secret)))  # fails: already saved
    assert emitted
    assert all(secret not in text for text in emitted)
