"""Logging setup: the rotating file, stderr, and masking of secrets everywhere."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from app.credentials import Secret
from app.logsetup import (
    MAX_REGISTERED,
    RedactingFilter,
    configure_logging,
    forget_registered_secrets,
    redact,
    register_secret,
    shutdown_logging,
)
from app.paths import HOME_ENV_VAR, AppPaths

log = logging.getLogger("tests.logsetup")


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    monkeypatch.setenv(HOME_ENV_VAR, str(tmp_path / "home"))
    return AppPaths.default()


@pytest.fixture
def log_file(paths: AppPaths) -> Iterator[Path]:
    """Logging configured into the test's console home; undone afterwards."""
    root_level = logging.getLogger().level
    path = configure_logging(paths, level=logging.DEBUG)
    yield path
    shutdown_logging()
    forget_registered_secrets()
    logging.getLogger().setLevel(root_level)


def written(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


LEAKS = [
    ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi"),
    ("headers={'Authorization': 'Basic YWRtaW46cHc='}", "YWRtaW46cHc="),
    ("sent Bearer tok3n-value to the server", "tok3n-value"),
    ('body {"username": "admin", "password": "Sup3r\\"Secret"}', "Sup3r"),
    ("kwargs {'password': 'hunter2'}", "hunter2"),
    ("form grant_type=password&username=admin&password=pa55word&scope=x", "pa55word"),
    ('reply {"access_token": "at-123456", "expires_in": 3600}', "at-123456"),
    ("callback?access_token=at-999&state=1", "at-999"),
    ("LoginRequest(user='admin', password=s3cr3t)", "s3cr3t"),
    ("proxy http://bob:proxypass@proxy.example:3128", "proxypass"),
    ("Cookie: session=abcdef123", "abcdef123"),
]


@pytest.mark.parametrize(("text", "secret"), LEAKS)
def test_redact_masks_each_pattern(text: str, secret: str) -> None:
    masked = redact(text)
    assert secret not in masked
    assert "***" in masked


@pytest.mark.parametrize(
    "text",
    [
        "Isolated mt01.corp.example (server 3) in 2.5 s",
        "password policy: 12 characters",
        '{"username": "admin", "result": "ok"}',
        "token_type=bearer",
    ],
)
def test_redact_leaves_ordinary_text_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(("text", "secret"), LEAKS)
def test_log_file_never_holds_the_patterns(log_file: Path, text: str, secret: str) -> None:
    log.info("request: %s", text)
    content = written(log_file)
    assert "request:" in content
    assert secret not in content


def test_registered_secrets_are_masked_in_messages_arguments_and_tracebacks(
    log_file: Path,
) -> None:
    register_secret("plain-registered-value")
    register_secret(Secret("wrapped-registered-value"))
    log.warning("got plain-registered-value in a message")
    log.warning("got %s in an argument", "wrapped-registered-value")
    try:
        raise ValueError("server echoed plain-registered-value")
    except ValueError:
        log.exception("login failed")

    content = written(log_file)

    assert "plain-registered-value" not in content
    assert "wrapped-registered-value" not in content
    assert content.count("***") >= 3
    assert "ValueError: server echoed ***" in content


def test_the_registry_keeps_the_newest_secrets_only() -> None:
    try:
        register_secret("the-password-in-use")
        for hour in range(MAX_REGISTERED * 3):  # a window open for days renews hourly
            register_secret(f"token-of-hour-{hour:04d}")
            register_secret("the-password-in-use")  # used again at each renewal
        last = MAX_REGISTERED * 3 - 1
        kept = [f"token-of-hour-{hour:04d}" for hour in range(last - MAX_REGISTERED + 2, last + 1)]
        forgotten = f"token-of-hour-{last - MAX_REGISTERED + 1:04d}"
        assert redact(" ".join([*kept, "the-password-in-use"])) == " ".join(
            ["***"] * MAX_REGISTERED
        ), "the password (registered again each time) and the newest tokens are kept"
        assert redact(forgotten) == forgotten, "older tokens are forgotten: the pattern is bounded"
    finally:
        forget_registered_secrets()


def test_registering_nothing_masks_nothing(log_file: Path) -> None:
    register_secret("")
    log.info("an ordinary line")
    assert "an ordinary line" in written(log_file)


def test_console_output_is_masked_too(paths: AppPaths, capsys: pytest.CaptureFixture[str]) -> None:
    root_level = logging.getLogger().level
    try:
        configure_logging(paths, level=logging.INFO, console=True)
        register_secret("console-secret")
        log.info("value console-secret and Bearer abc.def")
    finally:
        shutdown_logging()
        forget_registered_secrets()
        logging.getLogger().setLevel(root_level)
    err = capsys.readouterr().err
    assert "value *** and Bearer ***" in err
    assert "console-secret" not in err


def test_file_rotation_settings(log_file: Path, paths: AppPaths) -> None:
    ours = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    [handler] = ours
    assert Path(handler.baseFilename) == paths.log_dir / "console.log" == log_file
    assert (handler.maxBytes, handler.backupCount) == (2 * 1024 * 1024, 4)
    assert any(isinstance(f, RedactingFilter) for f in handler.filters)


def test_log_rotates_and_keeps_five_files(log_file: Path) -> None:
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler)]
    handler.maxBytes = 10_000  # the real size is checked above; keep the volume small here
    for _ in range(80):  # about 80 kB: more than five files' worth
        log.debug("x" * 1000)
    written(log_file)
    files = sorted(p.name for p in log_file.parent.iterdir())
    assert files == ["console.log", *(f"console.log.{n}" for n in range(1, 5))]
    assert all(p.stat().st_size <= 10_000 for p in log_file.parent.iterdir())


def test_configuring_twice_replaces_the_handlers(log_file: Path, paths: AppPaths) -> None:
    before = len(logging.getLogger().handlers)
    configure_logging(paths, level=logging.DEBUG)
    assert len(logging.getLogger().handlers) == before
    log.info("once")
    assert written(log_file).count("once") == 1
