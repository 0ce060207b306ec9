"""CredentialStore against the real system keyring (Secret Service on Linux).

``python dev.py test`` runs the suite inside a private D-Bus session with an unlocked
gnome-keyring and sets ``EKRAN_TEST_REAL_KEYRING=required``: then a missing keyring is a
failure. Without that variable the tests skip when no system keyring is usable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import keyring
import pytest

from app.connections.model import ConnectionProfile
from app.credentials import (
    LEGACY_SERVICE,
    MAX_SECRET_CHARS,
    SERVICE,
    CredentialStore,
    KeyringUnavailableError,
    Secret,
    SecretRejectedError,
    entry_key,
)

pytestmark = pytest.mark.keyring_real

REQUIRED = os.environ.get("EKRAN_TEST_REAL_KEYRING") == "required"


@pytest.fixture
def real_store() -> CredentialStore:
    try:
        store = CredentialStore.system()
    except KeyringUnavailableError as exc:
        reason = f"no usable system keyring ({exc.detail})"
        if REQUIRED:
            pytest.fail(f"{reason}, but EKRAN_TEST_REAL_KEYRING=required")
        pytest.skip(reason)
    backend = keyring.get_keyring()
    assert type(backend).__module__.startswith("keyring.backends."), type(backend)
    return store


@pytest.fixture
def owner(real_store: CredentialStore) -> Iterator[ConnectionProfile]:
    """A fresh connection whose keyring entries (new and legacy) are removed afterwards."""
    profile = ConnectionProfile(
        name="Real keyring test", urls=["mt.example"], username=f"test-user-{os.getpid()}"
    )
    yield profile
    real_store.delete(profile)


def test_set_get_replace_delete(real_store: CredentialStore, owner: ConnectionProfile) -> None:
    assert real_store.get(owner) is None
    real_store.set(owner, "first p\u00e4ssword \N{SNOWMAN}")
    assert real_store.get(owner) == Secret("first p\u00e4ssword \N{SNOWMAN}")
    real_store.set(owner, Secret("second"))
    assert real_store.get(owner) == Secret("second")
    assert keyring.get_password(SERVICE, entry_key(owner.id, owner.username)) == "second"
    real_store.delete(owner)
    assert real_store.get(owner) is None
    real_store.delete(owner)  # deleting nothing is not an error


def test_legacy_entry_is_migrated(real_store: CredentialStore, owner: ConnectionProfile) -> None:
    keyring.set_password(LEGACY_SERVICE, owner.username, "from an earlier version")
    assert real_store.get(owner) == Secret("from an earlier version")
    new_key = entry_key(owner.id, owner.username)
    assert keyring.get_password(SERVICE, new_key) == "from an earlier version"
    # kept for other connections with the same user name, until this one forgets it
    assert keyring.get_password(LEGACY_SERVICE, owner.username) == "from an earlier version"
    real_store.delete(owner)
    assert keyring.get_password(LEGACY_SERVICE, owner.username) is None
    assert keyring.get_password(SERVICE, new_key) is None


def test_delete_all_for(real_store: CredentialStore, owner: ConnectionProfile) -> None:
    other_user = owner.with_changes(username=owner.username + "-2")
    real_store.set(owner, "one")
    real_store.set(other_user, "two")
    real_store.delete_all_for(owner.id, [owner.username, other_user.username])
    assert real_store.get(owner) is None
    assert real_store.get(other_user) is None


@pytest.mark.parametrize(
    "unit",
    ["x", "\u00e4", "\N{GRINNING FACE}"],  # one UTF-16 unit, one, two (a surrogate pair)
    ids=["ascii", "latin", "astral"],
)
def test_the_longest_storable_password_round_trips(
    real_store: CredentialStore, owner: ConnectionProfile, unit: str
) -> None:
    """Windows Credential Manager keeps at most 2,560 bytes (1,280 UTF-16 units): the
    longest password ``check_storable`` lets through must fit, one unit more must not be
    offered to the keyring at all."""
    longest = unit * (MAX_SECRET_CHARS // (len(unit.encode("utf-16-le")) // 2))
    assert len(longest.encode("utf-16-le")) // 2 == MAX_SECRET_CHARS
    real_store.set(owner, longest)
    assert real_store.get(owner) == Secret(longest)
    with pytest.raises(SecretRejectedError):
        real_store.set(owner, longest + "x")
    assert real_store.get(owner) == Secret(longest), "the stored password is untouched"
