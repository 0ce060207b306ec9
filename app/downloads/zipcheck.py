"""Checking a zip archive's members while it is being written.

``zip_is_valid`` reads a finished archive back and checks every member's CRC: for a
1 GiB log archive 0.4-0.9 s after the last byte arrived, spent after the transfer.
``StreamingZipCheck`` computes the same CRCs from the bytes as they are written (by the
thread that writes the ``.part`` file), member by member as the local headers announce
them, so that at the end only the central directory is left to read:
``StreamingZipCheck.confirms`` says whether every member it lists was seen, at its
offset, with its name, method, compressed size and CRC.

The streaming check only ever confirms: whatever it does not understand (a member with
a data descriptor, encryption, a method other than stored or deflate, a header that
makes no sense, bytes it did not see from the start) makes it step aside, and the
archive is then read back and checked as before. So it accepts nothing that
``zip_is_valid`` would refuse.
"""

from __future__ import annotations

import logging
import struct
import zipfile
import zlib
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

log = logging.getLogger(__name__)

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # signature ... file name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"
_DIRECTORY_SIGNATURES = (b"PK\x01\x02", b"PK\x05\x06", b"PK\x06\x06")  # the archive's tail
_ZIP64_EXTRA = 0x0001
_ZIP64_MARK = 0xFFFFFFFF
_UTF8_NAME = 0x0800
_UNDERSTOOD_FLAGS = 0x0002 | 0x0004 | _UTF8_NAME  # deflate's level bits and UTF-8 names
_INFLATE_STEP = 1024 * 1024  # at most this much inflated output at a time


@dataclass(frozen=True)
class StreamedMember:
    """One member as it went by: where its local header began and what its data gave."""

    offset: int
    name: bytes
    flags: int
    method: int
    compressed_size: int
    size: int
    crc: int


class StreamingZipCheck:
    """Follows an archive's bytes from its first byte on; ``feed`` them in order.

    Never blocks; per piece only ``zlib.crc32`` (or inflating) works on the bytes, and
    both release the GIL for large buffers. Not thread-safe: feed from one thread, then
    call ``confirms`` once that thread is done (``WriteBehind.close`` has returned).
    """

    def __init__(self) -> None:
        self.members: dict[int, StreamedMember] = {}
        self.gave_up: str | None = None
        """Why the check stepped aside (the archive is then read back), or None."""
        self._position = 0  # bytes fed so far
        self._header = bytearray()  # the local header being gathered
        self._header_at = 0
        self._member: _MemberInProgress | None = None
        self._in_tail = False  # the central directory began: nothing more to check

    def feed(self, piece: bytes | memoryview) -> None:
        """The next bytes of the archive, exactly as written to the file."""
        view = memoryview(piece).cast("B")
        try:
            while view and not self._in_tail and self.gave_up is None:
                rest = self._take(view)
                self._position += len(view) - len(rest)
                view = rest
        except Exception as exc:  # never fails the writing: the archive is read back
            self._give_up(f"unreadable member data ({exc!r})")

    def confirms(self, path: Path) -> bool:
        """Whether every member in the central directory of ``path`` (the finished file)
        went by complete, at its offset, with its name, method, sizes and a matching CRC.

        False means "not confirmed" (read the archive back), never "invalid".
        """
        if self.gave_up is not None:
            log.debug("Zip check of %s while writing skipped: %s", path.name, self.gave_up)
            return False
        if not self._in_tail or self._member is not None:
            log.debug("Zip check of %s while writing: the archive's end was not seen", path.name)
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                listed = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            return False
        return bool(listed) and all(self._matches(info) for info in listed)

    # -- parsing -----------------------------------------------------------------------
    def _take(self, view: memoryview) -> memoryview:
        """Consume the start of ``view``; return the rest."""
        if self._member is not None:
            return self._member_data(view)
        if not self._header:
            self._header_at = self._position
        need = _LOCAL_HEADER.size - len(self._header)
        if need > 0:
            self._header += view[:need]
            view = view[need:]
            if len(self._header) < 4:
                return view
            if bytes(self._header[:4]) in _DIRECTORY_SIGNATURES:
                self._in_tail = True
                return view
            if bytes(self._header[:4]) != _LOCAL_SIGNATURE:
                self._give_up(f"no local header at byte {self._header_at}")
                return view
            if len(self._header) < _LOCAL_HEADER.size:
                return view
        fields = _LOCAL_HEADER.unpack_from(self._header)
        name_length, extra_length = fields[9], fields[10]
        whole = _LOCAL_HEADER.size + name_length + extra_length
        need = whole - len(self._header)
        if need > 0:
            self._header += view[:need]
            view = view[need:]
            if len(self._header) < whole:
                return view
        self._start_member(bytes(self._header))
        self._header.clear()
        return view

    def _start_member(self, header: bytes) -> None:
        fields = _LOCAL_HEADER.unpack_from(header)
        flags, method, compressed, size, name_length = itemgetter(2, 3, 7, 8, 9)(fields)
        name = header[_LOCAL_HEADER.size : _LOCAL_HEADER.size + name_length]
        extra = header[_LOCAL_HEADER.size + name_length :]
        if flags & ~_UNDERSTOOD_FLAGS:
            self._give_up(f"member {name!r} has flags {flags:#06x}")
            return
        if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            self._give_up(f"member {name!r} uses method {method}")
            return
        if compressed == _ZIP64_MARK or size == _ZIP64_MARK:
            compressed, _size = _zip64_sizes(extra, compressed, size)
        self._member = _MemberInProgress(
            offset=self._header_at,
            name=name,
            flags=flags,
            method=method,
            compressed_size=compressed,
        )
        if compressed == 0:
            self._end_member()

    def _member_data(self, view: memoryview) -> memoryview:
        member = self._member
        assert member is not None
        data, rest = view[: member.remaining], view[member.remaining :]
        member.add(data)
        if member.remaining == 0:
            self._end_member()
        return rest

    def _end_member(self) -> None:
        member = self._member
        assert member is not None
        self._member = None
        done = member.finish()
        if done is None:
            self._give_up(f"member {member.name!r}: its deflate stream does not end with it")
            return
        self.members[done.offset] = done

    def _give_up(self, reason: str) -> None:
        self.gave_up = reason
        self._member = None
        self._header.clear()

    def _matches(self, info: zipfile.ZipInfo) -> bool:
        member = self.members.get(info.header_offset)
        if member is None or info.flag_bits & ~_UNDERSTOOD_FLAGS:
            return False
        encoding = "utf-8" if info.flag_bits & _UTF8_NAME else "cp437"
        try:
            name = member.name.decode(encoding)
        except UnicodeDecodeError:
            return False
        return (
            name == info.orig_filename
            and member.method == info.compress_type
            and member.compressed_size == info.compress_size
            and member.size == info.file_size
            and member.crc == info.CRC
        )


