"""ConnectionDialog: add or edit a connection, test it, and trust its certificate."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.api.certificates import CertificateInfo
from app.api.settings import ProxySetting
from app.api.urls import InvalidUrlError, normalize_base_url
from app.connections import (
    ConnectionKindName,
    ConnectionProfile,
    FieldProblem,
    ProfileValidationError,
    ProxyOptions,
)
from app.credentials import Secret
from ui.connections.connection_form import ConnectionForm
from ui.connections.connection_test_panel import ConnectionTestPanel
from ui.tasks import TaskRunner

SavedPassword = Callable[[], Awaitable[Secret | None]]
MAX_LIST_FILE_BYTES = 1_000_000


def _read_list(path: Path) -> str:
    """A URL list file's text (UTF-8, with or without a BOM; other bytes replaced)."""
    with path.open("rb") as file:
        data = file.read(MAX_LIST_FILE_BYTES + 1)
    if len(data) > MAX_LIST_FILE_BYTES:
        raise ValueError(f"{path.name} is too large to be a list of URLs")
    return data.decode("utf-8-sig", errors="replace")


class ConnectionDialog(QDialog):
    """The properties of one connection. Open it with ``open()``.

    ``profile`` fills the fields; with ``editing`` the result keeps its id and an empty
    password field keeps the saved password (``saved_password`` tells whether there is
    one and supplies it to Test connection). OK is enabled only while the values make a
    valid ``ConnectionProfile``; after ``accepted``, read ``result_profile()``,
    ``result_password()`` and ``result_forget_password()``.

    ``tester`` is the Test connection panel (see ``ConnectionTestPanel``).
    """

    def __init__(
        self,
        runner: TaskRunner,
        *,
        profile: ConnectionProfile | None = None,
        editing: bool = False,
        groups: Sequence[str] = (),
        default_group: str = "",
        keyring_available: bool = True,
        saved_password: SavedPassword | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._editing = editing and profile is not None
        self._id = profile.id if self._editing and profile is not None else str(uuid.uuid4())
        self._saved_password = saved_password
        self._result: ConnectionProfile | None = None
        self._problems: tuple[FieldProblem, ...] = ()
        self._lookup_task: asyncio.Task[bool] | None = None
        self.setObjectName("connectionDialog")
        title = f"{profile.name} properties" if self._editing and profile else "Add connection"
        self.setWindowTitle(title)
        self.setAccessibleName(title)

        self.form = ConnectionForm(groups, self)
        self.form.set_keyring_available(keyring_available)
        self.form.remember_check.setChecked(keyring_available)
        if profile is not None:
            self.form.set_profile(profile)
            self.form.remember_check.setChecked(keyring_available and profile.remember_password)
        else:
            self.form.set_group(default_group)
        self.form.changed.connect(self._revalidate)
        self.form.trust.inspect_requested.connect(self._on_trust_inspect_requested)

        self.tester = ConnectionTestPanel(
            runner,
            profile=self.current_profile,
            password=self._test_password,
            proxy=self._proxy_setting,
            parent=self,
        )
        self.tester.certificate_trusted.connect(self._on_tester_certificate_trusted)
        self.tester.health_only_requested.connect(self._on_tester_health_only_requested)
        self.form.import_requested.connect(self._on_form_import_requested)

        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.tester)
        self.problems_label = QLabel(self)
        self.problems_label.setObjectName("problemsLabel")
        self.problems_label.setWordWrap(True)
        layout.addWidget(self.problems_label)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.finished.connect(self._on_finished)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 80)

        if self._editing:
            self.form.password_edit.setPlaceholderText("Leave empty to keep the saved password")
            self._check_saved_password()
        self._revalidate()

    # -- results ---------------------------------------------------------------------------
    def current_profile(self) -> ConnectionProfile | None:
        """The profile the fields describe now, or None while they are invalid."""
        try:
            return self._build()
        except ProfileValidationError:
            return None

    def problems(self) -> tuple[FieldProblem, ...]:
        return self._problems

    def result_profile(self) -> ConnectionProfile:
        """The accepted profile; only valid after the dialog was accepted."""
        if self._result is None:
            raise RuntimeError("the dialog was not accepted")
        return self._result

    def result_password(self) -> Secret | None:
        """The typed password; None when the field is empty (keep the saved one)."""
        text = self.form.password_edit.text()
        return Secret(text) if text else None

    def result_forget_password(self) -> bool:
        """True when a saved password must be deleted ("Remember" was unticked)."""
        return not self.form.remember_check.isChecked()

    def accept(self) -> None:
        try:
            self._result = self._build()
        except ProfileValidationError:
            self._revalidate()
            return
        self._cancel_tasks()
        super().accept()

    # -- validation ------------------------------------------------------------------------
    def _build(self) -> ConnectionProfile:
        values = self.form.values()
        health_only = values["kind"] is ConnectionKindName.HEALTH_ONLY
        return ConnectionProfile(
            id=self._id,
            remember_password=self.form.remember_check.isChecked() and not health_only,
            **values,
        )

    def _revalidate(self) -> None:
        try:
            self._build()
            self._problems = ()
        except ProfileValidationError as exc:
            self._problems = exc.problems
        unplaced = self.form.show_problems(self._problems)
        valid = not self._problems
        self.ok_button.setEnabled(valid)
        self.ok_button.setToolTip("" if valid else "Fix the problems shown to save")
        if valid:
            self.problems_label.clear()
        elif unplaced:
            lines = ["To save, fill in or fix:", *(p.message for p in unplaced)]
            self.problems_label.setText("\n".join(lines))
        else:
            self.problems_label.setText("Fix the problems shown above to save.")
        self.tester.set_testable(valid)

    # -- test connection and certificates ----------------------------------------------
    async def _test_password(self) -> Secret | None:
        password = self.result_password()
        if password is None and self._editing and self._saved_password is not None:
            password = await self._saved_password()
        return password

    def _proxy_setting(self) -> ProxySetting | None:
        try:
            return ProxyOptions(**self.form.proxy.values()).to_setting()
        except ValueError:
            return None

    def _on_trust_inspect_requested(self) -> None:
        urls = self.form.url_editor.urls()
        try:
            url = normalize_base_url(urls[0]) if urls else None
        except InvalidUrlError:
            url = None
        if url is None:
            self.tester.show_status("Add a valid Management Tool URL to inspect its certificate.")
        else:
            self.tester.inspect(url)

    def _on_tester_certificate_trusted(self, certificate: CertificateInfo) -> None:
        self.form.trust.pin(certificate)

    def _on_tester_health_only_requested(self) -> None:
        self.form.set_kind(ConnectionKindName.HEALTH_ONLY)
        self.tester.show_status(
            "Kept as a health-only connection: each URL's healthcheck is read without signing "
            "in. Add the Management Tool URL of every Application Server."
        )

    def _on_form_import_requested(self) -> None:
        dialog = QFileDialog(self, "Import Management Tool URLs")
        dialog.setObjectName("importUrlsDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Text or CSV files (*.txt *.csv *.list)", "All files (*)"])
        dialog.fileSelected.connect(self.import_url_file)
        dialog.open()

    def import_url_file(self, path: str) -> None:
        """Add the URLs listed in the text or CSV file at ``path`` (read off the window's
        thread)."""
        self._runner.start(
            asyncio.to_thread(_read_list, Path(path)),
            name="read URL list",
            on_done=self.form.add_url_list,
            on_error=lambda error: self.form.url_list_note.setText(
                f"The file could not be read: {error}"
            ),
        )

    # -- lifetime --------------------------------------------------------------------------
    def _check_saved_password(self) -> None:
        lookup = self._saved_password
        label = self.form.saved_password_label
        if lookup is None:
            return
        label.setText("Checking the system keyring…")
        label.setVisible(True)

        async def check() -> bool:
            return await lookup() is not None

        def show(found: bool) -> None:
            label.setText(
                "A password is saved; leave the field empty to keep it."
                if found
                else "No password is saved for this connection."
            )

        self._lookup_task = self._runner.start(
            check(),
            name="check saved password",
            on_done=show,
            on_error=lambda _error: label.setText("The system keyring could not be read."),
        )

    def _cancel_tasks(self) -> None:
        self.tester.cancel()
        if self._lookup_task is not None:
            self._lookup_task.cancel()
            self._lookup_task = None

    def _on_finished(self, _result: int) -> None:
        self._cancel_tasks()
