"""Passwords of saved connections in the system keyring (Credential Manager, Secret Service).

One entry per connection and user: service "Ekran Cluster Console", user name
``"<connection id>:<username>"``. Entries written by earlier versions (service
"EkranClusterConsole", user name = the plain username) are still found and moved to the
new key on first read. There is no fallback to a file: without a usable keyring the
console works with a ``NullCredentialStore`` (``system_or_null``), which stores nothing,
finds nothing and says why, so that callers ask for the password every time.
Calls may block (D-Bus, unlock prompts); run them off the UI thread. The ``keyring``
package (which scans its backends' entry points) is imported on first use, not with this
module: the window paints before it is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from app.credentials.errors import KeyringAccessError, KeyringUnavailableError, SecretRejectedError
from app.credentials.secret import MASK, Secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "Ekran Cluster Console"
LEGACY_SERVICE = "EkranClusterConsole"
MAX_SECRET_CHARS = 1280
"""Windows Credential Manager stores at most 2,560 bytes, i.e. 1,280 UTF-16 code units."""

_T = TypeVar("_T")


class CredentialOwner(Protocol):
    """Whose password it is: a saved connection (``ConnectionProfile`` fits)."""

    @property
    def id(self) -> str: ...

    @property
    def username(self) -> str: ...


def entry_key(connection_id: str, username: str) -> str:
    """The keyring user name under which a connection's password is stored."""
    return f"{connection_id}:{username}"


def check_storable(password: str) -> None:
    """Raise ``SecretRejectedError`` if ``password`` is empty or too long for every keyring."""
    if not password:
        raise SecretRejectedError("An empty password is not stored.")
    if len(password.encode("utf-16-le")) // 2 > MAX_SECRET_CHARS:
        raise SecretRejectedError(
            f"The password is too long to store in the system keyring "
            f"(at most {MAX_SECRET_CHARS:,} characters)."
        )


class CredentialStore:
    """Get, set and delete connection passwords in one keyring backend.

    Construction refuses an unusable backend with ``KeyringUnavailableError``. Every
    backend failure becomes ``KeyringAccessError`` whose message never contains the secret.
    ``available`` is True; ``NullCredentialStore`` is the same interface without a keyring.
    """

    def __init__(self, backend: KeyringBackend) -> None:
        from app.credentials.backends import unusable_reason  # keyring: on first use

        reason = unusable_reason(backend)
        if reason is not None:
            log.info("Passwords will not be remembered: %s", reason)
            raise KeyringUnavailableError(reason)
        self._backend = backend

    @property
    def available(self) -> bool:
        """False only without a keyring (``NullCredentialStore``): passwords are then
        asked every time."""
        return True

    @property
    def unavailable_reason(self) -> str | None:
        """Why there is no keyring (``NullCredentialStore``); None when there is one."""
        return None

    @classmethod
    def system(cls) -> CredentialStore:
        """The store over the keyring the ``keyring`` package selects for this user."""
        import keyring  # scans the installed backends: only when a store is needed

        try:
            backend = keyring.get_keyring()
        except Exception as exc:
            reason = f"the keyring could not start ({type(exc).__name__})"
            raise KeyringUnavailableError(reason) from None
        return cls(backend)

    def __repr__(self) -> str:
        kind = type(self._backend)
        return f"CredentialStore(backend={kind.__module__}.{kind.__qualname__})"

    def get(self, owner: CredentialOwner) -> Secret | None:
        """The stored password, or None. A legacy entry is returned and moved to the new key."""
        key = entry_key(owner.id, owner.username)
        value = self._call("read the password", lambda: self._backend.get_password(SERVICE, key))
        if value is not None:
            return Secret(value)
        legacy = self._call(
            "read the password",
            lambda: self._backend.get_password(LEGACY_SERVICE, owner.username),
        )
        if legacy is None:
            return None
        self._migrate(owner, legacy)
        return Secret(legacy)

    def set(self, owner: CredentialOwner, password: Secret | str) -> None:
        """Store (or replace) the password; ``SecretRejectedError`` if empty or too long."""
        value = password.reveal() if isinstance(password, Secret) else password
        check_storable(value)
        key = entry_key(owner.id, owner.username)
        self._call(
            "store the password",
            lambda: self._backend.set_password(SERVICE, key, value),
            secret=value,
        )

    def delete(self, owner: CredentialOwner) -> None:
        """Forget the password, including a legacy entry for the same username; no error if absent.

        A legacy entry is shared by every connection with that username, so those
        connections ask for the password again.
        """
        self._delete_quietly(SERVICE, entry_key(owner.id, owner.username))
        self._delete_quietly(LEGACY_SERVICE, owner.username)

    def delete_all_for(self, connection_id: str, usernames: Iterable[str]) -> None:
        """Forget a connection's passwords for each of ``usernames`` (e.g. when it is removed)."""
        for username in dict.fromkeys(usernames):
            self._delete_quietly(SERVICE, entry_key(connection_id, username))

    def _migrate(self, owner: CredentialOwner, legacy: str) -> None:
        """Copy a legacy entry to the new key; failures only logged.

        The legacy entry is keyed by user name alone, so other connections with the same
        user may still need it: it is left in place (``delete`` removes it).
        """
        try:
            self.set(owner, legacy)
        except (KeyringAccessError, SecretRejectedError) as exc:
            log.warning("A password saved by an earlier version was not moved: %s", exc)

    def _delete_quietly(self, service: str, key: str) -> None:
        from keyring.errors import PasswordDeleteError

        failure: KeyringAccessError | None = None
        try:
            self._backend.delete_password(service, key)
            return
        except PasswordDeleteError:
            pass  # backends raise this for "no such entry"; checked below
        except Exception as exc:
            failure = _access_error("delete the password", exc, None)
        if failure is not None:
            raise failure
        if self._call("delete the password", lambda: self._backend.get_password(service, key)):
            raise KeyringAccessError("The system keyring could not delete the password.")

    @staticmethod
    def _call(action: str, operation: Callable[[], _T], *, secret: str | None = None) -> _T:
        """Run a backend call; a failure becomes ``KeyringAccessError`` without the secret.

        The error is raised outside the ``except`` block so it carries no reference to
        the backend's exception (whose message or arguments may hold the secret).
        """
        try:
            return operation()
        except Exception as exc:
            failure = _access_error(action, exc, secret)
        raise failure


