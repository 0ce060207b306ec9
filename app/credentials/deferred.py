"""DeferredCredentialStore: the system keyring's store, found when first needed."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from app.credentials.secret import Secret
from app.credentials.store import CredentialOwner, CredentialStore, system_or_null


class DeferredCredentialStore(CredentialStore):
    """A ``CredentialStore`` that looks for the keyring on its first use.

    Finding the system keyring imports the ``keyring`` package and probes its backends
    (entry points, D-Bus): the window can paint first. ``find`` (given: ``system_or_null``)
    runs once, on the first call of any method or property, in whichever thread makes it;
    calls from other threads meanwhile wait for it. Call ``resolve`` from a worker
    thread to find it ahead of time. Behaves exactly as the store ``find`` returns.
    """

    def __init__(self, find: Callable[[], CredentialStore] = system_or_null) -> None:
        # No ``super().__init__``: the backend belongs to the store found later.
        self._find = find
        self._found: CredentialStore | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DeferredCredentialStore(found={self._found!r})"

    @property
    def resolved(self) -> bool:
        """True once the keyring has been looked for."""
        return self._found is not None

    def resolve(self) -> CredentialStore:
        """The store found (looked for now if not yet; may block)."""
        with self._lock:
            if self._found is None:
                self._found = self._find()
            return self._found

    @property
    def available(self) -> bool:
        return self.resolve().available

    @property
    def unavailable_reason(self) -> str | None:
        return self.resolve().unavailable_reason

    def get(self, owner: CredentialOwner) -> Secret | None:
        return self.resolve().get(owner)

    def set(self, owner: CredentialOwner, password: Secret | str) -> None:
        self.resolve().set(owner, password)

    def delete(self, owner: CredentialOwner) -> None:
        self.resolve().delete(owner)

    def delete_all_for(self, connection_id: str, usernames: Iterable[str]) -> None:
        self.resolve().delete_all_for(connection_id, usernames)
