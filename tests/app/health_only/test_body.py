"""Reducing a healthcheck body to safe text, and reading a version only when stated."""

from __future__ import annotations

import pytest

from app.api.models import HealthStatus
from app.api.settings import TlsTrust
from app.health_only.body import (
    MAX_BODY_CHARS,
    BodyKind,
    pretty_body,
    read_body,
    reduce_body,
    stated_version,
)
from app.health_only.prober import KEPT_BODY_BYTES, HealthProber


def test_json_is_kept_as_sent_and_indented_when_shown() -> None:
    body = reduce_body(
        "application/json", b'\n {"status":"Healthy","entries":{"db":{"status":"Healthy"}}}\n'
    )
    assert body.kind is BodyKind.JSON
    assert body.text == '{"status":"Healthy","entries":{"db":{"status":"Healthy"}}}'
    assert pretty_body(body.text).splitlines()[1] == '  "status": "Healthy",'


def test_shown_json_stays_safe() -> None:
    for raw in ('{"name": "as\\u202e01\\u001b[31m"}', '{"name": "as\\u202e01"}'):
        shown = pretty_body(reduce_body("application/json", raw.encode()).text)
        assert "\u202e" not in shown
        assert "\x1b" not in shown
        assert "\\u202e" in shown  # spelled out


def test_other_bodies_are_shown_as_they_are() -> None:
    assert pretty_body("Healthy") == "Healthy"


def test_json_sent_as_text_is_recognised() -> None:
    assert reduce_body("text/plain", b' {"status": "Healthy"}').kind is BodyKind.JSON


def test_html_is_reduced_to_its_visible_text() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Status</title><style>p{color:red}</style>"
        b"<script>document.write('x')</script></head><body><h1>Healthy</h1>"
        b"<p>Database&nbsp;ok &amp; licences valid</p><img src=x onerror=alert(1)></body></html>"
    )
    body = reduce_body("text/html", page)
    assert body.kind is BodyKind.HTML
    assert body.text.splitlines() == ["Status", "Healthy", "Database ok & licences valid"]


def test_html_without_its_media_type_is_still_reduced() -> None:
    assert reduce_body("", b"<!doctype html><p>Up</p>").text == "Up"


def test_controls_and_bidi_overrides_are_spelled_out_line_by_line() -> None:
    body = reduce_body("text/plain", "Healthy\x1b]0;owned\x07\nline\u202etwo".encode())
    assert body.text == "Healthy\\x1b]0;owned\\x07\nline\\u202etwo"


def test_a_long_body_is_cut() -> None:
    body = reduce_body("text/plain", b"x" * (MAX_BODY_CHARS * 2))
    assert len(body.text) == MAX_BODY_CHARS
    assert body.text.endswith("…")


def test_an_empty_body_is_empty() -> None:
    assert reduce_body("text/plain", b" \r\n").kind is BodyKind.EMPTY


@pytest.mark.parametrize(
    ("media", "raw", "version"),
    [
        ("application/json", b'{"status": "Healthy", "version": "9.3.0.1300"}', "9.3.0.1300"),
        ("application/json", b'{"data": {"productVersion": "9.2.4"}}', "9.2.4"),
        ("text/plain", b"Healthy (version 9.2.4.1270)", "9.2.4.1270"),
        ("text/html", b"<p>Ekran System</p><p>Version: 9.1.2</p>", "9.1.2"),
        ("application/json", b'{"status": "Healthy", "totalDuration": "00:00:00.01"}', None),
        ("text/plain", b"Healthy", None),
        ("text/plain", b"Healthy since 2026.12.07", None),
        ("application/json", b'{"version": true}', None),
    ],
)
def test_a_version_is_read_only_when_the_body_states_one(
    media: str, raw: bytes, version: str | None
) -> None:
    assert stated_version(media, raw) == version


@pytest.mark.parametrize(
    ("raw", "kind", "status"),
    [
        (b'{"status": "Degraded", "version": "9.3"}', BodyKind.JSON, HealthStatus.DEGRADED),
        (b'"Healthy"', BodyKind.JSON, HealthStatus.HEALTHY),  # a JSON string is JSON too
        # Not UTF-8: shown (with a replacement character) but not read for a status.
        (b'{"status": "Degraded", "note": "\xff"}', BodyKind.JSON, HealthStatus.HEALTHY),
    ],
)
def test_a_body_is_read_once_for_its_text_version_and_report(
    raw: bytes, kind: BodyKind, status: HealthStatus
) -> None:
    read = read_body("application/json", raw)
    assert read.text.kind is kind
    report = (
        HealthProber(["https://mt01"], lambda url: TlsTrust())
        ._answered("https://mt01", 200, "application/json", raw, 3.0)
        .report
    )
    assert report is not None
    assert (report.status, report.body) == (status, read.text.text)
    assert report.response_ms == 3.0


def test_a_reading_is_reused_only_for_the_same_url_status_media_and_body() -> None:
    prober = HealthProber(["https://mt01", "https://mt02"], lambda url: TlsTrust())
    raw = b'{"status": "Healthy", "version": "9.3"}'
    online = prober._answered("https://mt01", 200, "application/json", raw, 3.0)
    again = prober._answered("https://mt01", 200, "application/json", raw, 4.0)
    offline = prober._answered("https://mt01", 503, "application/json", raw, 5.0)
    as_text = prober._answered("https://mt01", 503, "text/plain", raw, 6.0)
    other = prober._answered("https://mt02", 200, "application/json", raw, 7.0)
    reports = [r.report for r in (online, again, offline, as_text, other)]
    assert all(report is not None for report in reports)
    assert again.body is online.body
    assert [r.response_ms for r in reports if r is not None] == [3.0, 4.0, 5.0, 6.0, 7.0]
    assert [(r.http_status, r.ok) for r in reports if r is not None] == [
        (200, True), (200, True), (503, False), (503, False), (200, True)
    ]  # fmt: skip
    assert [r.url for r in reports if r is not None][-1] == "https://mt02"
    assert (online.version, again.version, offline.version) == ("9.3", "9.3", None)
    # As text/plain the body is no JSON health report: read again, the status is the code's.
    assert [r.status for r in reports if r is not None][2:4] == [
        HealthStatus.HEALTHY, HealthStatus.UNHEALTHY
    ]  # fmt: skip
    assert as_text.body is not offline.body
    assert other.body is not online.body


def test_a_body_longer_than_what_is_kept_is_read_every_time() -> None:
    prober = HealthProber(["https://mt01"], lambda url: TlsTrust())
    raw = b"Healthy " * (KEPT_BODY_BYTES // 8 + 1)
    first = prober._answered("https://mt01", 200, "text/plain", raw, 3.0)
    second = prober._answered("https://mt01", 200, "text/plain", raw, 4.0)
    assert first.body == second.body
    assert second.body is not first.body