class NullCredentialStore(CredentialStore):
    """The credential store of a machine without a usable keyring.

    ``get`` finds nothing, ``delete`` and ``delete_all_for`` have nothing to delete, and
    ``set`` raises ``KeyringUnavailableError``; ``available`` is False and
    ``unavailable_reason`` says why (for the log and the window's notice).
    """

    def __init__(self, reason: str) -> None:  # no backend, so no ``super().__init__``
        self._reason = reason

    def __repr__(self) -> str:
        return f"NullCredentialStore(reason={self._reason!r})"

    @property
    def available(self) -> bool:
        return False

    @property
    def unavailable_reason(self) -> str:
        return self._reason

    def get(self, owner: CredentialOwner) -> Secret | None:
        return None

    def set(self, owner: CredentialOwner, password: Secret | str) -> None:
        raise KeyringUnavailableError(self._reason)

    def delete(self, owner: CredentialOwner) -> None:
        return None

    def delete_all_for(self, connection_id: str, usernames: Iterable[str]) -> None:
        return None


def system_or_null() -> CredentialStore:
    """The system keyring's store, or a ``NullCredentialStore`` saying why there is none.

    May block (the keyring package probes its backends, D-Bus); run it off the UI thread.
    """
    try:
        return CredentialStore.system()
    except KeyringUnavailableError as error:
        reason = error.detail or str(error)
        log.info("no keyring: %s", reason)
        return NullCredentialStore(reason)


def _access_error(action: str, exc: Exception, secret: str | None) -> KeyringAccessError:
    """A plain error for a backend failure, with the secret masked out of any detail."""
    from keyring.errors import KeyringLocked

    if isinstance(exc, KeyringLocked):
        return KeyringAccessError(f"The system keyring is locked; could not {action}.")
    text = str(exc)
    if secret:
        text = text.replace(secret, MASK)
    detail = (text.splitlines() or [""])[0][:200]
    log.debug("Keyring failure (%s) while trying to %s", type(exc).__name__, action)
    suffix = f" ({type(exc).__name__}: {detail})" if detail else f" ({type(exc).__name__})"
    return KeyringAccessError(f"The system keyring could not {action}{suffix}.")
