"""Which keyring backends may hold passwords: only real system keyrings, never a file."""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

_FILE_BACKEND_MODULES = ("keyrings.alt.file", "keyrings.alt.pyfs", "keyrings.cryptfile")


def unusable_reason(backend: KeyringBackend) -> str | None:
    """Why ``backend`` must not be used for passwords, or None when it is a system keyring.

    Refused: the ``fail`` and ``null`` backends, file-based backends (plain text or
    "encrypted" files), any backend with priority <= 0 or whose priority cannot be
    determined, and a chain that contains any of these.
    """
    if isinstance(backend, chainer.ChainerBackend):
        members: list[KeyringBackend] = list(backend.backends)
        if not members:
            return "no keyring backend is installed"
        reasons = (unusable_reason(member) for member in members)
        return next((reason for reason in reasons if reason is not None), None)
    kind = type(backend)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if isinstance(backend, fail.Keyring | null.Keyring):
        return f"{name} stores nothing"
    if kind.__module__.startswith(_FILE_BACKEND_MODULES) or "plaintext" in name.lower():
        return f"{name} keeps passwords in a file"
    try:
        priority = float(backend.priority)
    except Exception as exc:
        return f"{name} does not work here ({type(exc).__name__})"
    if priority <= 0:
        return f"{name} is not a recommended keyring (priority {priority:g})"
    return None
