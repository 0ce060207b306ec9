"""``connections edit NAME``: change some fields of a saved connection, checked like ``add``."""

from __future__ import annotations

import sys
from argparse import Namespace
from typing import TYPE_CHECKING, Any

from app.api.urls import InvalidUrlError, normalize_base_url
from app.cli.connection_fields import forget_password, proxy_options, save_password, trust_options
from app.cli.exitcodes import ExitCode, UsageError
from app.cli.render import WARNING_LIMIT, describe_profile, print_json
from app.cli.target import find_profile
from app.connections import ConnectionProfile
from app.text_safety import display_text

if TYPE_CHECKING:
    from app.cli.main import Services

# The profile's fields in the words of the options that change them, in display order.
FIELD_NAMES = {
    "name": "name",
    "urls": "URLs",
    "username": "user",
    "tls": "trust",
    "group": "group",
    "tag": "tag",
    "read_only": "read-only",
    "proxy": "proxy",
    "poll_interval_s": "poll interval",
    "notes": "notes",
    "capacity": "capacity",
}


def edit(args: Namespace, services: Services) -> ExitCode:
    """Apply the given options; say which fields changed and what became of the password."""
    profiles = services.store.load().profiles
    old = find_profile(profiles, args.name)
    changes = _changes(args, old)
    if not changes and not args.save_password and not args.forget_password:
        raise UsageError("Nothing to change: give at least one option (connections edit --help).")
    new = old.with_changes(**changes)
    if new.name.casefold() != old.name.casefold() and any(
        p.name.casefold() == new.name.casefold() for p in profiles if p.id != old.id
    ):
        raise UsageError(f"A connection named {new.name!r} already exists.")
    events, warnings = [], []
    if new.username != old.username and not args.forget_password:
        # The keyring entry belongs to the old user name; it cannot sign the new user in.
        if forget_password(old, services.credentials):
            events.append(f"the password saved for {old.username!r} was deleted")
        new = new.with_changes(remember_password=False)
    if args.forget_password:
        existed = forget_password(old, services.credentials)
        if existed:
            events.append("its saved password was deleted")
        elif not services.credentials.available:
            events.append("no system keyring is available here, so no password was saved")
        else:
            events.append("it had no saved password")
        new = new.with_changes(remember_password=False)
    if args.save_password:
        warning = save_password(new, services.credentials)
        if warning is None:
            events.append("its password was saved in the system keyring")
        else:
            warnings.append(warning)
        new = new.with_changes(remember_password=warning is None)
    changed = [
        label for key, label in FIELD_NAMES.items() if getattr(old, key) != getattr(new, key)
    ]
    if new != old:
        services.store.update(new)
    for warning in warnings:
        print(f"warning: {display_text(warning, WARNING_LIMIT)}", file=sys.stderr)
    if args.json:
        document = {**describe_profile(new), "changed": changed, "events": events}
        print_json({**document, "warnings": warnings})
    else:
        print(_summary(old, new, changed, events))
    return ExitCode.OK


def _summary(
    old: ConnectionProfile, new: ConnectionProfile, changed: list[str], events: list[str]
) -> str:
    if not changed and not events:
        return f"Nothing changed: {display_text(repr(old.name))} already has these settings."
    renamed = f" (now {display_text(repr(new.name))})" if new.name != old.name else ""
    text = f"Updated {display_text(repr(old.name))}{renamed}"
    text += f": {', '.join(changed)}." if changed else "."
    if events:
        text += " " + "; ".join(events).capitalize() + "."
    return text


def _changes(args: Namespace, old: ConnectionProfile) -> dict[str, Any]:
    """The fields the options set (unchanged values included; validation comes later)."""
    changes: dict[str, Any] = {}
    if args.new_name is not None:
        changes["name"] = args.new_name
    if args.url or args.add_url or args.remove_url:
        changes["urls"] = _urls(args, old)
    if args.user is not None:
        changes["username"] = args.user
    if args.ca or args.pin:
        changes["tls"] = trust_options(ca=args.ca, pin=args.pin)
    elif args.system_trust:
        changes["tls"] = trust_options(ca=None, pin=None)
    simple = {
        "group": args.group,
        "tag": args.tag,
        "read_only": args.read_only,
        "poll_interval_s": args.poll_interval,
        "notes": args.notes,
        "capacity": args.capacity,
    }
    changes.update({key: value for key, value in simple.items() if value is not None})
    if args.proxy is not None:
        changes["proxy"] = proxy_options(args.proxy)
    return changes


def _urls(args: Namespace, old: ConnectionProfile) -> list[str]:
    """``--url`` replaces the list; then ``--add-url`` appends and ``--remove-url`` removes."""
    urls = list(args.url) if args.url else list(old.urls)
    urls += args.add_url or []
    for text in args.remove_url or []:
        wanted = _normalized(text)
        kept = [url for url in urls if _normalized(url) != wanted]
        if len(kept) == len(urls):
            listed = ", ".join(urls)
            raise UsageError(
                f"{text} is not one of the URLs of {display_text(repr(old.name))} ({listed})."
            )
        urls = kept
    return urls


def _normalized(text: str) -> str:
    try:
        return normalize_base_url(text)
    except InvalidUrlError as error:
        raise UsageError(str(error)) from None
