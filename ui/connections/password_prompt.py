"""Asking for a connection's password, and the password source a session logs in with."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.api.errors import AuthenticationError, AuthErrorKind
from app.credentials import Secret
from app.logsetup import register_secret
from ui.connections.dialog_result import dialog_result, dispose_dialog
from ui.connections.repository import ConnectionRepository

if TYPE_CHECKING:
    from app.connections import ConnectionProfile

NO_KEYRING_TIP = (
    "No system keyring is available on this computer, so the password is asked at every sign-in."
)
NOT_SAVED_TIP = "This connection is not saved; save it to remember its password."
REJECTED_REASON = "The password was rejected."


@dataclass(frozen=True)
class PasswordAnswer:
    """What the user entered: the password and whether to remember it."""

    password: Secret
    remember: bool


class PasswordDialog(QDialog):
    """ "Sign in to <connection>": the user name, a password field and "Remember"."""

    def __init__(
        self,
        profile: ConnectionProfile,
        reason: str | None,
        *,
        remember_unavailable: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(f"Sign in to {profile.name}")
        self.setAccessibleName(f"Sign in to {profile.name}")

        self.reason_label = QLabel(reason or "", self)
        self.reason_label.setObjectName("passwordReason")
        self.reason_label.setWordWrap(True)
        self.reason_label.setVisible(bool(reason))

        user = QLabel(profile.username, self)
        user.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setAccessibleName("Password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_check = QCheckBox("&Remember in the system keyring", self)
        self.remember_check.setObjectName("rememberPassword")
        can_remember = remember_unavailable is None
        self.remember_check.setEnabled(can_remember)
        self.remember_check.setChecked(can_remember and profile.remember_password)
        if remember_unavailable is not None:
            self.remember_check.setToolTip(remember_unavailable)

        form = QFormLayout()
        form.addRow("User name:", user)
        form.addRow("&Password:", self.password_edit)
        form.addRow("", self.remember_check)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        intro = QLabel(f"Enter the password for {profile.name}.", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.reason_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.password_edit.setFocus()

    def answer(self) -> PasswordAnswer:
        return PasswordAnswer(
            Secret(self.password_edit.text()),
            self.remember_check.isEnabled() and self.remember_check.isChecked(),
        )


class PasswordPrompt:
    """Asks for passwords with a window-modal dialog, without a nested event loop."""

    async def ask(
        self,
        parent: QWidget | None,
        profile: ConnectionProfile,
        reason: str | None,
        *,
        remember_unavailable: str | None = None,
    ) -> PasswordAnswer | None:
        """Show the dialog and return the answer, or None if the user cancelled.

        ``reason`` (for example "The password was rejected.") is shown above the field.
        ``remember_unavailable``, when given, disables "Remember" with that tooltip.
        An empty password counts as cancelling.
        """
        dialog = PasswordDialog(
            profile, reason, remember_unavailable=remember_unavailable, parent=parent
        )
        try:
            result = await dialog_result(dialog)
            answer = dialog.answer()
        finally:
            dialog.password_edit.clear()
            dispose_dialog(dialog)
        if result != QDialog.DialogCode.Accepted or not answer.password:
            return None
        return answer


class ConnectionPasswordSource:
    """The password a session logs in with (an ``app.api.client.PasswordSource``).

    The first call takes the remembered password (the keyring, or the in-memory one of
    a transient connection), else asks; the answer is then kept in memory for the life
    of the session so that token renewals do not ask again. After the server rejects
    the password, call ``forget()``: the next call skips the remembered password and
    asks, saying why. Cancelling the prompt raises ``AuthenticationError``.
    """

    def __init__(
        self,
        profile: ConnectionProfile,
        repository: ConnectionRepository,
        prompt: PasswordPrompt,
        parent: QWidget | None,
    ) -> None:
        self._profile = profile
        self._repository = repository
        self._prompt = prompt
        self._parent = parent
        self._current: Secret | None = None
        self._skip_remembered = False
        self._reason: str | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"ConnectionPasswordSource(connection={self._profile.name!r})"

    async def __call__(self) -> str:
        async with self._lock:
            if self._current is None:
                self._current = await self._obtain()
                register_secret(self._current)
            return self._current.reveal()

    def forget(self, reason: str = REJECTED_REASON) -> None:
        """Drop the password in use; the next login asks for it, showing ``reason``."""
        self._current = None
        self._skip_remembered = True
        self._reason = reason

    async def _obtain(self) -> Secret:
        if not self._skip_remembered:
            remembered = await self._repository.get_password(self._profile)
            if remembered:
                return remembered
        answer = await self._prompt.ask(
            self._parent,
            self._profile,
            self._reason,
            remember_unavailable=self._why_not_remembered(),
        )
        if answer is None:
            raise AuthenticationError(
                "No password was entered.",
                kind=AuthErrorKind.BAD_CREDENTIALS,
                detail="the password prompt was cancelled",
            )
        if answer.remember:
            await self._repository.remember_password(self._profile, answer.password)
        self._skip_remembered = False
        self._reason = None
        return answer.password

    def _why_not_remembered(self) -> str | None:
        if self._repository.is_transient(self._profile.id):
            return NOT_SAVED_TIP
        if not self._repository.keyring_available:
            return NO_KEYRING_TIP
        return None


def password_source_for(
    profile: ConnectionProfile,
    repository: ConnectionRepository,
    prompt: PasswordPrompt,
    parent: QWidget | None,
) -> ConnectionPasswordSource:
    """The password source for a session of ``profile`` (see ``ConnectionPasswordSource``)."""
    return ConnectionPasswordSource(profile, repository, prompt, parent)
