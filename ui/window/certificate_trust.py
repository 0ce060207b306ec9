"""CertificateTrust: inspect the certificate of a connection with a TLS problem, and pin it.

Trusting the certificate changes the connection to ``TrustMode.PINNED`` with exactly that
certificate (saved, or in memory for a transient connection); the session then re-opens
with the new trust on its own.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.api.certificates import CertificateInfo
from app.api.errors import TlsError
from app.api.settings import TrustMode
from app.api.tls import fetch_certificate
from app.connections import ConnectionProfile, TlsOptions
from ui.connections.certificate_dialog import CertificateDialog
from ui.connections.repository import ConnectionRepository
from ui.sessions import OpenConnection
from ui.tasks import TaskRunner


def tls_problem_of(connection: OpenConnection | None) -> TlsError | None:
    """The TLS error that paused ``connection``, or None."""
    if connection is None:
        return None
    error = connection.status.error
    return error if isinstance(error, TlsError) else None


class CertificateTrust(QObject):
    """Opens the certificate of a connection's TLS problem and pins it when trusted.

    Signals:
        trusted(str): the connection with this id now trusts the inspected certificate.
        failed(str): one line: the certificate could not be fetched.
    """

    trusted = Signal(str)
    failed = Signal(str)

    def __init__(
        self, runner: TaskRunner, repository: ConnectionRepository, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._repository = repository
        self._parent = parent
        self.dialog: CertificateDialog | None = None

    def inspect(self, connection: OpenConnection) -> None:
        """Show the certificate behind the connection's TLS problem (fetched if needed)."""
        error = tls_problem_of(connection)
        if error is None:
            return
        url = error.url or connection.status.active_url or connection.profile.urls[0]
        profile = connection.profile
        if error.certificate is not None:
            self._show(profile, url, error.certificate, error.message)
            return
        host = urlsplit(url).netloc
        self._runner.start(
            fetch_certificate(url, proxy=profile.proxy.to_setting()),
            name=f"fetch certificate of {host}",
            on_done=lambda certificate: self._show(profile, url, certificate, error.message),
            on_error=lambda exc: self.failed.emit(
                f"The certificate of {host} could not be fetched: {exc}"
            ),
        )

    def _show(
        self, profile: ConnectionProfile, url: str, certificate: CertificateInfo, problem: str
    ) -> None:
        if self.dialog is not None:
            self.dialog.close()
        dialog = CertificateDialog(
            certificate, urlsplit(url).netloc, problem=problem, parent=self._parent
        )
        dialog.accepted.connect(lambda: self._trust(profile, certificate))
        dialog.finished.connect(lambda _result: self._on_dialog_finished(dialog))
        self.dialog = dialog
        dialog.open()

    def _trust(self, profile: ConnectionProfile, certificate: CertificateInfo) -> None:
        current = self._repository.profile(profile.id) or profile
        pinned = current.with_changes(
            tls=TlsOptions(mode=TrustMode.PINNED, pinned_sha256=certificate.sha256)
        )
        if self._repository.is_transient(pinned.id):
            self._repository.add_transient(pinned)  # stays in memory, with its password
        else:
            self._repository.update(pinned, None)
        self.trusted.emit(profile.id)

    def _on_dialog_finished(self, dialog: CertificateDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
