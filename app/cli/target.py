"""Which cluster a command talks to, and where its password comes from."""

from __future__ import annotations

import asyncio
import getpass
import os
from argparse import Namespace
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.api.settings import TrustMode
from app.cli.exitcodes import NoPasswordError, UsageError
from app.cli.terminal import is_terminal
from app.connections import ConnectionKindName, ConnectionProfile
from app.credentials import CredentialStore, Secret
from app.logsetup import register_secret

if TYPE_CHECKING:
    from app.api.client import PasswordSource

PASSWORD_ENV_VAR = "EKRAN_CONSOLE_PASSWORD"
AD_HOC_NAME = "(ad hoc)"


@dataclass(frozen=True)
class Target:
    """A saved connection, or an ad hoc one built from ``--url`` (``saved`` False)."""

    profile: ConnectionProfile
    saved: bool


def find_profile(profiles: Sequence[ConnectionProfile], name: str) -> ConnectionProfile:
    """The saved connection with this name (case-insensitive) or id."""
    wanted = name.strip().casefold()
    matches = [p for p in profiles if p.name.casefold() == wanted or p.id == name.strip()]
    if not matches:
        known = ", ".join(sorted(p.name for p in profiles)) or "none saved"
        raise UsageError(f"No saved connection is named {name!r} (known: {known}).")
    if len(matches) > 1:
        raise UsageError(f"Several saved connections are named {name!r}: use its id.")
    return matches[0]


def resolve_target(args: Namespace, profiles: Sequence[ConnectionProfile]) -> Target:
    """The connection named by ``--connection``, or built from ``--url``; else the only one."""
    if args.url:
        if args.connection:
            raise UsageError("Use either --connection or --url, not both.")
        if getattr(args, "health_only", False):
            return Target(_ad_hoc_health_only(args), saved=False)
        if not args.user:
            raise UsageError("--url needs --user.")
        if args.ca and args.pin:
            raise UsageError("Use either --ca or --pin, not both.")
        # Plain values: ConnectionProfile checks them and raises ProfileValidationError
        # (a usage error naming the option), never a raw validation error.
        tls: dict[str, str] = {"mode": TrustMode.SYSTEM.value}
        if args.ca:
            tls = {"mode": TrustMode.CA_FILE.value, "ca_file": args.ca}
        elif args.pin:
            tls = {"mode": TrustMode.PINNED.value, "pinned_sha256": args.pin}
        profile = ConnectionProfile(name=AD_HOC_NAME, urls=args.url, username=args.user, tls=tls)
        return Target(profile, saved=False)
    if args.connection:
        return Target(find_profile(profiles, args.connection), saved=True)
    if len(profiles) == 1:
        return Target(profiles[0], saved=True)
    if not profiles:
        raise UsageError("No saved connection: add one with 'connections add' or use --url.")
    raise UsageError("Several connections are saved: choose one with --connection NAME.")


def _ad_hoc_health_only(args: Namespace) -> ConnectionProfile:
    from app.cli.connection_fields import trust_options, url_pins

    if args.user:
        raise UsageError("A --health-only connection has no --user: it never signs in.")
    return ConnectionProfile(
        name=AD_HOC_NAME,
        kind=ConnectionKindName.HEALTH_ONLY,
        urls=args.url,
        tls=trust_options(ca=args.ca, pin=args.pin),
        url_pins=url_pins(args.url_pin),
    )


def password_source(
    target: Target,
    credentials: CredentialStore,
    *,
    environ: dict[str, str] | None = None,
    prompt: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> PasswordSource:
    """Where a login gets its password: the environment, the keyring, else a prompt.

    The password is looked up once and kept in memory for the life of the command; it is
    registered with the log redaction so that it can never reach a log line.
    """
    env = os.environ if environ is None else environ
    ask = prompt or getpass.getpass
    can_ask = is_terminal() if interactive is None else interactive
    cached: list[Secret] = []

    def lookup() -> Secret:
        from_env = env.get(PASSWORD_ENV_VAR)
        if from_env:
            return Secret(from_env)
        if target.saved:
            stored = credentials.get(target.profile)
            if stored is not None:
                return stored
        if not can_ask:
            where = ""
            if credentials.available and target.saved:
                name = target.profile.name
                name = f'"{name}"' if " " in name else name
                where = f" (to save it in the keyring: connections edit {name} --save-password)"
            raise NoPasswordError(
                f"No password for {target.profile.username!r}: set {PASSWORD_ENV_VAR} "
                f"or run in a terminal to type it{where}."
            )
        return Secret(ask(f"Password for {target.profile.username}@{target.profile.name}: "))

    async def source() -> str:
        if not cached:
            secret = await asyncio.to_thread(lookup)  # the keyring and a prompt both block
            register_secret(secret)
            cached.append(secret)
        return cached[0].reveal()

    return source
