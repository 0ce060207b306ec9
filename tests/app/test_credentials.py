"""CredentialStore over in-memory and failing keyring backends, and the Secret wrapper."""

from __future__ import annotations

import copy
import logging
import pickle
import traceback

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null
from keyring.errors import KeyringLocked, PasswordSetError

from app.connections.model import ConnectionProfile
from app.credentials import (
    LEGACY_SERVICE,
    MAX_SECRET_CHARS,
    SERVICE,
    CredentialStore,
    KeyringAccessError,
    KeyringUnavailableError,
    NullCredentialStore,
    Secret,
    SecretRejectedError,
    system_or_null,
)
from tests.app.connections.keyring_fake import MemoryKeyring

PASSWORD = "correct horse battery staple"


class FailingKeyring(MemoryKeyring):
    """Every call fails the way a broken D-Bus or a misbehaving backend might, echoing input."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError(f"org.freedesktop.DBus.Error.NoReply for {username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"could not store {password!r} for {username}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("org.freedesktop.DBus.Error.NoReply")


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")


class ReadOnlyKeyring(MemoryKeyring):
    """Reads work; writes fail (used to break the legacy migration)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError(f"refused {password}")


class ZeroPriorityKeyring(MemoryKeyring):
    priority = 0


class BrokenPriorityKeyring(MemoryKeyring):
    @property
    def priority(self) -> float:  # type: ignore[override]
        raise RuntimeError("no D-Bus session")


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plain-text file backend."""


PlaintextKeyring.__module__ = "keyrings.alt.file"


class FixedChain(chainer.ChainerBackend):
    """A chain over the given members instead of every installed backend."""

    def __init__(self, *members: KeyringBackend) -> None:
        super().__init__()
        self._members = list(members)

    @property
    def backends(self) -> list[KeyringBackend]:  # type: ignore[override]
        return self._members


for helper in (
    FailingKeyring,
    LockedKeyring,
    ReadOnlyKeyring,
    ZeroPriorityKeyring,
    BrokenPriorityKeyring,
    PlaintextKeyring,
    FixedChain,
):
    KeyringBackend._classes.discard(helper)  # keep test backends out of auto-detection


def profile(username: str = "admin") -> ConnectionProfile:
    return ConnectionProfile(name="Acme", urls=["mt01.example"], username=username)


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def store(backend: MemoryKeyring) -> CredentialStore:
    return CredentialStore(backend)


def test_set_then_get(store: CredentialStore, backend: MemoryKeyring) -> None:
    owner = profile()
    store.set(owner, PASSWORD)
    assert store.get(owner) == Secret(PASSWORD)
    assert backend.entries == {(SERVICE, f"{owner.id}:admin"): PASSWORD}


def test_set_accepts_a_secret_and_replaces(store: CredentialStore) -> None:
    owner = profile()
    store.set(owner, "first")
    store.set(owner, Secret("second"))
    found = store.get(owner)
    assert found is not None
    assert found.reveal() == "second"


def test_entries_are_per_connection_and_user(store: CredentialStore) -> None:
    first, second = profile("admin"), profile("admin")
    store.set(first, "one")
    assert store.get(second) is None
    assert store.get(first.with_changes(username="operator")) is None


def test_get_of_nothing_is_none(store: CredentialStore) -> None:
    assert store.get(profile()) is None


def test_delete_and_delete_of_nothing(store: CredentialStore, backend: MemoryKeyring) -> None:
    owner = profile()
    store.set(owner, PASSWORD)
    store.delete(owner)
    assert store.get(owner) is None
    store.delete(owner)
    assert backend.entries == {}


def test_delete_all_for_removes_only_that_connection(
    store: CredentialStore, backend: MemoryKeyring
) -> None:
    owner, other = profile("admin"), profile("admin")
    store.set(owner, "a")
    store.set(owner.with_changes(username="operator"), "b")
    store.set(other, "c")
    store.delete_all_for(owner.id, ["admin", "operator", "never-used"])
    assert list(backend.entries) == [(SERVICE, f"{other.id}:admin")]


def test_legacy_entry_is_found_and_migrated(store: CredentialStore, backend: MemoryKeyring) -> None:
    owner = profile("admin")
    backend.entries[(LEGACY_SERVICE, "admin")] = PASSWORD
    assert store.get(owner) == Secret(PASSWORD)
    assert backend.entries[(SERVICE, f"{owner.id}:admin")] == PASSWORD
    assert store.get(owner) == Secret(PASSWORD)


def test_a_legacy_entry_serves_every_connection_with_that_user(
    store: CredentialStore, backend: MemoryKeyring
) -> None:
    first, second = profile("admin"), profile("admin")
    backend.entries[(LEGACY_SERVICE, "admin")] = PASSWORD
    assert store.get(first) == Secret(PASSWORD)
    assert store.get(second) == Secret(PASSWORD)
    assert backend.entries[(SERVICE, f"{second.id}:admin")] == PASSWORD


def test_new_entry_wins_over_a_legacy_one(store: CredentialStore, backend: MemoryKeyring) -> None:
    owner = profile("admin")
    backend.entries[(LEGACY_SERVICE, "admin")] = "old"
    store.set(owner, "new")
    assert store.get(owner) == Secret("new")
    assert (LEGACY_SERVICE, "admin") in backend.entries


def test_delete_also_forgets_the_legacy_entry(
    store: CredentialStore, backend: MemoryKeyring
) -> None:
    owner = profile("admin")
    backend.entries[(LEGACY_SERVICE, "admin")] = PASSWORD
    store.delete(owner)
    assert store.get(owner) is None


def test_failed_migration_still_returns_the_password_and_logs_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    backend = ReadOnlyKeyring()
    backend.entries[(LEGACY_SERVICE, "admin")] = PASSWORD
    store = CredentialStore(backend)
    with caplog.at_level(logging.DEBUG):
        assert store.get(profile("admin")) == Secret(PASSWORD)
    assert "earlier version was not moved" in caplog.text
    assert PASSWORD not in caplog.text
    assert (LEGACY_SERVICE, "admin") in backend.entries


def test_longest_storable_password(store: CredentialStore) -> None:
    owner = profile()
    store.set(owner, "p" * MAX_SECRET_CHARS)
    assert store.get(owner) == Secret("p" * MAX_SECRET_CHARS)


@pytest.mark.parametrize(
    "password",
    ["p" * (MAX_SECRET_CHARS + 1), "\N{GRINNING FACE}" * (MAX_SECRET_CHARS // 2 + 1)],
    ids=["ascii", "outside-the-BMP"],
)
def test_too_long_password_is_refused(
    store: CredentialStore, backend: MemoryKeyring, password: str
) -> None:
    with pytest.raises(SecretRejectedError, match="at most 1,280 characters") as caught:
        store.set(profile(), password)
    assert password not in str(caught.value)
    assert backend.entries == {}


def test_empty_password_is_refused(store: CredentialStore) -> None:
    with pytest.raises(SecretRejectedError, match="empty"):
        store.set(profile(), "")


@pytest.mark.parametrize(
    "unusable",
    [
        fail.Keyring(),
        null.Keyring(),
        PlaintextKeyring(),
        ZeroPriorityKeyring(),
        BrokenPriorityKeyring(),
    ],
    ids=["fail", "null", "plaintext-file", "priority-0", "priority-raises"],
)
def test_unusable_backends_are_refused(unusable: KeyringBackend) -> None:
    with pytest.raises(KeyringUnavailableError) as caught:
        CredentialStore(unusable)
    assert str(caught.value) == (
        "No system keyring is available: the password will be asked every time."
    )
    assert caught.value.detail


def test_a_chain_is_usable_only_if_every_member_is() -> None:
    CredentialStore(FixedChain(MemoryKeyring(), MemoryKeyring())).set(profile(), PASSWORD)
    with pytest.raises(KeyringUnavailableError):
        CredentialStore(FixedChain(MemoryKeyring(), PlaintextKeyring()))
    with pytest.raises(KeyringUnavailableError):
        CredentialStore(FixedChain())


def test_system_store_refuses_the_fail_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    with pytest.raises(KeyringUnavailableError):
        CredentialStore.system()


def test_system_store_uses_the_selected_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = CredentialStore.system()
    store.set(profile(), PASSWORD)
    assert list(backend.entries.values()) == [PASSWORD]


def test_without_a_keyring_the_null_store_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    store = system_or_null()
    assert isinstance(store, NullCredentialStore)
    assert not store.available
    assert store.unavailable_reason
    assert "fail" in store.unavailable_reason.lower()


def test_with_a_keyring_system_or_null_is_the_real_store(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = system_or_null()
    assert store.available
    assert store.unavailable_reason is None
    store.set(profile(), PASSWORD)
    assert list(backend.entries.values()) == [PASSWORD]


def test_the_null_store_finds_nothing_deletes_nothing_and_refuses_to_store() -> None:
    store = NullCredentialStore("no keyring here")
    owner = profile()
    assert store.get(owner) is None
    store.delete(owner)
    store.delete_all_for(owner.id, [owner.username])
    with pytest.raises(KeyringUnavailableError) as caught:
        store.set(owner, PASSWORD)
    assert caught.value.detail == "no keyring here"
    assert PASSWORD not in all_text_of(caught.value)
    assert "no keyring here" in repr(store)


def all_text_of(error: BaseException) -> str:
    """Everything a log or a crash report could show about ``error``."""
    return "\n".join(
        [str(error), repr(error), "".join(traceback.format_exception(error)), repr(error.args)]
    )


def test_backend_errors_become_plain_errors_without_the_secret() -> None:
    store = CredentialStore(FailingKeyring())
    owner = profile()
    with pytest.raises(KeyringAccessError) as caught:
        store.set(owner, PASSWORD)
    assert "could not store the password" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert PASSWORD not in all_text_of(caught.value)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None

    with pytest.raises(KeyringAccessError, match="could not read the password"):
        store.get(owner)
    with pytest.raises(KeyringAccessError, match="could not delete the password"):
        store.delete(owner)


def test_locked_keyring_is_reported_as_locked() -> None:
    with pytest.raises(KeyringAccessError, match="keyring is locked"):
        CredentialStore(LockedKeyring()).get(profile())


def test_reprs_show_no_secret(store: CredentialStore) -> None:
    owner = profile()
    store.set(owner, PASSWORD)
    found = store.get(owner)
    assert PASSWORD not in repr(store)
    assert PASSWORD not in f"{found} {found!r} {found!s} {[found]} {found:>40}"


def test_secret_wrapper() -> None:
    secret = Secret(PASSWORD)
    assert (str(secret), repr(secret), f"{secret}") == ("***", "Secret('***')", "***")
    assert secret.reveal() == PASSWORD
    assert secret == Secret(PASSWORD)
    assert secret != Secret("other")
    assert secret != PASSWORD
    assert bool(secret)
    assert not bool(Secret(""))
    assert copy.deepcopy(secret).reveal() == PASSWORD
    with pytest.raises(TypeError):
        hash(secret)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]
