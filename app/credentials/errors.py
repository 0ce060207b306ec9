"""Errors of the credential store; ``str()`` is one plain line and never contains a secret."""

from __future__ import annotations


class CredentialError(Exception):
    """A password could not be read, stored or deleted."""


class KeyringUnavailableError(CredentialError):
    """There is no usable system keyring; callers ask for the password every time."""

    def __init__(self, detail: str | None = None) -> None:
        message = "No system keyring is available: the password will be asked every time."
        super().__init__(message)
        self.detail = detail  # why the backend was refused, for the log


class KeyringAccessError(CredentialError):
    """The keyring exists but refused the operation (locked, D-Bus failure, access denied)."""


class SecretRejectedError(CredentialError, ValueError):
    """The secret cannot be stored (empty, or longer than the keyring allows)."""
