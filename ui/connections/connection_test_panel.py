"""The "Test connection" part of the connection dialog, with certificate inspection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.api.certificates import CertificateInfo
from app.api.errors import ConsoleError
from app.api.settings import ProxySetting
from app.api.tls import fetch_certificate
from app.connections import ConnectionProfile
from app.credentials import Secret
from app.kinds.registry import capabilities_of
from app.seam import Capability
from ui.connections.certificate_dialog import CertificateDialog
from ui.connections.check_results_view import CheckResultsView
from ui.connections.connection_check import CheckResult, check_connection
from ui.connections.dialog_result import dispose_dialog
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

TEST_TIP = "Check every URL's healthcheck and sign in with these settings"
FIX_FIRST_TIP = "Fix the problems shown to test"
TRUSTED_TEXT = "The certificate is trusted for this connection. Test again to check the connection."


class ConnectionTestPanel(QWidget):
    """Runs a connection test on the runner and shows its results line by line.

    ``profile`` gives the settings to test (None while they are invalid), ``password``
    the password to sign in with (None skips the login) and ``proxy`` the proxy for
    fetching a certificate. A TLS error that trusting the certificate would resolve
    offers "Inspect certificate…"; trusting it in the ``CertificateDialog`` emits
    ``certificate_trusted``.

    Signals:
        test_finished(list): the ``CheckResult``s of a completed (not cancelled) test.
        certificate_trusted(CertificateInfo): the user chose to trust this certificate.
        health_only_requested(): the user chose to keep a deployment without the API as a
            health-only connection.
    """

    test_finished = Signal(list)
    certificate_trusted = Signal(object)
    health_only_requested = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        *,
        profile: Callable[[], ConnectionProfile | None],
        password: Callable[[], Awaitable[Secret | None]],
        proxy: Callable[[], ProxySetting | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._profile = profile
        self._password = password
        self._proxy = proxy
        self._test_task: asyncio.Task[list[CheckResult]] | None = None
        self._fetch_task: asyncio.Task[CertificateInfo] | None = None
        self.certificate_dialog: CertificateDialog | None = None

        self.test_button = QPushButton("&Test connection", self)
        self.test_button.setObjectName("testConnection")
        self.test_button.setToolTip(TEST_TIP)
        self.test_button.clicked.connect(self._on_test_button_clicked)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("testProgress")
        self.progress.setAccessibleName("Testing")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(self.fontMetrics().averageCharWidth() * 12)
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setObjectName("testStatus")
        self.status.setWordWrap(True)
        self.health_only_button = QPushButton("&Keep as a health-only connection", self)
        self.health_only_button.setObjectName("keepHealthOnly")
        self.health_only_button.setToolTip(
            "Watch each server's healthcheck without signing in: status, response time "
            "and availability, no Client counts or actions"
        )
        self.health_only_button.setVisible(False)
        self.health_only_button.clicked.connect(self._on_health_only_button_clicked)
        self.results = CheckResultsView(self)
        self.results.inspect_requested.connect(self._on_results_inspect_requested)

        bar = QHBoxLayout()
        bar.addWidget(self.test_button)
        bar.addWidget(self.progress)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.health_only_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.results)

    # -- public ----------------------------------------------------------------------------
    def is_testing(self) -> bool:
        return self._test_task is not None

    def set_testable(self, testable: bool) -> None:
        """Enable "Test connection" while the settings are valid (Cancel stays usable)."""
        if self._test_task is None:
            self.test_button.setEnabled(testable)
            self.test_button.setToolTip(TEST_TIP if testable else FIX_FIRST_TIP)

    def inspect(self, url: str) -> None:
        """Fetch the certificate ``url`` presents and show it in a ``CertificateDialog``."""
        self._inspect(url, None, None)

    def show_status(self, text: str) -> None:
        self.status.setText(text)

    def cancel(self) -> None:
        """Stop a running test or certificate fetch."""
        for task in (self._test_task, self._fetch_task):
            if task is not None:
                task.cancel()
        self._fetch_task = None
        if self._test_task is not None:
            self._test_task = None
            self._finish("Test cancelled.")

    # -- testing ---------------------------------------------------------------------------
    def _on_test_button_clicked(self) -> None:
        if self._test_task is not None:
            self.cancel()
            return
        profile = self._profile()
        if profile is None:
            return
        self.results.start(
            profile.urls, login=capabilities_of(profile).has(Capability.NEEDS_CREDENTIALS)
        )
        self.health_only_button.setVisible(False)
        self._test_task = self._runner.start(
            self._run(profile),
            name=f"test connection {profile.name}",
            on_done=self._on_test_done,
            on_error=self._on_test_error,
        )
        if self._test_task is not None:
            self.test_button.setText("Cancel &test")
            self.test_button.setToolTip("Stop the test")
            self._set_busy(True, "Testing…")

    async def _run(self, profile: ConnectionProfile) -> list[CheckResult]:
        password = await self._password()
        return await check_connection(profile, password, self.results.show_result)

    def _on_test_done(self, results: list[CheckResult]) -> None:
        self._test_task = None
        failed = sum(not result.ok for result in results)
        if failed:
            self._finish(f"{failed} of {len(results)} checks did not pass.")
        else:
            self._finish("All checks passed.")
        offer = any(result.offers_health_only for result in results)
        self.health_only_button.setVisible(offer)
        if offer:
            self.status.setText(
                "This deployment answers its healthcheck but has no API: it can be watched "
                "as a health-only connection (no user or password)."
            )
        self.test_finished.emit(results)

    def _on_health_only_button_clicked(self) -> None:
        self.health_only_button.setVisible(False)
        self.health_only_requested.emit()

    def _on_test_error(self, error: BaseException) -> None:
        self._test_task = None
        log.error("The connection test failed", exc_info=error)
        self._finish(f"The test could not run ({type(error).__name__}).")

    def _finish(self, status: str) -> None:
        self.test_button.setText("&Test connection")
        self._set_busy(False, status)
        self.set_testable(self._profile() is not None)

    def _set_busy(self, busy: bool, status: str) -> None:
        self.progress.setVisible(busy)
        self.status.setText(status)

    # -- certificates ----------------------------------------------------------------------
    def _on_results_inspect_requested(self, result: CheckResult) -> None:
        error = result.inspectable_tls_error
        if error is not None:
            self._inspect(result.url, error.certificate, error.message)

    def _inspect(self, url: str, certificate: CertificateInfo | None, problem: str | None) -> None:
        if certificate is not None:
            self._show_certificate(url, certificate, problem)
            return
        if self._fetch_task is not None:
            return
        host = urlsplit(url).netloc
        self._set_busy(True, f"Fetching the certificate of {host}…")

        def done(fetched: CertificateInfo) -> None:
            self._fetch_task = None
            self._set_busy(self.is_testing(), "")
            self._show_certificate(url, fetched, problem)

        def failed(error: BaseException) -> None:
            self._fetch_task = None
            reason = error if isinstance(error, ConsoleError | ValueError) else type(error).__name__
            self._set_busy(
                self.is_testing(), f"The certificate of {host} was not fetched: {reason}"
            )

        self._fetch_task = self._runner.start(
            fetch_certificate(url, proxy=self._proxy()),
            name=f"fetch certificate of {host}",
            on_done=done,
            on_error=failed,
        )

    def _show_certificate(
        self, url: str, certificate: CertificateInfo, problem: str | None
    ) -> None:
        dispose_dialog(self.certificate_dialog)
        dialog = CertificateDialog(certificate, urlsplit(url).netloc, problem=problem, parent=self)
        dialog.accepted.connect(lambda: self._on_certificate_accepted(certificate))
        self.certificate_dialog = dialog
        dialog.open()

    def _on_certificate_accepted(self, certificate: CertificateInfo) -> None:
        self.status.setText(TRUSTED_TEXT)
        self.certificate_trusted.emit(certificate)
