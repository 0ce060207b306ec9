"""WriteBehind: the .part file written on a thread of its own, behind the receiving one."""

from __future__ import annotations

import errno
import io
import threading
from pathlib import Path
from typing import Any

import pytest

from app.downloads.write_behind import WriteBehind
from app.downloads.writer import PartFile


class GatedFile(io.BytesIO):
    """A file whose writes wait for ``gate``; ``entered`` is set when one has begun.
    The ``fail_at``-th write (1-based) fails as a full disk would."""

    def __init__(self, fail_at: int = 0) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.writes = 0
        self.fail_at = fail_at
        self.written = bytearray()

    def write(self, data: Any) -> int:
        self.entered.set()
        self.gate.wait(10)
        self.writes += 1
        if self.writes == self.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.written += data
        return super().write(data)


def test_pieces_reach_the_file_in_order_on_another_thread(tmp_path: Path) -> None:
    path = tmp_path / "x.part"
    path.write_bytes(b"0123456789")
    writers: list[int] = []
    part = PartFile.open(path, 4)
    original = part.write

    def recording(piece: bytes | memoryview) -> bool:
        writers.append(threading.get_ident())
        return original(piece)

    part.write = recording  # type: ignore[method-assign]
    behind = WriteBehind(part, max_pending=64, batch=8)
    pieces = [bytes([65 + n]) * (n + 1) for n in range(20)]
    for piece in pieces:
        assert behind.write(piece)
    assert behind.position == 4 + sum(map(len, pieces))
    behind.close()
    behind.close()  # twice is fine
    assert path.read_bytes() == b"0123" + b"".join(pieces)
    assert writers
    assert threading.get_ident() not in writers
    assert behind.write(b"late") is False
    assert path.read_bytes() == b"0123" + b"".join(pieces)


def test_a_changing_buffer_is_copied_when_queued(tmp_path: Path) -> None:
    path = tmp_path / "x.part"
    behind = WriteBehind(PartFile.open(path, 0))
    buffer = bytearray(b"first")
    assert behind.write(memoryview(buffer))
    buffer[:] = b"XXXXX"  # a receiving thread reusing its buffer
    behind.close()
    assert path.read_bytes() == b"first"


def test_the_receiving_thread_waits_once_max_pending_bytes_wait(tmp_path: Path) -> None:
    slow = GatedFile()
    behind = WriteBehind(PartFile(tmp_path / "x.part", slow, 0), max_pending=8, batch=4)
    assert behind.write(b"aaaa")  # handed to the writer, which blocks in the file
    assert slow.entered.wait(10)
    assert behind.write(b"bbbb")  # 8 bytes pending: the limit
    receiver = threading.Thread(target=behind.write, args=(b"cccc",))
    receiver.start()
    receiver.join(0.2)
    assert receiver.is_alive()  # no room until the writer gets on
    slow.gate.set()
    receiver.join(10)
    assert not receiver.is_alive()
    behind.close()
    assert bytes(slow.written) == b"aaaabbbbcccc"


def test_a_failed_write_is_raised_to_the_receiver_and_stops_the_rest(tmp_path: Path) -> None:
    failing = GatedFile(fail_at=2)
    failing.gate.set()
    behind = WriteBehind(PartFile(tmp_path / "x.part", failing, 0), max_pending=4, batch=1)
    assert behind.write(b"one")

    def write_until_refused() -> None:  # the failure comes back with a later write
        for _ in range(100):
            behind.write(b"two")

    with pytest.raises(OSError) as caught:
        write_until_refused()
    assert caught.value.errno == errno.ENOSPC
    with pytest.raises(OSError):
        behind.close()
    assert bytes(failing.written) == b"one"  # nothing after the failed piece
    assert failing.closed


def test_close_writes_what_is_queued_and_wakes_a_waiting_receiver(tmp_path: Path) -> None:
    slow = GatedFile()
    behind = WriteBehind(PartFile(tmp_path / "x.part", slow, 0), max_pending=4, batch=4)
    assert behind.write(b"aaaa")
    assert slow.entered.wait(10)
    results: list[bool] = []
    receiver = threading.Thread(target=lambda: results.append(behind.write(b"bbbb")))
    receiver.start()
    receiver.join(0.2)
    assert receiver.is_alive()  # waiting for room
    closer = threading.Thread(target=behind.close)
    closer.start()
    receiver.join(10)
    assert results == [False]  # refused: close has begun
    slow.gate.set()
    closer.join(10)
    assert not closer.is_alive()
    assert bytes(slow.written) == b"aaaa"
    assert slow.closed
    assert behind.closed
