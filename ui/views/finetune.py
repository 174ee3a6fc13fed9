"""Fine-tune page: choose reviewed data, train a LoRA adapter, compare it with the base, switch to it.

All work goes through :class:`FinetuneService`: preparing and training run on the page's task lane (training
itself in a spawned child process, so cancel is safe and the window stays responsive); the page
only wires widgets to it. Cancel saves a checkpoint; Resume continues to the same step count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from deescal.app.context import AppContext
from deescal.app.records.entities import TrainingDialogue
from deescal.finetune.defaults import TRAINING_DEFAULTS, eval_every_for
from deescal.finetune.job import JobSpec, default_adapter_name
from deescal.finetune.service import FinetuneService
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.widgets.loss_chart import LossChart
from deescal.ui.worker import WorkerControl
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
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
        layout = QVBoxLayout(self)
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
        layout.addWidget(self.chart, 1)
        layout.addWidget(self._evaluation_box())
        self.refresh()

    # -- building ----------------------------------------------------------------------------------
    def _data_box(self) -> QGroupBox:
        box = QGroupBox("Training data")
        grid = QGridLayout(box)
        self.use_sessions = QCheckBox("Role-play sessions approved by instructors")
        self.sessions_label = QLabel()
        self.session_list = QListWidget()
        self.session_list.setToolTip("Untick a session to leave it out")
        self.session_list.setMaximumHeight(90)
        self.session_list.setEnabled(False)
        self.use_sessions.toggled.connect(self.session_list.setEnabled)
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
        grid.addWidget(self.session_list, 1, 0, 1, 3)
        grid.addWidget(self.use_transcripts, 2, 0, 1, 3)
        grid.addWidget(self.folder_edit, 3, 0, 1, 2)
        grid.addWidget(browse, 3, 2)
        grid.addWidget(QLabel("At most (files, 0 = all):"), 4, 0)
        grid.addWidget(self.limit_files, 4, 1)
        return box

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox("Settings")
        form = QFormLayout(box)
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
        self.name_edit = QLineEdit(default_adapter_name())
        self.merge_box = QCheckBox("Also write a merged standalone model")
        for label, widget in (
            ("Steps", self.steps),
            ("Batch size", self.batch),
            ("Accumulation", self.accum),
            ("Sequence length", self.max_length),
            ("LoRA rank", self.rank),
            ("Learning rate", self.lr),
            ("Adapter name", self.name_edit),
            ("", self.merge_box),
        ):
            form.addRow(label, widget)
        form.addRow(QLabel("Runs on the GPU when one is available, otherwise on every CPU core."))
        return box

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
        self.table.setMaximumHeight(110)
        column.addWidget(self.table)
        return box

    # -- state -------------------------------------------------------------------------------------
    def refresh(self) -> None:
        sessions = self.service.approved_sessions()
        turns = sum(len(s.turns) for s in sessions)
        self.sessions_label.setText(f"{len(sessions)} approved sessions ({turns} turns)")
        self.use_sessions.setEnabled(bool(sessions))
        self._fill_sessions(sessions)
        self.job = self.service.current_job()
        busy = self.tasks.busy
        resumable = bool(self.job and self.job.get("resumable"))
        registered = bool(self.job and self.job["status"] == "registered")
        self.start_button.setEnabled(not busy)
        self.resume_button.setEnabled(not busy and resumable)
        self.cancel_button.setEnabled(busy)
        self.eval_button.setEnabled(not busy and registered)
        active = self.service.active_adapter_name()
        self.active_label.setText(f"Active adapter: {active or 'none'}")
        self.activate_button.setEnabled(not busy and registered and active != self.job["adapter_name"])
        if self.job and not busy:
            self.chart.clear(self.job.get("total_steps") or 1)
            for event in self.job["history"]:
                self.chart.add_step(
                    event["step"], event["loss"], event["val_loss"] if event.get("evaluated") else None
                )
            if registered and (rows := self.service.saved_evaluation()):
                self._fill_table(rows)
            if resumable and not self.status.text():
                self.status.setText(
                    f"The run '{self.job['adapter_name']}' stopped at step {self.job['step']} of "
                    f"{self.job['total_steps']}. Press Resume to continue it."
                )

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
        self.table.setRowCount(0)

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
        self.refresh()

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
