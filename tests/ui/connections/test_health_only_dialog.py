"""The connection dialog with health-only connections: the kind, URL lists, and the test
that recognises a deployment without the API (against the documented-only simulator)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pytestqt.qtbot import QtBot

from app.api.settings import TrustMode
from app.connections import ConnectionKindName, ConnectionProfile, TlsOptions
from tests.helpers.documented_simulator import health_profile
from tests.helpers.simulator_process import SimulatorProcess
from tests.ui.conftest import next_emission, wait_until
from ui.connections.connection_check import LOGIN_KEY, CheckOutcome
from ui.connections.connection_dialog import ConnectionDialog
from ui.tasks import TaskRunner


def _dialog(qtbot: QtBot, runner: TaskRunner, **kwargs: object) -> ConnectionDialog:
    dialog = ConnectionDialog(runner, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.open()
    return dialog


async def _run_test(dialog: ConnectionDialog) -> list[object]:
    finished = asyncio.ensure_future(next_emission(dialog.tester.test_finished, within=60))
    dialog.tester.test_button.click()
    (results,) = await finished
    assert isinstance(results, list)
    return results


async def test_an_api_test_of_a_deployment_without_the_api_offers_health_only(
    qtbot: QtBot, runner: TaskRunner, documented: SimulatorProcess
) -> None:
    profile = ConnectionProfile(
        name="Real",
        urls=[documented.url],
        username="admin",
        tls=TlsOptions(mode=TrustMode.CA_FILE, ca_file=str(documented.info.ca_file)),
    )
    dialog = _dialog(qtbot, runner, profile=profile)
    dialog.form.password_edit.setText("whatever")
    results = await _run_test(dialog)
    login = results[-1]
    assert getattr(login, "key", None) == LOGIN_KEY
    assert getattr(login, "offers_health_only", False)
    assert "no /api/v1" in dialog.tester.results.row_text(LOGIN_KEY)
    assert dialog.tester.health_only_button.isVisibleTo(dialog)
    dialog.tester.health_only_button.click()
    assert dialog.form.kind() is ConnectionKindName.HEALTH_ONLY
    assert not dialog.form.username_edit.isVisibleTo(dialog)
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    kept = dialog.result_profile()
    assert kept.health_only
    assert kept.username == ""
    assert kept.urls == (documented.url,)
    assert kept.poll_interval_s == 10.0


async def test_a_health_only_test_reads_each_healthcheck_and_signs_in_nowhere(
    qtbot: QtBot, runner: TaskRunner, documented: SimulatorProcess
) -> None:
    dialog = _dialog(qtbot, runner, profile=health_profile(documented))
    results = await _run_test(dialog)
    assert [getattr(r, "outcome", None) for r in results] == [CheckOutcome.OK] * 3
    assert dialog.tester.status.text() == "All checks passed."


async def test_urls_are_pasted_and_imported_as_lists(
    qtbot: QtBot, runner: TaskRunner, tmp_path: Path
) -> None:
    dialog = _dialog(qtbot, runner)
    dialog.form.set_kind(ConnectionKindName.HEALTH_ONLY)
    dialog.form.name_edit.setText("Real")
    dialog.form.add_url_list("as01.corp.local, as02.corp.local\nnotes")
    assert dialog.form.url_list_note.text() == "Added 2 URLs. Skipped (not a URL): notes"
    listing = tmp_path / "servers.csv"
    listing.write_text("Name,URL\nAS03,as03.corp.local/MyMonitoringSystem\nAS01,as01.corp.local\n")
    dialog.import_url_file(str(listing))
    await wait_until(lambda: dialog.form.url_list_note.text().startswith("Added 1 URL."))
    assert dialog.form.url_editor.urls() == [
        "https://as01.corp.local/EkranSystem",
        "https://as02.corp.local/EkranSystem",
        "https://as03.corp.local/MyMonitoringSystem",
    ]
    assert dialog.current_profile() is not None
