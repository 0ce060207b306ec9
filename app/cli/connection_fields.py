"""What ``connections add`` and ``connections edit`` share: trust, proxy and the saved password."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from app.api.settings import ProxyMode, TrustMode
from app.cli.exitcodes import UsageError
from app.cli.target import PASSWORD_ENV_VAR
from app.cli.terminal import is_terminal
from app.connections import ConnectionProfile
from app.credentials import CredentialStore, KeyringAccessError, Secret


def trust_options(*, ca: str | None, pin: str | None) -> dict[str, str]:
    """``--ca FILE`` (kept as an absolute path), ``--pin SHA256``, else the system's store.

    The result is the profile's ``tls`` field, checked when the profile is built (a bad
    fingerprint then raises ``ProfileValidationError`` naming the field).
    """
    if ca and pin:
        raise UsageError("Use either --ca or --pin, not both.")
    if ca:
        return {"mode": TrustMode.CA_FILE.value, "ca_file": str(Path(ca).expanduser().absolute())}
    if pin:
        return {"mode": TrustMode.PINNED.value, "pinned_sha256": pin}
    return {"mode": TrustMode.SYSTEM.value}


def url_pins(values: list[str] | None) -> dict[str, str]:
    """``--url-pin URL=SHA256`` (repeated) as the profile's ``url_pins`` field (the URL is
    normalized and the fingerprint checked with the profile)."""
    pins: dict[str, str] = {}
    for value in values or ():
        url, sep, pin = value.rpartition("=")
        if not sep or not url.strip() or not pin.strip():
            raise UsageError(f"--url-pin needs URL=SHA256, not {value!r}.")
        pins[url.strip()] = pin.strip()
    return pins


def proxy_options(text: str) -> dict[str, str]:
    """``--proxy system|none|URL`` as the profile's ``proxy`` field (checked with the profile)."""
    if text in (ProxyMode.SYSTEM.value, ProxyMode.NONE.value):
        return {"mode": text}
    return {"mode": ProxyMode.URL.value, "url": text}


def no_keyring_warning(profile: ConnectionProfile, reason: str) -> str:
    """Why the password was not saved, and how commands will get it instead."""
    return (
        f"{reason} The connection {profile.name!r} is saved without its password: commands "
        f"take it from {PASSWORD_ENV_VAR}, or ask for it at a prompt in a terminal."
    )


def save_password(profile: ConnectionProfile, credentials: CredentialStore) -> str | None:
    """Store the password (``EKRAN_CONSOLE_PASSWORD``, else a prompt) in the keyring.

    Returns None when it was stored, else a warning saying why not and how to supply it:
    a missing or refusing keyring does not stop the connection from being saved. Raises
    ``UsageError`` when there is a keyring but no password and no terminal to ask on.
    """
    if not credentials.available:
        return no_keyring_warning(profile, "No system keyring is available.")
    password = os.environ.get(PASSWORD_ENV_VAR) or _ask(profile)
    try:
        credentials.set(profile, Secret(password))
    except KeyringAccessError as error:
        return no_keyring_warning(profile, str(error))
    return None


def forget_password(profile: ConnectionProfile, credentials: CredentialStore) -> bool:
    """Delete the connection's saved password; True when there was one to delete."""
    existed = credentials.get(profile) is not None
    credentials.delete(profile)
    return existed


def _ask(profile: ConnectionProfile) -> str:
    if not is_terminal():
        raise UsageError(f"Set {PASSWORD_ENV_VAR} or run in a terminal to save a password.")
    return getpass.getpass(f"Password for {profile.username}@{profile.name}: ")
