"""The command line's words for errors, and the kinds ``--json`` reports, without a network."""

from __future__ import annotations

import json

import pytest

from app.api.errors import (
    AuthenticationError,
    AuthErrorKind,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    TlsError,
    TlsErrorKind,
)
from app.cli import messages
from app.cli.exitcodes import ExitCode, error_kind, exit_code_for
from app.cli.main import report
from app.downloads import DiskFullError


def test_not_found_messages_have_a_place_for_the_health_only_hint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    error = NotFoundError("Not found on mt01: check that the URL is the Management Tool's.")
    assert messages.cli_message(error) == error.message
    monkeypatch.setattr(
        messages, "HEALTH_ONLY_HINT", "It answers only its healthcheck: use --health-only."
    )
    assert messages.cli_message(error).endswith(
        " It answers only its healthcheck: use --health-only."
    )


def test_a_tls_error_without_a_certificate_still_names_both_options() -> None:
    error = TlsError("x", kind=TlsErrorKind.UNTRUSTED_ISSUER, url="https://mt01:443/EkranSystem")
    text = messages.cli_message(error)
    assert "--ca FILE" in text
    assert "--pin SHA256" in text
    assert "mt01:443" in text


@pytest.mark.parametrize(
    ("error", "code", "kind"),
    [
        (AuthenticationError("no", kind=AuthErrorKind.FORBIDDEN), ExitCode.REFUSED, "forbidden"),
        (AuthenticationError("no", kind=AuthErrorKind.EXPIRED), ExitCode.AUTH, "authentication"),
        (RateLimitedError("wait", retry_after=30), ExitCode.AUTH, "rate_limited"),
        (DiskFullError("full"), ExitCode.FAILURE, "download"),
        (PermissionError("denied"), ExitCode.FAILURE, "file"),
        (ValueError("bug"), ExitCode.FAILURE, "unexpected"),
    ],
)
def test_exit_codes_and_kinds(error: BaseException, code: ExitCode, kind: str) -> None:
    assert (exit_code_for(error), error_kind(error)) == (code, kind)


def test_an_unexpected_error_is_a_json_error_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert report(ValueError("bug"), as_json=True) == 1
    out, err = capsys.readouterr()
    message = "Unexpected error: bug (details in the log)"
    assert json.loads(out) == {"error": message, "exit_code": 1, "kind": "unexpected"}
    assert out.count("\n") == 1
    assert err == "error: Unexpected error: bug (details in the log)\n"


def test_a_json_error_keeps_server_text_whole_and_escaped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The stderr line spells escapes out; the JSON object keeps the text, ``\\u``-escaped."""
    name = "mt\x1b[31m01\u202e" + "N" * 2000
    assert report(ConflictError(f"{name} refused."), as_json=True) == ExitCode.REFUSED
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    assert "\u202e" not in out + err
    assert json.loads(out)["error"] == f"{name} refused."
    assert "\\u202e" in out
    assert err.startswith("error: mt\\x1b[31m01\\u202eNNN")
    assert err.endswith("…\n")
