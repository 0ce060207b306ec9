"""Errors of saved connections; ``str()`` of each is one line a user can read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    """One invalid value: ``field`` is its dotted name (``"tls.pinned_sha256"``)."""

    field: str
    message: str


class ProfileValidationError(ValueError):
    """A connection's values are not acceptable; ``problems`` lists each one.

    ``str()`` is the messages joined on one line, each naming its field in plain words,
    for example "Poll interval must be between 0.5 s and 1 hour."
    """

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        super().__init__(" ".join(p.message for p in self.problems) or "The connection is invalid.")


class ConnectionStoreError(Exception):
    """Saved connections could not be read or written."""


class ReadOnlyFolderError(ConnectionStoreError):
    """The configuration folder cannot be written (read-only, no permission, not creatable).

    Reading still works; a change fails with this error, whose message names the folder.
    """


class NewerFormatError(ConnectionStoreError):
    """The file was written by a newer version of the console; it is never overwritten."""


class StoreLockTimeoutError(ConnectionStoreError):
    """Another console process held the connections file for too long."""


class ProfileNotFoundError(ConnectionStoreError):
    """No saved connection has the given id."""


class DuplicateProfileError(ConnectionStoreError):
    """A connection with the same id is already saved."""


class TransferError(Exception):
    """A connections export could not be written or an import file is not acceptable."""
