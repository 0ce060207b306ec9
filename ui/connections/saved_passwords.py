"""What happens to a connection's stored password when the connection is saved (removing
it is ``app.removal.ConnectionRemoval``'s job)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.credentials import CredentialError, CredentialStore, Secret

if TYPE_CHECKING:
    from app.connections import ConnectionProfile


class SavedPasswords:
    """The keyring side of saving connections; every method blocks (call it in a thread).

    The ``after_*`` methods never raise for a keyring failure: they return one line per
    failure, because the connection itself was already saved. Without a keyring
    (a ``NullCredentialStore``) they do nothing.
    """

    def __init__(self, credentials: CredentialStore) -> None:
        self.credentials = credentials

    @property
    def available(self) -> bool:
        return self.credentials.available

    def after_add(self, profile: ConnectionProfile, password: Secret | None) -> list[str]:
        """Store ``password`` when the new connection remembers it."""
        if password is None or not profile.remember_password:
            return []
        return self._attempt(lambda store: store.set(profile, password))

    def after_update(
        self,
        previous: ConnectionProfile | None,
        profile: ConnectionProfile,
        password: Secret | None,
        *,
        forget: bool,
    ) -> list[str]:
        """Delete the password when forgotten or no longer remembered; else store a new one,
        or move the stored one along when the user name changed."""
        return self._attempt(lambda store: _update(store, previous, profile, password, forget))

    def _attempt(self, operation: Callable[[CredentialStore], None]) -> list[str]:
        if not self.credentials.available:
            return []
        try:
            operation(self.credentials)
        except CredentialError as exc:
            return [str(exc)]
        return []


def _update(
    store: CredentialStore,
    previous: ConnectionProfile | None,
    profile: ConnectionProfile,
    password: Secret | None,
    forget: bool,
) -> None:
    renamed = previous is not None and previous.username != profile.username
    if forget or not profile.remember_password:
        store.delete(profile)
        if renamed and previous is not None:
            store.delete(previous)
        return
    if password is None and renamed and previous is not None:
        password = store.get(previous)
    if password:
        store.set(profile, password)
    if renamed and previous is not None:
        store.delete_all_for(profile.id, [previous.username])
