"""Making untrusted text from a server safe to show in one line and to log."""

from __future__ import annotations

import re
import unicodedata

EXCERPT_LIMIT = 200

_SECRET_JSON_VALUE = re.compile(
    r'("(?:[a-z_]*token|password|secret|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)',
    re.IGNORECASE,
)
_BEARER = re.compile(r"(bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def one_line(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """Collapse whitespace, drop control and format characters, and cut to ``limit`` chars.

    A cut line ends with ``…``; the result never contains a line break.
    """
    kept = "".join(" " if ch.isspace() else ch for ch in text if _printable_or_space(ch))
    collapsed = " ".join(kept.split())
    if len(collapsed) > limit:
        return collapsed[: max(limit - 1, 0)] + "…"
    return collapsed


def _printable_or_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf")


def redact_secrets(text: str) -> str:
    """Replace the values of token/password-like JSON members and bearer tokens with ``***``."""
    text = _SECRET_JSON_VALUE.sub(r'\1"***"', text)
    return _BEARER.sub(r"\1***", text)


def body_excerpt(body: bytes, limit: int = EXCERPT_LIMIT) -> str:
    """A short, single-line, secret-free preview of a reply body for error details."""
    head = body[: limit * 4].decode("utf-8", errors="replace")
    return one_line(redact_secrets(head), limit)
