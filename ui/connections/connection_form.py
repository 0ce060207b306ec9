"""The fields of a connection, on three tabs, with each field's problems shown under it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.connections import ConnectionKindName, ConnectionProfile, EnvironmentTag, FieldProblem
from app.connections.values import (
    DEFAULT_HEALTH_ONLY_INTERVAL_S,
    DEFAULT_POLL_INTERVAL_S,
    MAX_CAPACITY,
    MAX_POLL_INTERVAL_S,
    MIN_POLL_INTERVAL_S,
)
from app.health_only.url_lists import parse_url_list
from app.text_safety import display_text
from ui.connections.field_problem_label import ERROR_ICON, FieldProblemLabel
from ui.connections.proxy_editor import ProxyEditor
from ui.connections.trust_editor import TrustEditor
from ui.connections.url_list_editor import UrlListEditor
from ui.icons import icon

NO_KEYRING_TIP = (
    "No system keyring is available on this computer, so the password is asked at every sign-in."
)

API_KIND_TEXT = "API connection (user and password)"
HEALTH_ONLY_KIND_TEXT = "Health only (each server's healthcheck, no sign-in)"
KIND_TIP = (
    "An API connection needs a Management Tool (or gateway) implementing the console's API. "
    "A health-only connection works with any Ekran System deployment: list each Application "
    "Server's Management Tool URL; the console reads their healthchecks without signing in."
)

# Profile field (as in FieldProblem.field) -> the problem label that shows it.
_FIELD_SLOTS = {
    "kind": "name",
    "url_pins": "tls",
    "name": "name",
    "group": "group",
    "tag": "name",
    "urls": "urls",
    "username": "username",
    "tls": "tls",
    "tls.mode": "tls",
    "tls.ca_file": "tls",
    "tls.pinned_sha256": "tls",
    "proxy": "proxy",
    "proxy.mode": "proxy",
    "proxy.url": "proxy",
    "poll_interval_s": "poll",
    "notes": "notes",
    "capacity": "capacity",
}
_SLOT_TABS = {
    "name": 0,
    "group": 0,
    "urls": 0,
    "username": 0,
    "tls": 1,
    "proxy": 1,
    "poll": 2,
    "capacity": 2,
    "notes": 2,
}


def tag_swatch(tag: EnvironmentTag, size: int) -> QIcon:
    """A rounded square in the tag's colour (an empty outline for "None")."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(tag.colour)
    painter.setPen(colour)
    if tag is not EnvironmentTag.NONE:
        painter.setBrush(colour)
    painter.drawRoundedRect(1, 1, size - 2, size - 2, size / 5, size / 5)
    painter.end()
    return QIcon(pixmap)


