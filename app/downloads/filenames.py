"""Turning a server-suggested file name into one that is safe to create on Windows and POSIX.

A name from ``Content-Disposition`` is untrusted: it may try to climb out of the target
folder, name a device, hide its real extension or be too long for the file system.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from app.api.content_disposition import decode_ext_value, filename_parameter

MAX_NAME_CHARS = 150
MAX_NAME_UTF8_BYTES = 200  # leaves room for " (99)" and ".part.json" under 255 bytes
DEFAULT_FALLBACK = "download.zip"
_FORBIDDEN = frozenset('<>:"/\\|?*')
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"}
    | {f"{base}{n}" for base in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
_DRIVE = re.compile(r"^[A-Za-z]:")
_HEADER = re.compile(r"^\s*(?:[A-Za-z][A-Za-z0-9.+-]*\s*;|filename\*?\s*=)", re.IGNORECASE)


def safe_filename(raw: str | None, fallback: str, *, suffix: str | None = ".zip") -> str:
    """A file name made from ``raw`` that can be created safely inside a chosen folder.

    ``raw`` may be a bare name, an RFC 8187 value (``UTF-8''name.zip``) or a whole
    ``Content-Disposition`` value. Directories, ``..`` and drive letters are dropped;
    characters Windows forbids and control or bidi-format characters become ``_`` or
    disappear; Windows device names (``CON``, ``COM1``… with any extension) get a ``_``
    prefix; leading and trailing dots and spaces go; the name is cut to
    ``MAX_NAME_CHARS`` characters (and ``MAX_NAME_UTF8_BYTES`` UTF-8 bytes) keeping its
    extension. With ``suffix`` (default ``.zip``) the name is made to end with it.
    When nothing usable is left, the same rules are applied to ``fallback``.
    The result is never empty, never ``.`` or ``..`` and has no path separator.
    """
    for candidate in (_extract(raw), fallback, DEFAULT_FALLBACK):
        name = _clean(candidate or "", suffix)
        if name:
            return name
    raise AssertionError("the default fallback is always usable")  # pragma: no cover


def unique_path(folder: Path, name: str, *, also_free: Iterable[str] = ()) -> Path:
    """``folder / name``, or ``name (1)``, ``name (2)``… before the extension if taken.

    A candidate is taken when it exists, or when ``candidate + s`` exists for any ``s``
    in ``also_free`` (for example ``.part`` of a download in progress). The check does
    not reserve the name: create the file exclusively, or move without overwriting.
    """
    suffixes = tuple(also_free)
    stem, dot, extension = name.rpartition(".") if "." in name.lstrip(".") else (name, "", "")
    for number in range(10_000):
        candidate = name if number == 0 else f"{stem} ({number}){dot}{extension}"
        path = folder / candidate
        if not path.exists() and not any(Path(f"{path}{s}").exists() for s in suffixes):
            return path
    raise FileExistsError(f"no free name like {name!r} in {folder}")


def _extract(raw: str | None) -> str:
    if not raw:
        return ""
    if _HEADER.match(raw):
        parsed = filename_parameter(raw if ";" in raw.split("=", 1)[0] else f"attachment; {raw}")
        if parsed is not None:
            return parsed
    if "''" in raw:
        decoded = decode_ext_value(raw)
        if decoded is not None:
            return decoded
    return raw


def _clean(text: str, suffix: str | None) -> str:
    name = unicodedata.normalize("NFC", text)
    name = re.split(r"[/\\]", name)[-1]
    name = _DRIVE.sub("", name)
    name = "".join(_replace(ch) for ch in name)
    name = " ".join(name.split())
    name = name.strip(" .")
    if not name:
        return ""
    if suffix and not name.lower().endswith(suffix.lower()):
        name += suffix
    stem = name.split(".", 1)[0]
    if stem.upper().rstrip(" ") in _RESERVED:
        name = "_" + name
    return _shorten(name, suffix)


def _replace(ch: str) -> str:
    if ch in _FORBIDDEN:
        return "_"
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return " " if ch in "\t\n\r" else ""
    return ch


def _shorten(name: str, suffix: str | None) -> str:
    if _fits(name):
        return name
    keep = suffix if suffix and name.lower().endswith(suffix.lower()) else ""
    if not keep and "." in name:
        extension = "." + name.rsplit(".", 1)[1]
        keep = extension if len(extension) <= 16 else ""
    body = name[: len(name) - len(keep)] if keep else name
    while body and not _fits(body + keep):
        body = body[:-1]
    return (body.rstrip(" .") or "_") + keep


def _fits(name: str) -> bool:
    return len(name) <= MAX_NAME_CHARS and len(name.encode("utf-8")) <= MAX_NAME_UTF8_BYTES