class _MemberInProgress:
    """A member's data as it goes by: its CRC (of the inflated bytes, when deflated)."""

    def __init__(
        self,
        *,
        offset: int,
        name: bytes,
        flags: int,
        method: int,
        compressed_size: int,
    ) -> None:
        self.offset, self.name, self.flags, self.method = offset, name, flags, method
        self.compressed_size = compressed_size
        self.remaining = compressed_size
        self._size = 0
        self._crc = 0
        self._inflater = zlib.decompressobj(-15) if method == zipfile.ZIP_DEFLATED else None

    def add(self, data: memoryview) -> None:
        self.remaining -= len(data)
        if self._inflater is None:
            self._crc = zlib.crc32(data, self._crc)
            self._size += len(data)
            return
        pending: bytes | memoryview = data
        while pending:
            out = self._inflater.decompress(pending, _INFLATE_STEP)
            self._crc = zlib.crc32(out, self._crc)
            self._size += len(out)
            pending = self._inflater.unconsumed_tail
            if self._inflater.eof:
                if pending or self._inflater.unused_data:
                    raise ValueError("data after the end of a deflate stream")
                break

    def finish(self) -> StreamedMember | None:
        """The member, or None when a deflate stream did not end exactly with its data."""
        if self._inflater is not None and not self._inflater.eof:
            return None
        return StreamedMember(
            offset=self.offset,
            name=self.name,
            flags=self.flags,
            method=self.method,
            compressed_size=self.compressed_size,
            size=self._size,
            crc=self._crc,
        )


def _zip64_sizes(extra: bytes, compressed: int, size: int) -> tuple[int, int]:
    """The sizes from a local header's zip64 extra field (only those marked 0xFFFFFFFF
    in the header are in it, the uncompressed size first). Raises ``ValueError``."""
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, at)
        body = extra[at + 4 : at + 4 + length]
        at += 4 + length
        if kind != _ZIP64_EXTRA:
            continue
        values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
        if size == _ZIP64_MARK:
            size = values.pop(0)
        if compressed == _ZIP64_MARK:
            compressed = values.pop(0)
        return compressed, size
    raise ValueError("a zip64 size without its extra field")
