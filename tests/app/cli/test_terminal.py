"""The command line asks for a password or a confirmation only on a real terminal."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from app.cli.terminal import is_terminal


def test_the_null_device_is_no_terminal() -> None:
    # On Windows NUL is a character device, so its isatty() is true: the case that made a
    # command started with its input from NUL wait on getpass for ever.
    with open(os.devnull) as null:
        assert not is_terminal(null)


def test_files_pipes_and_streams_without_a_descriptor_are_no_terminal(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("answer\n")
    with path.open() as file:
        assert not is_terminal(file)
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as pipe, os.fdopen(write_end, "w"):
        assert not is_terminal(pipe)
    assert not is_terminal(io.StringIO("answer\n"))
    closed = path.open()
    closed.close()
    assert not is_terminal(closed)


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX's")
def test_a_terminal_is_one() -> None:
    leader, follower = os.openpty()
    with os.fdopen(leader, "rb", buffering=0), os.fdopen(follower) as terminal:
        assert is_terminal(terminal)
