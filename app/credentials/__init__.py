"""Connection passwords in the system keyring, and the ``Secret`` wrapper that hides them."""

from app.credentials.deferred import DeferredCredentialStore
from app.credentials.errors import (
    CredentialError,
    KeyringAccessError,
    KeyringUnavailableError,
    SecretRejectedError,
)
from app.credentials.secret import Secret
from app.credentials.store import (
    LEGACY_SERVICE,
    MAX_SECRET_CHARS,
    SERVICE,
    CredentialOwner,
    CredentialStore,
    NullCredentialStore,
    entry_key,
    system_or_null,
)

__all__ = [
    "LEGACY_SERVICE",
    "MAX_SECRET_CHARS",
    "SERVICE",
    "CredentialError",
    "CredentialOwner",
    "CredentialStore",
    "DeferredCredentialStore",
    "KeyringAccessError",
    "KeyringUnavailableError",
    "NullCredentialStore",
    "Secret",
    "SecretRejectedError",
    "entry_key",
    "system_or_null",
]
