"""The texts of sizes, rates, time left and percentages in the Downloads table."""

from __future__ import annotations

import math

import pytest

from ui.downloads.formatting import (
    format_eta,
    format_percent,
    format_rate,
    format_size,
    format_size_progress,
)

KB, MB, GB = 1024, 1024**2, 1024**3


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1000, "1.0 KB"),  # 0.98 KB: from 1,000 of a unit on, the next one
        (1536, "1.5 KB"),
        (999 * KB, "999.0 KB"),
        (int(999.96 * KB), "1.0 MB"),  # would read "1000.0 KB"
        (int(120.5 * MB), "120.5 MB"),
        (1_050_000_000, "1.0 GB"),  # 1001.4 MB
        (GB, "1.0 GB"),
        (5 * 1024 * GB, "5.0 TB"),
        (2048 * 1024 * GB, "2048.0 TB"),  # the largest unit grows past 1,000
        (None, ""),
        (-1, ""),
    ],
)
def test_format_size(size: int | None, text: str) -> None:
    assert format_size(size) == text


def test_format_size_progress() -> None:
    assert format_size_progress(int(120.5 * MB), GB) == "120.5 MB of 1.0 GB"
    assert format_size_progress(512, None) == "512 bytes"
    assert format_size_progress(None, GB) == ""


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (12.3 * MB, "12.3 MB/s"),
        (900.4, "900 bytes/s"),
        (0.0, ""),
        (-5.0, ""),
        (math.inf, ""),
        (math.nan, ""),
        (None, ""),
    ],
)
def test_format_rate(rate: float | None, text: str) -> None:
    assert format_rate(rate) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0.0, "0:00"),
        (0.2, "0:01"),  # rounds up: never "0:00" while bytes are missing
        (7, "0:07"),
        (65, "1:05"),
        (599.5, "10:00"),
        (3600, "1:00:00"),
        (3725, "1:02:05"),
        (None, ""),
        (-1, ""),
        (math.inf, ""),
    ],
)
def test_format_eta(seconds: float | None, text: str) -> None:
    assert format_eta(seconds) == text


@pytest.mark.parametrize(
    ("fraction", "text"),
    [
        (0.0, "0 %"),
        (0.45, "45 %"),
        (0.29, "29 %"),  # 0.29 * 100 is 28.999… in binary floating point
        (0.999, "99 %"),  # 100 % only when complete
        (1.0, "100 %"),
        (1.5, "100 %"),
        (None, ""),
    ],
)
def test_format_percent(fraction: float | None, text: str) -> None:
    assert format_percent(fraction) == text
