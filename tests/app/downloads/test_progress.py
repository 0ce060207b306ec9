"""Smoothed download rate and remaining time."""

from __future__ import annotations

import pytest

from app.downloads.progress import DownloadProgress, RateMeter


def test_first_interval_sets_the_rate() -> None:
    meter = RateMeter(time_constant=2.0)
    assert meter.update(0, now=10.0) == 0.0
    assert meter.update(1000, now=11.0) == pytest.approx(1000.0)
    assert meter.eta(5000) == pytest.approx(5.0)


def test_rate_follows_a_change_smoothly() -> None:
    meter = RateMeter(time_constant=2.0)
    meter.update(0, now=0.0)
    meter.update(1000, now=1.0)  # 1000 B/s
    after_one = meter.update(4000, now=2.0)  # 3000 B/s for one second
    assert 1000 < after_one < 3000
    for second in range(3, 30):
        rate = meter.update(4000 + (second - 2) * 3000, now=float(second))
    assert rate == pytest.approx(3000, rel=1e-3)


def test_no_time_no_change() -> None:
    meter = RateMeter()
    meter.update(0, now=5.0)
    meter.update(100, now=6.0)
    assert meter.update(500, now=6.0) == pytest.approx(100.0)


def test_eta_unknown_without_rate_or_total() -> None:
    meter = RateMeter()
    assert meter.eta(100) is None
    meter.update(0, now=0.0)
    meter.update(10, now=1.0)
    assert meter.eta(None) is None


def test_progress_fraction() -> None:
    report = DownloadProgress("as-01", bytes_done=50, total_bytes=200, rate=1.0, eta_seconds=150)
    assert report.fraction == 0.25
    unknown = DownloadProgress("as-01", bytes_done=50, total_bytes=None, rate=1.0, eta_seconds=None)
    assert unknown.fraction is None


def test_time_constant_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        RateMeter(time_constant=0)
