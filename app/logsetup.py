"""Logging for the window and the command line, with secrets masked before anything is written.

``configure_logging`` installs a rotating file log (``console.log``, 2 MB x 5 files) in
the log folder and, optionally, a stderr handler. Every handler it installs carries a
``RedactingFilter`` that replaces bearer tokens, ``Authorization``/``Cookie`` headers,
password and token values (JSON, Python reprs, form and query strings) and every string
registered with ``register_secret`` by ``***``. ``redact`` applies the same rules to
any text, such as an error detail shown to the user.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any, TextIO

from app.credentials.secret import MASK, Secret
from app.paths import AppPaths

LOG_FILE = "console.log"
LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUP_COUNT = 4  # the current file plus four rotated ones: five files at most
LOG_FORMAT = "%(asctime)s %(levelname)-7s %(process)d %(name)s: %(message)s"

_SECRET_KEYS = (
    r"password|passwd|pwd|secret|client_secret|access_token|refresh_token|id_token|"
    r"token|api_key|apikey|authorization|cookie|set-cookie"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Header text: "Authorization: Bearer abc", "Cookie: a=b" (the rest of the line goes).
    (
        re.compile(r"(?i)\b((?:proxy-)?authorization\s*:\s*)[^\r\n]+"),
        rf"\g<1>{MASK}",
    ),
    (re.compile(r"(?i)\b((?:set-)?cookie\s*:\s*)[^\r\n]+"), rf"\g<1>{MASK}"),
    # Quoted key/value pairs in JSON or Python reprs: "password": "x", 'token': 'x'.
    (
        re.compile(rf"""(?i)((["'])(?:{_SECRET_KEYS})\2\s*[:=]\s*)(["'])(?:\\.|(?!\3)[^\\])*\3"""),
        rf"\g<1>\g<3>{MASK}\g<3>",
    ),
    # Form bodies, query strings and keyword reprs: password=x&..., access_token=x.
    (
        re.compile(rf"(?i)(?<![\w-])((?:{_SECRET_KEYS})\s*=\s*)[^\s&,;)\]}}'\"]+"),
        rf"\g<1>{MASK}",
    ),
    # A password inside a URL: https://user:secret@host.
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), rf"\g<1>{MASK}@"),
    # Any remaining bearer token, e.g. in a header dict.
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*"), rf"\g<1>{MASK}"),
)

MIN_REGISTERED_CHARS = 6
MAX_REGISTERED = 64
_registry_lock = threading.Lock()
_registered: dict[str, None] = {}  # insertion-ordered: the oldest secret first
_registered_pattern: re.Pattern[str] | None = None


def register_secret(secret: str | Secret) -> None:
    """Mask this exact string in every log record and in ``redact`` from now on.

    Call it for each password and token the process handles. Strings shorter than
    ``MIN_REGISTERED_CHARS`` are ignored: masking them would mangle ordinary words in
    messages (a password "wrong"), and secrets are never logged in the first place;
    the registry is a second line of defence. The registry holds the
    ``MAX_REGISTERED`` most recently registered secrets (registering one again makes
    it the newest): a long-running window renews its tokens every hour, and the
    pattern must not grow with them. A forgotten one is an old token, expired long ago.
    """
    global _registered_pattern
    value = secret.reveal() if isinstance(secret, Secret) else secret
    if len(value) < MIN_REGISTERED_CHARS:
        return
    with _registry_lock:
        if value in _registered:
            _registered.pop(value)
            _registered[value] = None  # the newest again; the pattern is unchanged
            return
        _registered[value] = None
        while len(_registered) > MAX_REGISTERED:
            del _registered[next(iter(_registered))]
        # Longest first, so a secret containing another one is masked whole.
        ordered = sorted(_registered, key=len, reverse=True)
        _registered_pattern = re.compile("|".join(re.escape(s) for s in ordered))


def forget_registered_secrets() -> None:
    """Stop masking the strings given to ``register_secret`` (the built-in rules stay)."""
    global _registered_pattern
    with _registry_lock:
        _registered.clear()
        _registered_pattern = None


