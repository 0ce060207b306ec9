"""The file name offered in a ``Content-Disposition`` header (RFC 6266, RFC 8187).

The result is the server's suggestion, still untrusted: sanitize it with
``app.downloads.filenames.safe_filename`` before it touches the file system.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_PARAMETER = re.compile(rf'\s*({_TOKEN})\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*(?:;|$)')
_QUOTED_PAIR = re.compile(r"\\(.)")
_EXT_VALUE = re.compile(r"^([A-Za-z0-9!#$%&+^_`{}~-]+)'[A-Za-z0-9-]*'(.*)$", re.DOTALL)
_CHARSETS = {"utf-8": "utf-8", "iso-8859-1": "latin-1"}


def filename_parameter(header: str | None) -> str | None:
    """The file name in a ``Content-Disposition`` value; ``filename*`` wins over ``filename``.

    Returns None when the header has no usable file name parameter.
    """
    if not header:
        return None
    _, _, rest = header.partition(";")
    params: dict[str, str] = {}
    for match in _PARAMETER.finditer(rest):
        name = match.group(1).lower()
        params.setdefault(name, match.group(2).strip())
    extended = params.get("filename*")
    if extended is not None:
        decoded = decode_ext_value(_unquote(extended))
        if decoded:
            return decoded
    plain = params.get("filename")
    if plain is None:
        return None
    return _unquote(plain) or None


def decode_ext_value(value: str) -> str | None:
    """Decode an RFC 8187 ext-value such as ``UTF-8''na%C3%AFve.zip``; None if malformed."""
    match = _EXT_VALUE.match(value.strip())
    if match is None:
        return None
    encoding = _CHARSETS.get(match.group(1).lower())
    if encoding is None:
        return None
    return unquote(match.group(2), encoding=encoding, errors="replace")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return _QUOTED_PAIR.sub(r"\1", value[1:-1])
    return value
