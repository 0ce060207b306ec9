"""ConnectionDialog: fields, validation, results; Test connection against the real simulator."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.api.settings import ProxyMode, TrustMode
from app.api.tls import fetch_certificate
from app.connections import ConnectionProfile, EnvironmentTag, TlsOptions
from app.credentials import Secret
from tests.helpers.profiles import MakeProfile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import next_emission, wait_until
from ui.connections.certificate_dialog import grouped_fingerprint
from ui.connections.connection_check import LOGIN_KEY, CheckOutcome, CheckResult
from ui.connections.connection_dialog import ConnectionDialog
from ui.tasks import TaskRunner


def _dialog(qtbot: QtBot, runner: TaskRunner, **kwargs: object) -> ConnectionDialog:
    dialog = ConnectionDialog(runner, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


def _simulator_profile(sim: SimulatorProcess, **changes: object) -> ConnectionProfile:
    profile = ConnectionProfile(
        name="Simulator",
        urls=[endpoint.url for endpoint in sim.info.endpoints],
        username=sim.info.username,
        tls=TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(sim.info.ca_file)),
    )
    return profile.with_changes(**changes) if changes else profile


async def _run_test(dialog: ConnectionDialog) -> list[CheckResult]:
    assert dialog.tester.test_button.isEnabled()
    finished = asyncio.ensure_future(next_emission(dialog.tester.test_finished, within=60))
    dialog.tester.test_button.click()
    (results,) = await finished
    assert isinstance(results, list)
    return results


# -- fields and validation ----------------------------------------------------------------


def test_filled_fields_make_the_result_profile(qtbot: QtBot, runner: TaskRunner) -> None:
    dialog = _dialog(qtbot, runner, groups=["Customers"], keyring_available=True)
    form = dialog.form
    assert not dialog.ok_button.isEnabled()  # empty: name, URL and user are missing

    qtbot.keyClicks(form.name_edit, "Acme production")
    form.group_combo.setCurrentText("Customers/Acme")
    form.tag_combo.setCurrentIndex(form.tag_combo.findData(EnvironmentTag.PRODUCTION.value))
    form.read_only_check.setChecked(True)
    form.url_editor.add_url("MT01.acme.local:8443")
    form.url_editor.add_url("mt02.acme.local")
    qtbot.keyClicks(form.username_edit, "ops")
    qtbot.keyClicks(form.password_edit, "pw")
    form.proxy.none_radio.setChecked(True)
    form.poll_spin.setValue(5.5)
    assert form.capacity_spin.text() == "No limit"
    form.capacity_spin.setValue(150)
    form.notes_edit.setPlainText("Call the NOC first.")

    assert form.url_editor.urls() == [
        "https://mt01.acme.local:8443/EkranSystem",
        "https://mt02.acme.local/EkranSystem",
    ]
    assert dialog.ok_button.isEnabled()
    assert dialog.problems() == ()
    dialog.ok_button.click()

    profile = dialog.result_profile()
    assert profile.name == "Acme production"
    assert profile.group == "Customers/Acme"
    assert profile.tag is EnvironmentTag.PRODUCTION
    assert profile.read_only
    assert profile.urls == (
        "https://mt01.acme.local:8443/EkranSystem",
        "https://mt02.acme.local/EkranSystem",
    )
    assert profile.username == "ops"
    assert profile.proxy.mode is ProxyMode.NONE
    assert profile.poll_interval_s == 5.5
    assert profile.capacity == 150
    assert profile.notes == "Call the NOC first."
    assert profile.remember_password
    assert dialog.result_password() == Secret("pw")


def test_a_new_connection_lists_what_is_missing_until_a_field_is_edited(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    dialog = _dialog(qtbot, runner)
    assert dialog.form.problem_text("name") == ""  # nothing typed yet: not an error
    assert dialog.problems_label.text().split("\n") == [
        "To save, fill in or fix:",
        "Name is required.",
        "Add at least one Management Tool URL.",
        "User name is required.",
    ]
    qtbot.keyClicks(dialog.form.name_edit, "x")
    dialog.form.name_edit.clear()
    assert dialog.form.problem_text("name") == "Name is required."
    assert "Name is required." not in dialog.problems_label.text()


def test_invalid_url_shows_the_problem_and_disables_ok(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    dialog = _dialog(qtbot, runner, profile=make_profile())
    assert dialog.ok_button.isEnabled()

    dialog.form.url_editor.add_url("ftp://mt01.corp.example")

    assert not dialog.ok_button.isEnabled()
    assert not dialog.tester.test_button.isEnabled()
    problem = dialog.form.problem_text("urls")
    assert problem == "URL 2: Only https:// (or http://) URLs are supported, not ftp://."
    assert dialog.problems_label.text() == "Fix the problems shown above to save."
    assert dialog.form.url_editor.invalid_rows() == {
        1: "Only https:// (or http://) URLs are supported, not ftp://."
    }
    assert not dialog.form.tabIcon(0).isNull()  # the General tab is marked

    dialog.accept()  # refused while invalid
    assert dialog.isVisible()
    with pytest.raises(RuntimeError):
        dialog.result_profile()


def test_ca_file_trust_without_a_file_is_a_problem_on_the_security_tab(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    dialog = _dialog(qtbot, runner, profile=make_profile())
    dialog.form.trust.ca_radio.setChecked(True)
    assert not dialog.ok_button.isEnabled()
    assert "CA certificate file" in dialog.form.problem_text("tls")
    assert not dialog.form.tabIcon(1).isNull()
    dialog.form.trust.ca_edit.setText("/etc/ssl/corp-ca.pem")
    assert dialog.ok_button.isEnabled()
    assert dialog.form.tabIcon(1).isNull()


def test_edit_round_trips_and_keeps_the_password_when_empty(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    profile = make_profile(
        group="Site A",
        tag=EnvironmentTag.STAGING,
        tls=TlsOptions(mode=TrustMode.PINNED, pinned_sha256="ab" * 32),
        proxy={"mode": ProxyMode.URL, "url": "http://proxy.corp:8080"},
        poll_interval_s=10.0,
        notes="n",
        remember_password=True,
        capacity=250,
    )
    dialog = _dialog(qtbot, runner, profile=profile, editing=True)
    assert dialog.form.capacity_spin.value() == 250
    assert dialog.windowTitle() == f"{profile.name} properties"
    assert dialog.form.password_edit.placeholderText() == "Leave empty to keep the saved password"
    dialog.ok_button.click()

    assert dialog.result_profile() == profile
    assert dialog.result_password() is None
    assert not dialog.result_forget_password()


def test_unticking_remember_asks_to_forget_the_saved_password(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    profile = make_profile(remember_password=True)
    dialog = _dialog(qtbot, runner, profile=profile, editing=True)
    dialog.form.remember_check.setChecked(False)
    dialog.ok_button.click()
    assert dialog.result_forget_password()
    assert not dialog.result_profile().remember_password


def test_a_new_connection_from_a_template_gets_its_own_id(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    template = make_profile()
    dialog = _dialog(qtbot, runner, profile=template)
    dialog.ok_button.click()
    assert dialog.result_profile().id != template.id


async def test_edit_says_whether_a_password_is_saved(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    async def saved() -> Secret | None:
        return Secret("stored")

    dialog = _dialog(qtbot, runner, profile=make_profile(), editing=True, saved_password=saved)
    label = dialog.form.saved_password_label
    await wait_until(lambda: label.text().startswith("A password is saved"))


def test_without_keyring_remember_is_disabled_with_a_reason(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    dialog = _dialog(qtbot, runner, keyring_available=False)
    assert not dialog.form.remember_check.isEnabled()
    assert not dialog.form.remember_check.isChecked()
    assert "No system keyring" in dialog.form.remember_check.toolTip()


# -- Test connection --------------------------------------------------------------------------


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A loopback port that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_unreachable_url_is_reported_inline(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile
) -> None:
    url = f"https://127.0.0.1:{_closed_port()}/EkranSystem"
    dialog = _dialog(qtbot, runner, profile=make_profile(urls=[url]))
    results = await _run_test(dialog)
    assert [r.outcome for r in results] == [CheckOutcome.UNREACHABLE, CheckOutcome.SKIPPED]
    assert dialog.tester.results.row_text(url).startswith("Unreachable: ")
    assert dialog.tester.status.text() == "2 of 2 checks did not pass."


async def test_cancel_stops_a_running_test(
    qtbot: QtBot, runner: TaskRunner, make_profile: MakeProfile, silent_port: int
) -> None:
    url = f"https://127.0.0.1:{silent_port}/EkranSystem"
    dialog = _dialog(qtbot, runner, profile=make_profile(urls=[url]))
    dialog.tester.test_button.click()
    assert dialog.tester.is_testing()
    assert dialog.tester.progress.isVisibleTo(dialog)
    assert dialog.tester.test_button.text().replace("&", "") == "Cancel test"

    dialog.tester.test_button.click()

    assert not dialog.tester.is_testing()
    assert dialog.tester.status.text() == "Test cancelled."
    assert dialog.tester.test_button.text().replace("&", "") == "Test connection"
    await wait_until(lambda: runner.pending == 0)


async def test_ca_file_trust_passes_every_check(
    qtbot: QtBot, runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    sim = shared_simulator
    dialog = _dialog(qtbot, runner, profile=_simulator_profile(sim))
    qtbot.keyClicks(dialog.form.password_edit, sim.info.password)

    results = await _run_test(dialog)

    assert all(r.ok for r in results), [r.text for r in results]
    for endpoint in sim.info.endpoints:
        assert dialog.tester.results.row_text(endpoint.url) == "Healthy (200)"
    assert dialog.tester.results.row_text(LOGIN_KEY) == f"Login OK as {sim.info.username}"
    assert dialog.tester.status.text() == "All checks passed."


async def test_wrong_password_shows_login_failed(
    qtbot: QtBot, runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    dialog = _dialog(qtbot, runner, profile=_simulator_profile(shared_simulator))
    qtbot.keyClicks(dialog.form.password_edit, "not-the-password")

    results = await _run_test(dialog)

    login = dialog.tester.results.result(LOGIN_KEY)
    assert login is not None
    assert login.outcome is CheckOutcome.LOGIN_FAILED
    assert dialog.tester.results.row_text(LOGIN_KEY).startswith("Login failed: ")
    assert "not-the-password" not in " ".join(r.text for r in results)


async def test_untrusted_certificate_can_be_inspected_trusted_and_then_passes(
    qtbot: QtBot, runner: TaskRunner, shared_simulator: SimulatorProcess
) -> None:
    sim = shared_simulator
    dialog = _dialog(qtbot, runner, profile=_simulator_profile(sim, tls=TlsOptions()))
    qtbot.keyClicks(dialog.form.password_edit, sim.info.password)

    results = await _run_test(dialog)

    first = sim.info.endpoints[0].url
    health = dialog.tester.results.result(first)
    assert health is not None
    assert health.outcome is CheckOutcome.CERTIFICATE
    assert health.inspectable_tls_error is not None
    assert dialog.tester.results.row_text(first).startswith("Certificate problem: ")
    assert not any(r.ok for r in results)
    inspect = dialog.tester.results.inspect_button(first)
    assert inspect is not None

    inspect.click()
    await wait_until(
        lambda: (
            dialog.tester.certificate_dialog is not None
            and dialog.tester.certificate_dialog.isVisible()
        )
    )
    certificate_dialog = dialog.tester.certificate_dialog
    assert certificate_dialog is not None
    expected = await fetch_certificate(first)
    assert certificate_dialog.certificate.sha256 == expected.sha256
    assert certificate_dialog.fingerprint_label.text() == grouped_fingerprint(expected.sha256)

    certificate_dialog.trust_button.click()

    assert dialog.form.trust.mode() is TrustMode.PINNED
    assert dialog.form.trust.pinned_sha256() == expected.sha256
    assert dialog.form.trust.pin_label.text() == expected.sha256_display
    second = await _run_test(dialog)
    assert all(r.ok for r in second), [r.text for r in second]
    dialog.ok_button.click()
    assert dialog.result_profile().tls == TlsOptions(
        mode=TrustMode.PINNED, pinned_sha256=expected.sha256
    )


async def test_inspect_button_of_the_trust_settings_fetches_the_first_url(
    qtbot: QtBot, runner: TaskRunner, shared_simulator: SimulatorProcess, tmp_path: Path
) -> None:
    sim = shared_simulator
    dialog = _dialog(qtbot, runner, profile=_simulator_profile(sim, tls=TlsOptions()))
    dialog.form.trust.inspect_button.click()
    await wait_until(
        lambda: (
            dialog.tester.certificate_dialog is not None
            and dialog.tester.certificate_dialog.isVisible()
        )
    )
    assert dialog.tester.certificate_dialog is not None
    expected = await fetch_certificate(sim.info.endpoints[0].url)
    assert dialog.tester.certificate_dialog.certificate.sha256 == expected.sha256
    dialog.tester.certificate_dialog.reject()
    assert dialog.form.trust.mode() is TrustMode.SYSTEM  # cancelled: nothing trusted
