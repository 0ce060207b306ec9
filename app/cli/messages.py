"""Error messages in the command line's own words: the options to use, not the window's menus.

The core's messages are written for both front ends; where the way forward differs (trust
a certificate, allow a read-only connection), ``cli_message`` says it with this program's
options. Facts a script may need (a certificate's fingerprint) also go to ``error_facts``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from app.actions import ReadOnlyError
from app.api.errors import NotFoundError, TlsError, TlsErrorKind

EDIT_HINT = "for a saved connection: connections edit NAME"

HEALTH_ONLY_HINT: str | None = None
"""How to monitor a deployment that answers only the healthcheck, once the option exists.

Such a deployment answers 404 on the management API. When the command line gains an
option for it (``--health-only``), set this to a sentence naming it; ``cli_message``
already appends it to every not-found message.
"""


def cli_message(error: BaseException) -> str:
    """The one line to show for ``error``, naming the command line's options where they help."""
    if isinstance(error, TlsError):
        return _tls_message(error)
    if isinstance(error, ReadOnlyError):
        return f"{error.message} Allow it with 'connections edit NAME --no-read-only'."
    if isinstance(error, NotFoundError) and HEALTH_ONLY_HINT:
        return f"{error.message} {HEALTH_ONLY_HINT}"
    return str(error) or type(error).__name__


def error_facts(error: BaseException) -> dict[str, Any]:
    """Extra fields of the ``--json`` error object: the URL and, for TLS, the certificate."""
    facts: dict[str, Any] = {}
    url = getattr(error, "url", None)
    if isinstance(url, str) and url:
        facts["url"] = url
    if isinstance(error, TlsError):
        facts["tls_error"] = error.kind.value
        certificate = error.certificate
        if certificate is not None:
            facts["certificate"] = {
                "sha256": certificate.sha256,
                "subject": certificate.subject,
                "issuer": certificate.issuer,
                "not_before": certificate.not_before.isoformat(),
                "not_after": certificate.not_after.isoformat(),
                "names": list(certificate.sans),
            }
    return facts


def _tls_message(error: TlsError) -> str:
    host = urlsplit(error.url or "").netloc or "the server"
    certificate = error.certificate
    pin = f"--pin {certificate.sha256}" if certificate is not None else "--pin SHA256"
    seen = (
        f" The certificate's SHA-256 fingerprint is {certificate.sha256_display}."
        if certificate is not None
        else ""
    )
    if error.kind is TlsErrorKind.UNTRUSTED_ISSUER:
        return (
            f"The certificate of {host} was issued by an unknown authority: the server uses "
            f"a private CA, or a proxy or antivirus intercepts HTTPS.{seen} Trust its CA with "
            f"--ca FILE, or, once you have checked the fingerprint, exactly this certificate "
            f"with {pin} ({EDIT_HINT} --ca/--pin)."
        )
    if error.kind is TlsErrorKind.PIN_MISMATCH:
        return (
            f"The certificate of {host} is not the pinned one: it was replaced, or someone "
            f"is intercepting the connection.{seen} If you have checked it, pin it instead "
            f"with {pin} ({EDIT_HINT} --pin)."
        )
    if error.kind in (TlsErrorKind.HOSTNAME_MISMATCH, TlsErrorKind.EXPIRED):
        return (
            f"{error.message}{seen} To trust exactly this certificate anyway, use {pin} "
            f"({EDIT_HINT} --pin)."
        )
    return error.message + seen
