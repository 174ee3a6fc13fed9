"""The Role-play page before a session: scenario, trainee, model and adapter, and sessions to resume.

Starting or resuming runs as a background task with progress (loading a model takes a moment); the
ready session is handed over through ``session_ready``. A scenario chosen in the Library (whose
start dialog asked for the trainee and model) starts at once: this panel then only shows progress.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.roleplay.service import RoleplayService
from deescal.app.sessions import trainee_names
from deescal.app.settings import get_setting, set_setting
from deescal.models.registry import ModelRegistry
from deescal.ui.tasks import Policy, TaskLane
from deescal.ui.widgets.start_dialog import LAST_MODEL, LAST_TRAINEE
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class RoleplaySetup(QWidget):
    session_ready = Signal(object)  # a RoleplaySession, started or resumed

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.service = ctx.service(RoleplayService)
        self.registry = ctx.service(ModelRegistry)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("<h2>Role-play</h2><p>Pick a scenario in the Library, or type its id here.</p>")
        )
        form = QFormLayout()
        self.scenario_edit = QLineEdit()
        self.scenario_edit.setPlaceholderText("scenario id or case id, e.g. mh-001")
        self.scenario_edit.returnPressed.connect(self.start)
        self.scenario_title = QLabel()
        self.trainee_combo = QComboBox()
        self.trainee_combo.setEditable(True)
        self.trainee_combo.lineEdit().setPlaceholderText("trainee name (new names are added)")
        self.model_combo = QComboBox()
        self.adapter_combo = QComboBox()
        form.addRow("Scenario", self.scenario_edit)
        form.addRow("", self.scenario_title)
        form.addRow("Trainee", self.trainee_combo)
        form.addRow("Model", self.model_combo)
        form.addRow("Adapter", self.adapter_combo)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.start_button = QPushButton("Start role-play")
        self.start_button.setDefault(True)
        self.start_button.setToolTip("Load the model and meet the civilian (Enter)")
        self.start_button.clicked.connect(self.start)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        row.addWidget(self.start_button)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        self.status = QLabel()
        self.tasks = TaskLane(Policy.REFUSE, self.status, self)  # one start or resume at a time
        self._session = None  # the session a finished start or resume hands over
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addWidget(QLabel("<b>Sessions left open</b> (e.g. by a crash): double-click to resume"))
        self.resume_list = QListWidget()
        self.resume_list.itemActivated.connect(lambda item: self.resume(item.data(Qt.ItemDataRole.UserRole)))
        layout.addWidget(self.resume_list, 1)
        # Listing models can assemble the embedded GGUF (a second on a first run): never on the UI thread.
        self._choices = TaskLane(Policy.REPLACE, self.status, self)
        self.refresh()

    def refresh(self) -> None:
        """Reloads trainees, models, adapters and open sessions in the background."""
        self._choices.start(self._load_choices, on_result=self._show_choices)

    def _load_choices(self, _control) -> SetupChoices:
        return SetupChoices(
            trainees=trainee_names(self.ctx.store),
            last_trainee=get_setting(self.ctx.store, LAST_TRAINEE, "") or "",
            models=[(model.label, model.name) for model in self.registry.list()],
            last_model=get_setting(self.ctx.store, LAST_MODEL) or self.registry.default().name,
            adapters=[(adapter.name, adapter.path) for adapter in self.registry.adapters()],
            active_adapter=self.service.default_adapter(),
            resumable=self.service.resumable(),
        )

    def _show_choices(self, choices: SetupChoices) -> None:
        typed = self.trainee_combo.currentText()  # a name typed while the lists loaded is kept
        self.trainee_combo.clear()
        self.trainee_combo.addItems(choices.trainees)
        self.trainee_combo.setCurrentText(typed or choices.last_trainee)
        self.model_combo.clear()
        for label, name in choices.models:
            self.model_combo.addItem(label, name)
        self.model_combo.setCurrentIndex(max(0, self.model_combo.findData(choices.last_model)))
        self.adapter_combo.clear()
        self.adapter_combo.addItem("No adapter", "")
        for name, path in choices.adapters:
            self.adapter_combo.addItem(name, path)
            if path == choices.active_adapter:
                self.adapter_combo.setCurrentIndex(self.adapter_combo.count() - 1)
        self.resume_list.clear()
        for row in choices.resumable:
            who = row.trainee or "no trainee"
            item = QListWidgetItem(f"#{row.id}  {row.case_id}  {row.title}  ({who}, {row.n_turns} turns)")
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            self.resume_list.addItem(item)

    def model_label(self, name: str) -> str:
        """The label the user knows a model by (its registry name until the lists have loaded)."""
        index = self.model_combo.findData(name)
        return self.model_combo.itemText(index) if index >= 0 else name

    @property
    def loading(self) -> bool:
        return self._choices.busy

    def choose(self, scenario_id: int) -> None:
        """Starts this scenario with the remembered trainee and model (the Library's start dialog asked
        for them), showing it by its case id and title, never by its database id."""
        self.refresh()
        try:
            scenario = self.service.scenario(scenario_id)
        except UserFacingError as exc:
            self.scenario_edit.clear()
            self.scenario_title.setText(html.escape(str(exc)))
            return
        self.scenario_edit.setText(scenario.case_id)
        self.scenario_title.setText(
            f"<b>{html.escape(scenario.title)}</b> ({html.escape(scenario.category)})"
        )
        self.start(remembered=True)

    def start(self, remembered: bool = False) -> None:
        """Starts the scenario shown; ``remembered``: with the trainee and model chosen last (the
        Library's start dialog just saved them), not what the lists show."""
        key = self.scenario_edit.text().strip()
        if not key:
            self.status.setText("Choose a scenario first (in the Library, or type its id).")
            return
        if (
            remembered or self.adapter_combo.count() == 0
        ):  # (lists still loading): last choices, default adapter
            trainee = get_setting(self.ctx.store, LAST_TRAINEE) or None
            model, adapter = get_setting(self.ctx.store, LAST_MODEL) or None, None
        else:
            trainee = self.trainee_combo.currentText().strip() or None
            model, adapter = self.model_combo.currentData(), self.adapter_combo.currentData() or ""
        if trainee:
            set_setting(self.ctx.store, LAST_TRAINEE, trainee)
        if model:
            set_setting(self.ctx.store, LAST_MODEL, model)
        scenario = int(key) if key.isdigit() else key
        self._run(
            lambda control: self.service.start(
                scenario, trainee_name=trainee, model=model, adapter=adapter, progress=control.progress
            )
        )

    def resume(self, session_id: int) -> None:
        self._run(lambda control: self.service.resume(session_id, progress=control.progress))

    def _run(self, work) -> None:
        if (
            self.tasks.start(work, on_progress=self._progress, on_result=self._ready, on_finished=self._done)
            is None
        ):
            return
        self.start_button.setEnabled(False)
        self.progress.setVisible(True)
        self.status.setText("Loading the model…")

    def _progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(round(fraction * 100))
        self.status.setText(html.escape(text))

    def _ready(self, session) -> None:
        self._session = session

    def _done(self) -> None:
        """Hands the session over once the task has finished, so its first line is not refused as busy."""
        self.start_button.setEnabled(True)
        self.progress.setVisible(False)
        session, self._session = self._session, None
        if session is not None:
            self.session_ready.emit(session)


@dataclass(frozen=True)
class SetupChoices:
    """What the setup panel offers, read in the background."""

    trainees: list[str]
    last_trainee: str
    models: list[tuple[str, str]]  # (label, name)
    last_model: str  # the model chosen last time, else the default
    adapters: list[tuple[str, str]]  # (name, path)
    active_adapter: str | None
    resumable: list