class ConnectionForm(QTabWidget):
    """General / Security and network / Options tabs holding every profile field.

    ``values()`` returns keyword arguments for ``ConnectionProfile`` (without the id
    and ``remember_password``); the password widgets are here for layout only.

    Signals:
        changed(): any field changed.
        import_requested(): the user asked to import URLs from a file; the owner reads it
            and calls ``add_url_list``.
    """

    changed = Signal()
    import_requested = Signal()

    def __init__(self, groups: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionTabs")
        self._problems: dict[str, FieldProblemLabel] = {}
        self._url_pins: dict[str, str] = {}
        self.touched: set[str] = set()
        self._tab_titles = ["&General", "&Security and network", "&Options"]
        self.addTab(self._general_tab(groups), self._tab_titles[0])
        self.addTab(self._network_tab(), self._tab_titles[1])
        self.addTab(self._options_tab(), self._tab_titles[2])

    # -- tabs ------------------------------------------------------------------------------
    def _general_tab(self, groups: Sequence[str]) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self._general = form
        self.kind_combo = QComboBox(page)
        self.kind_combo.setObjectName("kindCombo")
        self.kind_combo.setAccessibleName("Connection kind")
        self.kind_combo.addItem(API_KIND_TEXT, ConnectionKindName.API.value)
        self.kind_combo.addItem(HEALTH_ONLY_KIND_TEXT, ConnectionKindName.HEALTH_ONLY.value)
        self.kind_combo.setToolTip(KIND_TIP)
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_changed)
        form.addRow("&Kind:", self.kind_combo)
        self.name_edit = self._line_edit(page, "nameEdit", "Name", "name")
        self.name_edit.setPlaceholderText("For example Production cluster")
        form.addRow("&Name:", self.name_edit)
        form.addRow("", self._problem(page, "name"))

        self.group_combo = QComboBox(page)
        self.group_combo.setObjectName("groupCombo")
        self.group_combo.setAccessibleName("Folder")
        self.group_combo.setEditable(True)
        self.group_combo.addItems(["", *groups])
        self.group_combo.setToolTip('Folders nest with "/", for example Customers/Acme')
        self.group_combo.currentTextChanged.connect(lambda: self._edited("group"))
        form.addRow("&Folder:", self.group_combo)
        form.addRow("", self._problem(page, "group"))

        self.tag_combo = QComboBox(page)
        self.tag_combo.setObjectName("tagCombo")
        self.tag_combo.setAccessibleName("Environment")
        swatch = self.fontMetrics().height()
        for tag in EnvironmentTag:
            self.tag_combo.addItem(tag_swatch(tag, swatch), tag.label or "None", tag.value)
        self.tag_combo.currentIndexChanged.connect(self.changed)
        form.addRow("&Environment:", self.tag_combo)

        self.read_only_check = QCheckBox("Never allow &isolation from this console", page)
        self.read_only_check.setObjectName("readOnlyCheck")
        self.read_only_check.toggled.connect(self.changed)
        form.addRow("", self.read_only_check)

        self.url_editor = UrlListEditor(page)
        self.url_editor.changed.connect(lambda: self._edited("urls"))
        urls_label = QLabel("Management Tool &URLs:", page)
        urls_label.setBuddy(self.url_editor.list)
        form.addRow(urls_label, self.url_editor)
        form.addRow("", self._url_list_row(page))
        form.addRow("", self._problem(page, "urls"))

        self.username_edit = self._line_edit(page, "usernameEdit", "User name", "username")
        form.addRow("User na&me:", self.username_edit)
        form.addRow("", self._problem(page, "username"))

        self.password_edit = self._line_edit(page, "passwordEdit", "Password", None)
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("&Password:", self.password_edit)
        self.remember_check = QCheckBox("&Remember in the system keyring", page)
        self.remember_check.setObjectName("rememberPassword")
        form.addRow("", self.remember_check)
        self.saved_password_label = QLabel(page)
        self.saved_password_label.setObjectName("savedPasswordLabel")
        self.saved_password_label.setWordWrap(True)
        self.saved_password_label.setVisible(False)
        form.addRow("", self.saved_password_label)
        return page

    def _url_list_row(self, page: QWidget) -> QWidget:
        """ "Paste list" and "Import from file…", and a line saying what they skipped."""
        row = QWidget(page)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        paste = QPushButton("Pa&ste list", row)
        paste.setObjectName("pasteUrlList")
        paste.setToolTip("Add the URLs on the clipboard (one a line, or separated by commas)")
        paste.clicked.connect(self._on_paste_clicked)
        self.import_button = QPushButton("I&mport from file…", row)
        self.import_button.setObjectName("importUrlList")
        self.import_button.setToolTip("Add the URLs of a text or CSV file")
        self.import_button.clicked.connect(self.import_requested)
        self.url_list_note = QLabel(row)
        self.url_list_note.setObjectName("urlListNote")
        self.url_list_note.setWordWrap(True)
        layout.addWidget(paste)
        layout.addWidget(self.import_button)
        layout.addWidget(self.url_list_note, 1)
        return row

    def add_url_list(self, text: str) -> None:
        """Append the URLs of a pasted or imported list; say what was skipped."""
        try:
            parsed = parse_url_list(text)
        except ValueError as exc:
            self.url_list_note.setText(str(exc))
            return
        present = set(self.url_editor.urls())
        added = [url for url in parsed.urls if url not in present]
        for url in added:
            self.url_editor.add_url(url)
        note = f"Added {len(added)} URL{'s' if len(added) != 1 else ''}."
        if parsed.skipped:
            shown = ", ".join(display_text(cell, 40) for cell in parsed.skipped[:5])
            more = "…" if len(parsed.skipped) > 5 else ""
            note += f" Skipped (not a URL): {shown}{more}"
        self.url_list_note.setText(note)

    def _on_paste_clicked(self) -> None:
        self.add_url_list(QGuiApplication.clipboard().text())

    def kind(self) -> ConnectionKindName:
        return ConnectionKindName(self.kind_combo.currentData())

    def set_kind(self, kind: ConnectionKindName) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))

    def _on_kind_combo_changed(self) -> None:
        health_only = self.kind() is ConnectionKindName.HEALTH_ONLY
        for widget in (
            self.username_edit,
            self.password_edit,
            self.remember_check,
            self.saved_password_label,
        ):
            self._general.setRowVisible(widget, not health_only)
        self._general.setRowVisible(self._problems["username"], not health_only)
        if health_only:
            self.username_edit.clear()
            self.password_edit.clear()
            self.remember_check.setChecked(False)
        interval = DEFAULT_HEALTH_ONLY_INTERVAL_S if health_only else DEFAULT_POLL_INTERVAL_S
        other = DEFAULT_POLL_INTERVAL_S if health_only else DEFAULT_HEALTH_ONLY_INTERVAL_S
        if "poll" not in self.touched or self.poll_spin.value() == other:  # the other default
            self.poll_spin.blockSignals(True)
            self.poll_spin.setValue(interval)
            self.poll_spin.blockSignals(False)
        self.changed.emit()

    def _network_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Certificate trust:", page))
        self.trust = TrustEditor(page)
        self.trust.changed.connect(lambda: self._edited("tls"))
        layout.addWidget(self.trust)
        layout.addWidget(self._problem(page, "tls"))
        layout.addSpacing(self.fontMetrics().height())
        layout.addWidget(QLabel("Proxy:", page))
        self.proxy = ProxyEditor(page)
        self.proxy.changed.connect(lambda: self._edited("proxy"))
        layout.addWidget(self.proxy)
        layout.addWidget(self._problem(page, "proxy"))
        layout.addStretch(1)
        return page

    def _options_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.poll_spin = QDoubleSpinBox(page)
        self.poll_spin.setObjectName("pollInterval")
        self.poll_spin.setAccessibleName("Poll interval in seconds")
        self.poll_spin.setRange(MIN_POLL_INTERVAL_S, MAX_POLL_INTERVAL_S)
        self.poll_spin.setDecimals(1)
        self.poll_spin.setSingleStep(0.5)
        self.poll_spin.setSuffix(" s")
        self.poll_spin.setValue(DEFAULT_POLL_INTERVAL_S)
        self.poll_spin.setToolTip("How often the console asks the cluster for its state")
        self.poll_spin.valueChanged.connect(lambda: self._edited("poll"))
        form.addRow("Poll &interval:", self.poll_spin)
        form.addRow("", self._problem(page, "poll"))
        self.capacity_spin = QSpinBox(page)
        self.capacity_spin.setObjectName("capacity")
        self.capacity_spin.setAccessibleName("Clients per server")
        self.capacity_spin.setRange(0, MAX_CAPACITY - 1)
        self.capacity_spin.setSpecialValueText("No limit")
        self.capacity_spin.setToolTip(
            "The most Clients one Application Server should carry; isolating servers warns "
            "when another would carry more. 0: no limit."
        )
        self.capacity_spin.valueChanged.connect(lambda: self._edited("capacity"))
        form.addRow("&Clients per server:", self.capacity_spin)
        form.addRow("", self._problem(page, "capacity"))
        self.notes_edit = QPlainTextEdit(page)
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setAccessibleName("Notes")
        self.notes_edit.textChanged.connect(lambda: self._edited("notes"))
        form.addRow("No&tes:", self.notes_edit)
        form.addRow("", self._problem(page, "notes"))
        return page

    # -- values ----------------------------------------------------------------------------
    def set_profile(self, profile: ConnectionProfile) -> None:
        """Fill every field; they all count as edited, so their problems show."""
        self.set_kind(profile.kind)
        self.name_edit.setText(profile.name)
        self.group_combo.setCurrentText(profile.group)
        self.tag_combo.setCurrentIndex(self.tag_combo.findData(profile.tag.value))
        self.read_only_check.setChecked(profile.read_only)
        self.url_editor.set_urls(profile.urls)
        self.username_edit.setText(profile.username)
        self.trust.set_options(profile.tls)
        self.proxy.set_options(profile.proxy)
        self.poll_spin.setValue(profile.poll_interval_s)
        self.capacity_spin.setValue(profile.capacity or 0)
        self.notes_edit.setPlainText(profile.notes)
        self._url_pins = dict(profile.url_pins)  # kept as they are (set from the command line)
        self.touched.update(_SLOT_TABS)

    def set_group(self, group: str) -> None:
        self.group_combo.setCurrentText(group)

    def set_keyring_available(self, available: bool) -> None:
        self.remember_check.setEnabled(available)
        if not available:
            self.remember_check.setChecked(False)
            self.remember_check.setToolTip(NO_KEYRING_TIP)

    def values(self) -> dict[str, Any]:
        return {
            "kind": self.kind(),
            "url_pins": self._url_pins,
            "name": self.name_edit.text(),
            "group": self.group_combo.currentText(),
            "tag": EnvironmentTag(self.tag_combo.currentData()),
            "read_only": self.read_only_check.isChecked(),
            "urls": self.url_editor.urls(),
            "username": self.username_edit.text(),
            "tls": self.trust.values(),
            "proxy": self.proxy.values(),
            "poll_interval_s": self.poll_spin.value(),
            "capacity": self.capacity_spin.value() or None,
            "notes": self.notes_edit.toPlainText(),
        }

    # -- problems --------------------------------------------------------------------------
    def show_problems(self, problems: Sequence[FieldProblem]) -> list[FieldProblem]:
        """Show the problems of edited fields under them and mark their tabs.

        Returns the problems shown nowhere else: those without a field of their own and
        those of fields not edited yet (in ``touched``), which a new connection starts with.
        """
        placed: dict[str, list[str]] = {slot: [] for slot in self._problems}
        unplaced: list[FieldProblem] = []
        for problem in problems:
            slot = _FIELD_SLOTS.get(problem.field)
            if slot is None or slot not in self.touched:
                unplaced.append(problem)
            else:
                placed[slot].append(problem.message)
        for slot, label in self._problems.items():
            label.set_problems(placed[slot])
        for tab in range(len(self._tab_titles)):
            has_problem = any(placed[slot] for slot, t in _SLOT_TABS.items() if t == tab)
            self.setTabIcon(tab, icon(ERROR_ICON) if has_problem else QIcon())
            self.setTabToolTip(tab, "This page has problems to fix" if has_problem else "")
        return unplaced

    def problem_text(self, slot: str) -> str:
        """The problems shown under a field ("name", "urls", "tls", …), one per line."""
        return "\n".join(self._problems[slot].messages())

    # -- helpers ---------------------------------------------------------------------------
    def _line_edit(
        self, parent: QWidget, name: str, accessible: str, slot: str | None
    ) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        if slot is not None:
            edit.textChanged.connect(lambda: self._edited(slot))
        return edit

    def _edited(self, slot: str) -> None:
        self.touched.add(slot)
        self.changed.emit()

    def _problem(self, parent: QWidget, slot: str) -> FieldProblemLabel:
        label = FieldProblemLabel(f"{slot}Problem", parent)
        self._problems[slot] = label
        return label
