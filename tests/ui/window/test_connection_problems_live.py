"""Connections that cannot sign in or are not trusted, and how the admin fixes them."""

from __future__ import annotations

import hashlib

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from PySide6.QtWidgets import QApplication, QDialog

from app.api.settings import TrustMode
from app.connections import TlsOptions
from app.monitor import ConnectionState
from tests.helpers.profiles import simulator_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import wait_until
from tests.ui.window.conftest import (
    MakeWindow,
    close_window,
    open_transient,
    wait_for_health_round,
    wait_for_rows,
)
from ui.connections.connection_tree_model import ConnectionRole
from ui.connections.password_prompt import PasswordDialog
from ui.main_window import MainWindow
from ui.window.action_rules import ActionId


def state_of(window: MainWindow) -> ConnectionState | None:
    current = window.sessions.current
    return None if current is None else current.status.state


def pane_state(window: MainWindow, connection_id: str) -> ConnectionState:
    """The state the connections pane shows next to a connection."""
    index = window.connections_pane.model.index_of(connection_id)
    assert index.isValid()
    return ConnectionState(index.data(ConnectionRole.STATE))


def server_certificate_sha256(sim: SimulatorProcess) -> str:
    assert sim.info.ca_file is not None
    pem = (sim.info.ca_file.parent / "server.pem").read_bytes()
    der = x509.load_pem_x509_certificates(pem)[0].public_bytes(Encoding.DER)
    return hashlib.sha256(der).hexdigest()


async def test_a_wrong_password_shows_authentication_failed_and_retry_asks_again(
    make_window: MakeWindow, shared_simulator: SimulatorProcess
) -> None:
    window = make_window()
    profile = simulator_profile(shared_simulator, name="Wrong password")
    open_transient(window, profile, "not-the-password")

    await wait_until(lambda: state_of(window) is ConnectionState.AUTH_FAILED)
    # the status bar follows the state through Qt's events: on a slow machine (the Windows
    # Python under Wine) they may come after the state changed
    await wait_until(
        lambda: window.status.state_label.text.text() == "Authentication failed",
        what="the status bar saying so",
    )
    assert pane_state(window, profile.id) is ConnectionState.AUTH_FAILED
    assert window.cluster_pane.model.rowCount() == 0

    window.server_actions.action(ActionId.REFRESH).trigger()  # F5: retry
    await wait_until(lambda: window.findChild(PasswordDialog, "passwordDialog") is not None)
    dialog = window.findChild(PasswordDialog, "passwordDialog")
    assert dialog is not None
    assert QApplication.activeModalWidget() is dialog
    assert dialog.reason_label.text() == "The password was rejected."
    dialog.password_edit.setText(shared_simulator.info.password)
    dialog.accept()

    await wait_for_rows(window, 4)
    await wait_until(lambda: state_of(window) is ConnectionState.CONNECTED)
    await wait_for_health_round(window)
    await close_window(window)


async def test_an_untrusted_certificate_shows_tls_problem_and_can_be_trusted(
    make_window: MakeWindow, shared_simulator: SimulatorProcess
) -> None:
    window = make_window()
    profile = simulator_profile(
        shared_simulator, name="System trust", tls=TlsOptions(mode=TrustMode.SYSTEM)
    )
    open_transient(window, profile, shared_simulator.info.password)

    await wait_until(lambda: state_of(window) is ConnectionState.TLS_PROBLEM)
    assert window.status.state_label.text.text() == "TLS problem"
    assert pane_state(window, profile.id) is ConnectionState.TLS_PROBLEM
    assert window.window_actions.certificate.isEnabled()
    assert "View server certificate" in window.status.message_label.text()

    window.window_actions.certificate.trigger()
    await wait_until(lambda: window.certificates.dialog is not None)
    dialog = window.certificates.dialog
    assert dialog is not None
    assert dialog.certificate.sha256 == server_certificate_sha256(shared_simulator)
    dialog.trust_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted

    await wait_until(lambda: state_of(window) is ConnectionState.CONNECTED)
    await wait_for_rows(window, 4)
    await wait_for_health_round(window)
    saved = window.repository.profile(profile.id)
    assert saved is not None
    assert saved.tls.mode is TrustMode.PINNED
    assert saved.tls.pinned_sha256 == dialog.certificate.sha256
    assert not window.window_actions.certificate.isEnabled()
    await close_window(window)
