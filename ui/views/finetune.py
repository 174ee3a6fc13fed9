"""Fine-tune page: choose reviewed data, train a LoRA adapter, compare it with the base, switch to it.

All work goes through :class:`FinetuneService`: preparing and training run on the page's task lane (training
itself in a spawned child process, so cancel is safe and the window stays responsive); reading the
page's state (approved sessions, the last run, the measured training speed) runs on a second lane,
so opening the page never waits on it. How long to train is a preset (quick, standard, thorough)
with its estimated time; the raw settings are under Advanced. Cancel saves a checkpoint; Resume
continues to the same step count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.records.entities import TrainingDialogue
from deescal.finetune.defaults import TRAINING_DEFAULTS, eval_every_for
from deescal.finetune.job import JobSpec, default_adapter_name
from deescal.finetune.presets import (
    PRESETS,
    StepTiming,
    describe_duration,
    estimate_seconds,
    preset_named,
    preset_of,
    settings_for,
)
from deescal.finetune.service import FinetuneService
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.widgets.empty_state import EmptyStack, EmptyState
from deescal.ui.widgets.loss_chart import LossChart
from deescal.ui.worker import WorkerControl
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

EVAL_COLUMNS = ("Model", "ROUGE-L", "BLEU-4", "METEOR", "BERTScore F1", "s / reply", "Replies")


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    return box


class FinetuneView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = ctx.service(FinetuneService)
        self.job: dict | None = None
        self.timing: StepTiming | None = None
        self.active_adapter: str | None = None
        self._sessions_seen = False  # approved sessions are ticked when they first appear
        body = QWidget()
        layout = QVBoxLayout(body)
        heading = QLabel(
            "<h2>Fine-tune</h2><p>Teach the role-play model how real civilians answer: train a LoRA adapter "
            "on transcripts you reviewed, compare it with the base model on held-out transcripts, then "
            "make it the one trainees practise against. Personal details are replaced before training.</p>"
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        top = QHBoxLayout()
        top.addWidget(self._data_box(), 1)
        top.addWidget(self._settings_box(), 1)
        layout.addLayout(top)
        layout.addLayout(self._controls())
        self.chart = LossChart()
        self.chart_stack = EmptyStack(
            self.chart,
            EmptyState(
                "No training run yet. Choose the data and a preset above and press Start training: the "
                "loss on the civilian's replies is drawn here step by step."
            ),
        )
        layout.addWidget(self.chart_stack, 1)
        layout.addWidget(self._evaluation_box())
        scroll = QScrollArea()  # a small window scrolls the page instead of growing past the screen
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self._loading = TaskLane(Policy.REPLACE, self.status, self)  # the page's state, off the UI thread
        self._settings_changed()
        self.refresh()

    # -- building ----------------------------------------------------------------------------------
    def _data_box(self) -> QGroupBox:
        box = QGroupBox("Training data")
        grid = QGridLayout(box)
        self.use_sessions = QCheckBox("Role-play sessions approved by instructors")
        self.sessions_label = QLabel()
        self.session_list = QListWidget()
        self.session_list.setToolTip("Untick a session to leave it out")
        self.session_list.setEnabled(False)
        self.use_sessions.toggled.connect(self.session_list.setEnabled)
        self.sessions_stack = EmptyStack(
            self.session_list,
            EmptyState(
                "No approved sessions yet: approve one on the Review page, or use transcripts.",
                "Choose a transcripts folder\u2026",
                self.choose_folder,
            ),
        )
        self.sessions_stack.setMaximumHeight(110)
        self.use_transcripts = QCheckBox("Imported transcripts (DeEscalWild CSV folder)")
        self.folder_edit = QLineEdit(self.service.transcripts_dir())
        self.folder_edit.setPlaceholderText("Folder with transcript .csv files")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.choose_folder)
        self.limit_files = _spin(0, 100_000, 0, "Use at most this many transcript files (0 = all)")
        self.use_transcripts.setChecked(bool(self.folder_edit.text()))
        self.use_transcripts.toggled.connect(lambda on: self.folder_edit.setEnabled(on))
        grid.addWidget(self.use_sessions, 0, 0, 1, 2)
        grid.addWidget(self.sessions_label, 0, 2)
        grid.addWidget(self.sessions_stack, 1, 0, 1, 3)
        grid.addWidget(self.use_transcripts, 2, 0, 1, 3)
        grid.addWidget(self.folder_edit, 3, 0, 1, 2)
        grid.addWidget(browse, 3, 2)
        grid.addWidget(QLabel("At most (files, 0 = all):"), 4, 0)
        grid.addWidget(self.limit_files, 4, 1)
        return box

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("How long to train")
        column = QVBoxLayout(box)
        self.preset_group = QButtonGroup(box)
        self.preset_buttons: dict[str, QRadioButton] = {}
        for preset in PRESETS:
            button = QRadioButton(preset.name.capitalize())
            button.setObjectName(f"preset-{preset.name}")
            button.setToolTip(f"{preset.steps} steps: {preset.purpose}")
            button.clicked.connect(lambda _=False, name=preset.name: self.apply_preset(name))
            self.preset_group.addButton(button)
            self.preset_buttons[preset.name] = button
            purpose = QLabel(preset.purpose)
            purpose.setWordWrap(True)
            purpose.setIndent(24)
            column.addWidget(button)
            column.addWidget(purpose)
        self.estimate_note = QLabel()
        self.estimate_note.setObjectName("trainingEstimate")
        self.estimate_note.setWordWrap(True)
        column.addWidget(self.estimate_note)
        self.advanced_button = QToolButton()
        self.advanced_button.setText("Advanced settings")
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.toggled.connect(self._show_advanced)
        column.addWidget(self.advanced_button)
        self.advanced = QWidget()
        self.advanced.setVisible(False)
        form = QFormLayout(self.advanced)
        form.setContentsMargins(0, 0, 0, 0)
        d = TRAINING_DEFAULTS
        self.steps = _spin(
            1, 100_000, d["max_steps"], "Optimizer steps; each step sees batch × accumulation sequences"
        )
        self.batch = _spin(1, 64, d["batch_size"], "Sequences per micro-batch")
        self.accum = _spin(1, 256, d["grad_accum"], "Micro-batches per step (gradient accumulation)")
        self.max_length = _spin(64, 4096, d["max_length"], "Tokens per training sequence")
        self.rank = _spin(1, 256, d["lora_r"], "LoRA rank (alpha is twice the rank)")
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(1e-6, 1e-2)
        self.lr.setSingleStep(1e-5)
        self.lr.setValue(d["learning_rate"])
        self.lr.setToolTip("How far each step moves the adapter")
        for label, widget in (
            ("Steps", self.steps),
            ("Batch size", self.batch),
            ("Accumulation", self.accum),
            ("Sequence length", self.max_length),
            ("LoRA rank", self.rank),
            ("Learning rate", self.lr),
        ):
            form.addRow(label, widget)
            widget.valueChanged.connect(self._settings_changed)
        self.merge_box = QCheckBox("Also write a merged standalone model")
        form.addRow("", self.merge_box)
        form.addRow(QLabel("Runs on the GPU when one is available, otherwise on every CPU core."))
        column.addWidget(self.advanced)
        self.name_edit = QLineEdit(default_adapter_name())
        name_row = QFormLayout()
        name_row.addRow("Adapter name", self.name_edit)
        column.addLayout(name_row)
        column.addStretch(1)
        return box

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def apply_preset(self, name: str) -> None:
        """Sets the raw settings to the preset's (its steps, the tested defaults for the rest)."""
        values = settings_for(preset_named(name))
        for key, box in self._setting_boxes().items():
            box.blockSignals(True)
            box.setValue(values[key])
            box.blockSignals(False)
        self._settings_changed()

    def _setting_boxes(self) -> dict:
        return {
            "max_steps": self.steps,
            "batch_size": self.batch,
            "grad_accum": self.accum,
            "max_length": self.max_length,
            "learning_rate": self.lr,
            "lora_r": self.rank,
        }

    def _settings_changed(self) -> None:
        """Ticks the preset the settings match (none when they are custom) and shows the estimates."""
        settings = self.settings()
        chosen = preset_of(settings)
        self.preset_group.setExclusive(False)
        for preset in PRESETS:
            button = self.preset_buttons[preset.name]
            button.setChecked(chosen is not None and preset.name == chosen.name)
            time = self._estimate(settings_for(preset))
            button.setText(f"{preset.name.capitalize()}: {preset.steps} steps{time}")
        self.preset_group.setExclusive(True)
        if self.timing is None:
            note = "No training run has been measured yet, so there is no time estimate."
        else:
            where = (
                ""
                if self.timing.on_this_machine
                else " on another computer; this one may be faster or slower"
            )
            note = f"Times are estimates from {self.timing.source}{where}."
        if chosen is None:
            note = f"Custom settings ({settings['max_steps']} steps{self._estimate(settings)}). " + note
        self.estimate_note.setText(note)

    def _estimate(self, settings: dict) -> str:
        return f", {describe_duration(estimate_seconds(self.timing, settings))}" if self.timing else ""

    def _controls(self) -> QVBoxLayout:
        self.start_button = QPushButton("Start training")
        self.start_button.setToolTip("Start a new run (Ctrl+Return)")
        self.start_button.clicked.connect(self.start)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip("Continue the interrupted run from its last checkpoint")
        self.resume_button.clicked.connect(self.resume)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current step and keep a checkpoint (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        for keys, slot in (("Ctrl+Return", self.start), ("Escape", self.cancel)):
            shortcut = QShortcut(QKeySequence(keys), self, activated=slot)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # only on this page
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.tasks = TaskLane(Policy.REFUSE, self.status, self)  # one preparation, training or evaluation
        row = QHBoxLayout()
        for widget in (self.start_button, self.resume_button, self.cancel_button):
            row.addWidget(widget)
        row.addWidget(self.progress, 1)
        column = QVBoxLayout()
        column.addLayout(row)
        column.addWidget(self.status)
        return column

    def _evaluation_box(self) -> QGroupBox:
        box = QGroupBox("Base model vs new adapter, on transcripts held out from training")
        column = QVBoxLayout(box)
        row = QHBoxLayout()
        self.eval_turns = _spin(1, 10_000, 20, "Replies evaluated per held-out transcript (the first N)")
        self.eval_button = QPushButton("Evaluate")
        self.eval_button.setToolTip("Generate every held-out reply with both models and score them (minutes)")
        self.eval_button.clicked.connect(self.evaluate)
        self.activate_button = QPushButton("Make this adapter active")
        self.activate_button.setToolTip("New role-play sessions use the adapter")
        self.activate_button.clicked.connect(self.make_active)
        self.active_label = QLabel()
        row.addWidget(QLabel("Replies per transcript:"))
        row.addWidget(self.eval_turns)
        row.addWidget(self.eval_button)
        row.addStretch(1)
        row.addWidget(self.active_label)
        row.addWidget(self.activate_button)
        column.addLayout(row)
        self.table = QTableWidget(0, len(EVAL_COLUMNS))
        self.table.setHorizontalHeaderLabels(EVAL_COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table_stack = EmptyStack(
            self.table,
            EmptyState(
                "No evaluation yet. Once an adapter is trained, Evaluate scores it and the base model "
                "on transcripts held out from training."
            ),
        )
        self.table_stack.setMaximumHeight(110)
        self.table_stack.set_empty(True)
        column.addWidget(self.table_stack)
        return box

    # -- state -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reads the page's state as a background task; :meth:`_show_state` fills the page with it."""
        self._loading.start(self._read_state, on_result=self._show_state)

    @property
    def loading(self) -> bool:
        return self._loading.busy

    def _read_state(self, control) -> PageState:
        job = self.service.current_job()
        registered = bool(job and job["status"] == "registered")
        return PageState(
            sessions=self.service.approved_sessions(),
            job=job,
            active_adapter=self.service.active_adapter_name(),
            evaluation=self.service.saved_evaluation() if registered else None,
            timing=self.service.step_timing(),
        )

    def _show_state(self, state: PageState) -> None:
        sessions = state.sessions
        turns = sum(len(s.turns) for s in sessions)
        self.sessions_label.setText(f"{len(sessions)} approved sessions ({turns} turns)")
        self.use_sessions.setEnabled(bool(sessions))
        if sessions and not self._sessions_seen:  # approved means meant for training: ticked at first
            self._sessions_seen = True
            self.use_sessions.setChecked(True)
        self.sessions_stack.set_empty(not sessions)
        self._fill_sessions(sessions)
        self.job, self.timing, self.active_adapter = state.job, state.timing, state.active_adapter
        self._settings_changed()
        self._update_buttons()
        busy = self.tasks.busy
        resumable = bool(self.job and self.job.get("resumable"))
        if self.job and not busy:
            self.chart.clear(self.job.get("total_steps") or 1)
            for event in self.job["history"]:
                self.chart.add_step(
                    event["step"], event["loss"], event["val_loss"] if event.get("evaluated") else None
                )
            if state.evaluation:
                self._fill_table(state.evaluation)
            if resumable and not self.status.text():
                self.status.setText(
                    f"The run '{self.job['adapter_name']}' stopped at step {self.job['step']} of "
                    f"{self.job['total_steps']}. Press Resume to continue it."
                )
        self.chart_stack.set_empty(self.chart.point_count() == 0 and not busy)

    def _update_buttons(self) -> None:
        busy = self.tasks.busy
        resumable = bool(self.job and self.job.get("resumable"))
        registered = bool(self.job and self.job["status"] == "registered")
        self.start_button.setEnabled(not busy)
        self.resume_button.setEnabled(not busy and resumable)
        self.cancel_button.setEnabled(busy)
        self.eval_button.setEnabled(not busy and registered)
        active = self.active_adapter
        self.active_label.setText(f"Active adapter: {active or 'none'}")
        self.activate_button.setEnabled(not busy and registered and active != self.job["adapter_name"])

    def _fill_sessions(self, sessions: list[TrainingDialogue]) -> None:
        unticked = {
            item.data(Qt.ItemDataRole.UserRole)
            for item in self._session_items()
            if item.checkState() == Qt.CheckState.Unchecked
        }
        self.session_list.clear()
        for session in sessions:
            who = f", {session.trainee}" if session.trainee else ""
            item = QListWidgetItem(f"#{session.session_id} {session.title}{who} ({len(session.turns)} turns)")
            item.setData(Qt.ItemDataRole.UserRole, session.session_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            ticked = session.session_id not in unticked
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
            self.session_list.addItem(item)

    def _session_items(self) -> list[QListWidgetItem]:
        return [self.session_list.item(n) for n in range(self.session_list.count())]

    # -- actions -----------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Transcripts folder", self.folder_edit.text() or str(Path.home())
        )
        if folder:
            self.folder_edit.setText(folder)
            self.use_transcripts.setChecked(True)

    def spec(self) -> JobSpec:
        return JobSpec(
            transcripts_dir=self.folder_edit.text().strip() if self.use_transcripts.isChecked() else None,
            approved_sessions=self.use_sessions.isChecked(),
            session_ids=[
                item.data(Qt.ItemDataRole.UserRole)
                for item in self._session_items()
                if item.checkState() == Qt.CheckState.Checked
            ],
            limit_files=self.limit_files.value() or None,
            adapter_name=self.name_edit.text().strip(),
            merge=self.merge_box.isChecked(),
        )

    def settings(self) -> dict:
        return {
            "max_steps": self.steps.value(),
            "batch_size": self.batch.value(),
            "grad_accum": self.accum.value(),
            "max_length": self.max_length.value(),
            "learning_rate": self.lr.value(),
            "lora_r": self.rank.value(),
            "lora_alpha": 2 * self.rank.value(),
            "reply_end_weight": TRAINING_DEFAULTS["reply_end_weight"],
            "checkpoint_every": TRAINING_DEFAULTS["checkpoint_every"],
            "eval_every": eval_every_for(self.steps.value()),
        }

    def start(self) -> None:
        if self.tasks.busy:
            return
        spec, settings = self.spec(), self.settings()
        self.chart.clear(settings["max_steps"])
        self.chart_stack.set_empty(False)
        self.table.setRowCount(0)
        self.table_stack.set_empty(True)

        def work(control):
            cancelled = lambda: control.cancelled  # noqa: E731
            self.service.prepare(spec, settings, control.progress, cancelled)
            return self.service.train(False, control.progress, cancelled, _steps_to(control))

        self._run(work, self._trained, "Preparing the training data…")

    def resume(self) -> None:
        if self.tasks.busy or not (self.job and self.job.get("resumable")):
            return

        def work(control):
            return self.service.train(True, control.progress, lambda: control.cancelled, _steps_to(control))

        self._run(work, self._trained, "Resuming…")

    def cancel(self) -> None:
        if self.tasks.busy:
            self.tasks.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Stopping after the current step and saving a checkpoint…")

    def evaluate(self) -> None:
        if self.tasks.busy:
            return
        turns = self.eval_turns.value()

        def work(control):
            return self.service.evaluate_held_out(turns, control.progress, lambda: control.cancelled)

        self._run(work, self._fill_table, "Loading both models for the evaluation…")

    def make_active(self) -> None:
        if self.job and self.job["status"] == "registered":
            self.service.make_active(self.job["adapter_name"])
            self.status.setText(f"New role-play sessions now use the adapter '{self.job['adapter_name']}'.")
            self.refresh()

    # -- task plumbing -----------------------------------------------------------------------------
    def _run(self, work, on_result, text: str) -> None:
        self.status.setText(text)
        self.progress.setValue(0)
        self.tasks.start(
            work,
            on_progress=self._progress,
            on_partial=self._step,
            on_result=on_result,
            on_cancelled=self._cancelled,
            on_finished=self.refresh,
        )
        self._update_buttons()

    def _progress(self, fraction: float, text: str) -> None:
        if fraction >= 0:
            self.progress.setValue(int(fraction * 1000))
        if text:
            self.status.setText(text)

    def _step(self, step: TrainingStep) -> None:
        self.chart.add_step(step.step, step.loss, step.val_loss, step.total)

    def _trained(self, job: dict) -> None:
        self.progress.setValue(1000)
        self.status.setText(
            f"Adapter '{job['adapter_name']}' is ready: {job['out_path']}. Evaluate it, then make it active."
        )
        self.name_edit.setText(default_adapter_name())

    def _fill_table(self, rows: list[dict]) -> None:
        self.table_stack.set_empty(not rows)
        self.table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            cells = [row["name"]] + [
                f"{100 * row[k]:.1f}" for k in ("rougeL", "bleu4", "meteor", "bertscore_f1")
            ]
            cells += [f"{row['latency_s']:.2f}", str(row["n_turns"])]
            for column, text in enumerate(cells):
                self.table.setItem(n, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if len(rows) >= 2 and self.tasks.busy:
            metrics = ("rougeL", "bleu4", "meteor", "bertscore_f1")
            text = f"The adapter beats the base model on {sum(rows[-1][k] > rows[0][k] for k in metrics)} of 4 metrics"
            if len(rows) == 3:
                text += f" and the house adapter it started from on {sum(rows[-1][k] > rows[1][k] for k in metrics)}"
            self.status.setText(text + ".")

    def _cancelled(self) -> None:
        self.status.setText("Stopped. The checkpoint is saved: press Resume to continue the same run.")


@dataclass(frozen=True)
class PageState:
    """What the page shows, read in one background task."""

    sessions: list[TrainingDialogue]
    job: dict | None
    active_adapter: str | None
    evaluation: list[dict] | None
    timing: StepTiming | None


@dataclass(frozen=True)
class TrainingStep:
    """One training step as the loss chart draws it (the trainer reports steps as event dicts)."""

    step: int
    total: int
    loss: float
    val_loss: float | None


def _steps_to(control: WorkerControl):
    """The trainer's event callback: passes each step on to the page as a :class:`TrainingStep`."""

    def on_event(event: dict) -> None:
        if event.get("event") == "step":
            val_loss = event["val_loss"] if event.get("evaluated") else None
            control.partial(TrainingStep(event["step"], event["total"], event["loss"], val_loss))

    return on_event
