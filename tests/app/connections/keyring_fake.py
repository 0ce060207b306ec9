"""An in-memory keyring backend for tests; never offered to ``keyring``'s auto-detection."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Keeps entries in ``self.entries`` keyed by (service, username)."""

    priority = 1
    # Never offered by keyring's auto-detection, nor are the test doubles built on this
    # one (a locked keyring, a read-only one...): the real-keyring tests must get the
    # system's keyring whatever test modules were imported before them.
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("No such password!")