def redact(text: str) -> str:
    """``text`` with every secret the rules and the registry know replaced by ``***``."""
    pattern = _registered_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    for rule, replacement in _PATTERNS:
        text = rule.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, exception text and stack before it is emitted.

    The record is rewritten in place (message merged with its arguments), so every
    handler after this one sees the masked text too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class _QuietStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stderr handler that drops a record it cannot write instead of printing a traceback."""

    def handleError(self, record: logging.LogRecord) -> None:
        pass


class _TolerantRotatingFileHandler(RotatingFileHandler):
    """The log file; a failure to write it never reaches the program's result.

    Rotation that fails (another process has the file open) keeps writing to the current
    file. A record that cannot be written (a full disk, a folder gone read-only) makes the
    handler give up on the file: one line on stderr says so, and later records at the
    ``fallback`` handler's level go to it (unless ``fallback`` is None: another handler
    already writes to stderr). No ``--- Logging error ---`` traceback is printed.
    """

    def __init__(
        self,
        filename: Path,
        *,
        fallback: logging.Handler | None,
        notice: TextIO | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(filename, **kwargs)
        self._fallback = fallback
        self._notice = notice
        self.failed = False

    def doRollover(self) -> None:
        try:
            super().doRollover()
        except OSError:
            if self.stream is None:
                self.stream = self._open()

    def emit(self, record: logging.LogRecord) -> None:
        if self.failed:
            if self._fallback is not None and record.levelno >= self._fallback.level:
                self._fallback.handle(record)
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if not self.failed:
            self._give_up(sys.exc_info()[1])
            self.emit(record)  # to the fallback, so the record that failed is not lost

    def flush(self) -> None:
        if self.failed:
            return
        try:
            super().flush()
        except OSError as error:
            self._give_up(error)

    def _give_up(self, error: BaseException | None) -> None:
        """Stop writing the file: say so once on stderr and drop the stream unflushed."""
        self.failed = True
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        where = "stderr" if self._fallback is not None else "stderr only"
        _notify(
            self._notice,
            f"note: the log file {self.baseFilename} cannot be written ({reason}); "
            f"errors go to {where} from now on.",
        )
        self._drop_stream()

    def close(self) -> None:
        if self.failed:
            self._drop_stream()
        try:
            super().close()
        except OSError:  # the last buffered lines could not be written: nothing to add
            self._drop_stream()
            with contextlib.suppress(OSError):
                super().close()

    def _drop_stream(self) -> None:
        """Forget the file without flushing what it could not write."""
        stream, self.stream = self.stream, None
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()  # a failing flush still closes the file


def _notify(stream: TextIO | None, line: str) -> None:
    """Write one line to ``stream`` (stderr); a closed or broken stderr is ignored."""
    if stream is None:
        return
    with contextlib.suppress(OSError, ValueError):
        stream.write(line + "\n")
        stream.flush()


_installed: list[logging.Handler] = []
FALLBACK_LEVEL = logging.ERROR


class _OneLineFormatter(logging.Formatter):
    """``log: LEVEL name: message`` on one line, never a traceback (for the stderr fallback)."""

    def format(self, record: logging.LogRecord) -> str:
        message = " ".join(record.getMessage().split())
        return f"log: {record.levelname} {record.name}: {message}"


def configure_logging(
    paths: AppPaths,
    *,
    level: int = logging.INFO,
    console: bool = False,
    file_name: str = LOG_FILE,
) -> Path:
    """Send log records at ``level`` and above to the rotating file (and stderr if ``console``).

    Replaces handlers installed by an earlier call. Creates the log folder. Returns the
    log file's path. ``file_name`` lets a second kind of process keep its own file.

    Never raises for the file system: when the log folder cannot be created or the file
    cannot be written (now or later), one line on stderr says so and errors go to
    stderr instead, one line each (no traceback).
    """
    shutdown_logging()
    log_file = paths.log_dir / file_name
    stderr = sys.stderr
    fallback: logging.Handler | None = None
    if not console:
        fallback = _QuietStreamHandler(stderr)
        fallback.setLevel(FALLBACK_LEVEL)
    file_handler = _TolerantRotatingFileHandler(
        log_file,
        fallback=fallback,
        notice=stderr,
        maxBytes=LOG_MAX_BYTES,
        backupCount=LOG_BACKUP_COUNT,
        encoding="utf-8",
        delay=True,
    )
    handlers: list[logging.Handler] = [file_handler]
    if console:
        handlers.append(_QuietStreamHandler(stderr))
    formatter = logging.Formatter(LOG_FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactingFilter())
    if fallback is not None:
        fallback.setFormatter(_OneLineFormatter())
        fallback.addFilter(RedactingFilter())
    try:
        paths.log_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        file_handler.failed = True
        reason = exc.strerror or type(exc).__name__
        _notify(
            stderr,
            f"note: the log folder {paths.log_dir} cannot be created ({reason}); "
            "errors go to stderr instead.",
        )
    root = logging.getLogger()
    for handler in handlers:
        root.addHandler(handler)
        _installed.append(handler)
    root.setLevel(level)
    return log_file


def shutdown_logging() -> None:
    """Remove and close the handlers ``configure_logging`` installed."""
    root = logging.getLogger()
    while _installed:
        handler = _installed.pop()
        root.removeHandler(handler)
        with contextlib.suppress(OSError, ValueError):  # a log that cannot be written
            handler.close()
