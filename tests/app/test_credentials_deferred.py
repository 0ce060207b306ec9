"""DeferredCredentialStore: the keyring is looked for on first use, once, in any thread."""

from __future__ import annotations

import subprocess
import sys
import threading

import keyring
import pytest
from keyring.backends import fail

from app.connections.model import ConnectionProfile
from app.credentials import CredentialStore, DeferredCredentialStore, NullCredentialStore, Secret
from tests.app.connections.keyring_fake import MemoryKeyring

PASSWORD = "correct horse battery staple"


def profile() -> ConnectionProfile:
    return ConnectionProfile(name="Acme", urls=["mt01.example"], username="admin")


def test_nothing_is_looked_for_until_first_use() -> None:
    calls: list[str] = []

    def find() -> CredentialStore:
        calls.append("find")
        return CredentialStore(MemoryKeyring())

    store = DeferredCredentialStore(find)
    assert calls == []
    assert not store.resolved
    owner = profile()
    store.set(owner, PASSWORD)
    assert store.get(owner) == Secret(PASSWORD)
    assert store.available
    assert calls == ["find"]  # once, whatever is called afterwards
    assert store.resolved


def test_it_behaves_as_the_system_store_it_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = DeferredCredentialStore()
    owner = profile()
    store.set(owner, PASSWORD)
    assert list(backend.entries.values()) == [PASSWORD]
    store.delete_all_for(owner.id, [owner.username])
    assert backend.entries == {}
    assert store.unavailable_reason is None


def test_without_a_keyring_it_says_why_as_the_null_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    store = DeferredCredentialStore()
    assert not store.available
    assert store.unavailable_reason
    assert isinstance(store.resolve(), NullCredentialStore)
    assert store.get(profile()) is None


def test_threads_asking_at_once_share_one_search() -> None:
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow_find() -> CredentialStore:
        calls.append("find")
        started.set()
        release.wait(10)
        return CredentialStore(MemoryKeyring())

    store = DeferredCredentialStore(slow_find)
    found: list[CredentialStore] = []
    worker = threading.Thread(target=lambda: found.append(store.resolve()))
    worker.start()
    assert started.wait(10)
    other = threading.Thread(target=lambda: found.append(store.resolve()))
    other.start()
    release.set()
    worker.join(10)
    other.join(10)
    assert calls == ["find"]
    assert len(found) == 2
    assert found[0] is found[1]


def test_importing_the_credentials_package_does_not_import_keyring() -> None:
    """The window builds its repository over a deferred store before the keyring is needed."""
    code = "import sys, app.credentials, app.logsetup; print('keyring' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
