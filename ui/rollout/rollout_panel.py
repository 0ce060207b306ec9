"""RolloutPanel: the Rolling maintenance dock.

A view over a plan being written or a run in progress; it decides nothing itself. The
plan (servers in an editable order, reason, target version, drain timeout, settle time,
restart or not) turns into ``start_requested``; Pause, Resume, Skip, Abort and Done turn
into ``command_requested``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.api.models import ClusterSnapshot
from app.rollout import Admin, AdminCommand, RolloutPlan, RolloutState, RunStatus, ServerStep
from app.rollout.texts import drain_text
from app.text_safety import display_text
from ui.rollout.rollout_model import RolloutColumn, RolloutTableModel

_STATUS_WORDS = {
    RunStatus.RUNNING: "Running",
    RunStatus.PAUSED: "Paused",
    RunStatus.FINISHED: "Finished",
    RunStatus.ABORTED: "Aborted",
}


class RolloutPanel(QDockWidget):
    """The dock; ``model`` holds its rows.

    Signals:
        start_requested(object): the admin started the ``RolloutPlan`` shown.
        command_requested(object): the admin's ``Admin`` command for the run shown.
    """

    start_requested = Signal(object)
    command_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Rolling maintenance", parent)
        self.setObjectName("rolloutPanel")
        self.setAccessibleName("Rolling maintenance")
        self.model = RolloutTableModel(self)
        self._state: RolloutState | None = None
        self._snapshot: ClusterSnapshot | None = None
        self._snapshot_applied = True  # False: the rows wait for the panel to be shown
        body = QWidget(self)
        body.setObjectName("rolloutBody")
        self._build(body)
        self.setWidget(body)
        self.show_nothing("Open a connection, then choose Server > Rolling maintenance…")

    # -- building ---------------------------------------------------------------------------
    def _build(self, body: QWidget) -> None:
        self.title = QLabel(body)
        self.title.setObjectName("rolloutTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.progress = QProgressBar(body)
        self.progress.setObjectName("rolloutProgress")
        self.progress.setAccessibleName("Servers done")
        self.progress.setFormat("%v of %m servers done")
        metrics = self.progress.fontMetrics()
        self.progress.setMinimumWidth(metrics.horizontalAdvance("00 of 00 servers done") + 24)
        self.instruction = QLabel(body)
        self.instruction.setObjectName("rolloutInstruction")
        self.instruction.setTextFormat(Qt.TextFormat.PlainText)
        self.instruction.setWordWrap(True)
        self.instruction.setFrameShape(QFrame.Shape.StyledPanel)
        self.instruction.setMargin(6)
        self.instruction.setAccessibleName("Instruction")
        bold = self.instruction.font()
        bold.setBold(True)
        self.instruction.setFont(bold)

        self.table = QTableView(body)
        self.table.setObjectName("rolloutTable")
        self.table.setAccessibleName("Servers of the rolling maintenance")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Fixed row heights and columns fitted when the rows change, not on every poll:
        # fitting to contents measures every row of every column at each update (a
        # 1,000-server cluster spent most of the window's time there).
        rows = self.table.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(RolloutColumn.NOTE, QHeaderView.ResizeMode.Stretch)
        self.model.modelReset.connect(self._on_model_reset)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

        self.reason = QLineEdit("Rolling maintenance", body)
        self.reason.setObjectName("rolloutReason")
        self.reason.setAccessibleName("Reason")
        self.target_version = QLineEdit(body)
        self.target_version.setObjectName("rolloutTargetVersion")
        self.target_version.setAccessibleName("Target version")
        self.target_version.setPlaceholderText("any (not checked)")
        self.drain_minutes = QSpinBox(body)
        self.drain_minutes.setObjectName("rolloutDrainTimeout")
        self.drain_minutes.setAccessibleName("Drain timeout in minutes")
        self.drain_minutes.setRange(1, 24 * 60)
        self.drain_minutes.setValue(30)
        self.drain_minutes.setSuffix(" min")
        self.settle_seconds = QSpinBox(body)
        self.settle_seconds.setObjectName("rolloutSettle")
        self.settle_seconds.setAccessibleName("Settle time in seconds")
        self.settle_seconds.setRange(0, 3600)
        self.settle_seconds.setValue(60)
        self.settle_seconds.setSuffix(" s")
        self.restart = QCheckBox("&Wait for each server to be stopped and started", body)
        self.restart.setObjectName("rolloutRestart")
        self.restart.setChecked(True)
        self.restart.setToolTip("Off: a check without restart; you choose Done for each server")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("&Reason:", self.reason)
        form.addRow("Tar&get version:", self.target_version)
        form.addRow("Drain time&out:", self.drain_minutes)
        form.addRow("Sett&le after return:", self.settle_seconds)
        form.addRow(self.restart)

        self.up = self._button(body, "rolloutMoveUp", "Move &up")
        self.down = self._button(body, "rolloutMoveDown", "Move dow&n")
        self.remove = self._button(body, "rolloutRemove", "Re&move")
        self.add_choice = QComboBox(body)
        self.add_choice.setObjectName("rolloutAddChoice")
        self.add_choice.setAccessibleName("Server to add")
        self.add_choice.setPlaceholderText("every server is planned")
        self.add = self._button(body, "rolloutAdd", "&Add")
        order = QHBoxLayout()
        order.addWidget(self.up)
        order.addWidget(self.down)
        order.addWidget(self.remove)
        order.addStretch(1)
        order.addWidget(self.add_choice)
        order.addWidget(self.add)
        self.checks = QLabel(body)
        self.checks.setObjectName("rolloutChecks")
        self.checks.setTextFormat(Qt.TextFormat.PlainText)
        self.checks.setWordWrap(True)
        self.checks.setAccessibleName("Pre-flight checks")

        self.start = self._button(body, "rolloutStart", "S&tart")
        self.pause = self._button(body, "rolloutPause", "&Pause")
        self.resume = self._button(body, "rolloutResume", "Resum&e")
        self.override = QCheckBox("Overr&ide the checks", body)
        self.override.setObjectName("rolloutOverride")
        self.override.setToolTip("Resume even though an overridable pre-flight check failed")
        self.skip = self._button(body, "rolloutSkip", "S&kip server")
        self.abort = self._button(body, "rolloutAbort", "A&bort")
        self.done = self._button(body, "rolloutDone", "&Done")
        self.done.setToolTip("The server's maintenance (without restart) is finished")
        self.new_plan = self._button(body, "rolloutNewPlan", "&New plan")
        controls = QHBoxLayout()
        for widget in (self.start, self.pause, self.resume, self.override, self.skip):
            controls.addWidget(widget)
        controls.addWidget(self.abort)
        controls.addWidget(self.done)
        controls.addWidget(self.new_plan)
        controls.addStretch(1)

        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.checks)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addLayout(order)
        middle = QHBoxLayout()
        middle.addLayout(left, 2)
        middle.addLayout(right, 3)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.progress)
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.instruction)
        layout.addLayout(middle, 1)
        layout.addLayout(controls)

        self.up.clicked.connect(lambda: self._on_move(-1))
        self.down.clicked.connect(lambda: self._on_move(1))
        self.remove.clicked.connect(self._on_remove_clicked)
        self.add.clicked.connect(self._on_add_clicked)
        self.start.clicked.connect(self._on_start_clicked)
        self.pause.clicked.connect(lambda: self._command(AdminCommand.PAUSE))
        self.resume.clicked.connect(
            lambda: self._command(AdminCommand.RESUME, self.override.isChecked())
        )
        self.skip.clicked.connect(lambda: self._command(AdminCommand.SKIP))
        self.abort.clicked.connect(lambda: self._command(AdminCommand.ABORT))
        self.done.clicked.connect(lambda: self._command(AdminCommand.DONE))
        self.new_plan.clicked.connect(self._on_new_plan_clicked)

    @staticmethod
    def _button(parent: QWidget, name: str, text: str) -> QPushButton:
        button = QPushButton(text, parent)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", ""))
        return button

    # -- showing ----------------------------------------------------------------------------
    @property
    def planning(self) -> bool:
        """True while a new plan is shown (editable)."""
        return self._state is None and self._snapshot is not None

    @property
    def showing_nothing(self) -> bool:
        """True while neither a plan nor a run is shown."""
        return self._state is None and self._snapshot is None

    def show_nothing(self, text: str) -> None:
        """No connection to plan for (or it cannot run one): say why."""
        self._state = None
        self._snapshot = None
        self._snapshot_applied = True
        self.model.set_plan([])
        self.title.setText("Rolling maintenance")
        self.instruction.setText(text)
        self.checks.clear()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self._update_controls()

    def show_planning(self, connection_name: str, snapshot: ClusterSnapshot) -> None:
        """A new plan over every server of the cluster, in the cluster's order."""
        self._state = None
        self._snapshot = snapshot
        self._snapshot_applied = True
        self.model.set_plan([(s.id, display_text(s.name)) for s in snapshot.servers])
        self.model.set_snapshot(snapshot)
        self.title.setText(f"{connection_name}: plan a rolling maintenance")
        self.instruction.setText(
            "Order the servers, then Start. Each is isolated, drained, maintained, "
            "verified and returned to service before the next one."
        )
        self.checks.clear()
        self.progress.setRange(0, max(1, len(snapshot.servers)))
        self.progress.setValue(0)
        self._fill_add_choice()
        self._update_controls()

    def show_run(self, state: RolloutState) -> None:
        """Follow a run (its state after each step)."""
        self._state = state
        self.model.set_state(state)
        if self._snapshot is not None:
            self.model.set_snapshot(self._snapshot)
            self._snapshot_applied = True
        self._fit_columns()
        plan = state.plan
        target = f" to {plan.target_version}" if plan.target_version else ""
        self.title.setText(
            f"{state.connection_name} — rolling maintenance{target} — {_STATUS_WORDS[state.status]}"
        )
        self.progress.setRange(0, len(state.servers))
        self.progress.setValue(state.done_count)
        if state.status is RunStatus.PAUSED:
            self.instruction.setText(f"Paused: {state.pause_reason}")
        elif state.instruction:
            self.instruction.setText(state.instruction)
        elif state.status is RunStatus.RUNNING:
            self.instruction.setText(_progress_text(state))
        else:
            self.instruction.setText(_STATUS_WORDS[state.status] + ".")
        self.checks.setText("\n".join(state.checks))
        self.reason.setText(plan.reason)
        self.target_version.setText(plan.target_version or "")
        self.drain_minutes.setValue(max(1, round(plan.drain_timeout_s / 60)))
        self.settle_seconds.setValue(round(plan.settle_s))
        self.restart.setChecked(plan.restart)
        self._update_controls()

    def _on_model_reset(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Fit the columns to their texts (Qt looks at most at the first rows it shows)."""
        for column in RolloutColumn:
            if column is not RolloutColumn.NOTE:
                self.table.resizeColumnToContents(column)

    def set_snapshot(self, snapshot: ClusterSnapshot) -> None:
        """The latest cluster data (live status and Clients of the rows).

        While the panel is hidden this only keeps ``snapshot``: the rows, the choice of
        servers to add and the controls follow it when the panel is shown.
        """
        self._snapshot = snapshot
        if not self.isVisible():
            self._snapshot_applied = False
            return
        self._apply_snapshot(snapshot)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        snapshot = self._snapshot
        if not self._snapshot_applied and snapshot is not None:
            self._apply_snapshot(snapshot)

    def _apply_snapshot(self, snapshot: ClusterSnapshot) -> None:
        self._snapshot_applied = True
        self.model.set_snapshot(snapshot)
        self._fit_columns()
        if self._state is None:
            self._fill_add_choice()
            self._update_controls()

    def plan(self) -> RolloutPlan:
        """The plan as the form shows it."""
        return RolloutPlan(
            servers=tuple(self.model.server_ids()),
            reason=self.reason.text(),
            target_version=self.target_version.text() or None,
            drain_timeout_s=self.drain_minutes.value() * 60.0,
            settle_s=float(self.settle_seconds.value()),
            restart=self.restart.isChecked(),
        )

    # -- controls ---------------------------------------------------------------------------
    def _update_controls(self) -> None:
        state = self._state
        planning = self.planning
        fields: tuple[QWidget, ...] = (
            self.reason,
            self.target_version,
            self.drain_minutes,
            self.settle_seconds,
            self.restart,
        )
        for field in fields:
            field.setEnabled(planning)
        row = self.table.currentIndex().row()
        count = self.model.rowCount()
        self.up.setEnabled(planning and row > 0)
        self.down.setEnabled(planning and 0 <= row < count - 1)
        self.remove.setEnabled(planning and 0 <= row < count and count > 1)
        self.add_choice.setEnabled(planning and self.add_choice.count() > 0)
        self.add.setEnabled(planning and self.add_choice.count() > 0)
        self.start.setEnabled(planning and count > 0)
        active = state is not None and state.status.active
        running = state is not None and state.status is RunStatus.RUNNING
        paused = state is not None and state.status is RunStatus.PAUSED
        current = state.current_server if state is not None else None
        self.pause.setEnabled(running)
        self.resume.setEnabled(paused)
        self.override.setEnabled(paused)
        if not paused:
            self.override.setChecked(False)
        self.skip.setEnabled(active and current is not None)
        self.abort.setEnabled(active)
        self.done.setEnabled(
            running and current is not None and current.step is ServerStep.WAITING_DONE
        )
        self.new_plan.setEnabled(state is not None and not active)
        plan_controls: tuple[QWidget, ...] = (
            self.up,
            self.down,
            self.remove,
            self.add_choice,
            self.add,
            self.start,
        )
        for control in plan_controls:
            control.setVisible(state is None)
        self.new_plan.setVisible(state is not None and not active)

    def _fill_add_choice(self) -> None:
        self.add_choice.clear()
        if self._snapshot is None:
            return
        planned = set(self.model.server_ids())
        for server in self._snapshot.servers:
            if server.id not in planned:
                self.add_choice.addItem(display_text(server.name), server.id)

    def _on_table_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_controls()

    def _on_move(self, delta: int) -> None:
        row = self.table.currentIndex().row()
        moved = self.model.move(row, delta)
        self.table.setCurrentIndex(self.model.index(moved, RolloutColumn.SERVER))
        self._update_controls()

    def _on_remove_clicked(self) -> None:
        row = self.table.currentIndex().row()
        self.model.remove(row)
        self._fill_add_choice()
        self.table.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 1))
        self._update_controls()

    def _on_add_clicked(self) -> None:
        server_id = self.add_choice.currentData()
        if isinstance(server_id, str):
            self.model.add(server_id, self.add_choice.currentText())
            if self._snapshot is not None:
                self.model.set_snapshot(self._snapshot)
            self._fill_add_choice()
            self._update_controls()

    def _on_start_clicked(self) -> None:
        self.start_requested.emit(self.plan())

    def _on_new_plan_clicked(self) -> None:
        if self._snapshot is not None and self._state is not None:
            self.show_planning(self._state.connection_name, self._snapshot)

    def _command(self, command: AdminCommand, override: bool = False) -> None:
        self.command_requested.emit(Admin(command, override=override))


def _progress_text(state: RolloutState) -> str:
    """What a running run is doing now: the drain's progress, or the current step."""
    current = state.current_server
    if current is None:
        return "Finishing…"
    if (
        current.step is ServerStep.DRAINING
        and current.drain_clients is not None
        and current.drain_since is not None
        and current.clients is not None
    ):
        now = datetime.now(UTC)
        return "Draining " + drain_text(
            current.name, current.drain_clients, current.clients, current.drain_since, now
        )
    return f"{current.name}: {current.step.label.lower()}…"
