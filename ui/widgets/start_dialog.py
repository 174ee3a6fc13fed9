"""The one small step between "Start role-play" and the session: who practises, on which model.

It names the scenario by its title, is pre-filled with the last trainee and model (remembered in
settings for next time), and Enter starts. The Role-play page then starts the session directly.
"""

from __future__ import annotations

import html

from deescal.app.context import AppContext
from deescal.app.sessions import trainee_names
from deescal.app.settings import get_setting, set_setting
from deescal.models.registry import ModelRegistry
from deescal.scenario_library.schema import Scenario
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

LAST_TRAINEE = "roleplay.last_trainee"
LAST_MODEL = "roleplay.last_model"


class StartDialog(QDialog):
    def __init__(self, ctx: AppContext, scenario: Scenario, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.scenario_id = scenario.id
        self.setWindowTitle("Start role-play")
        stars = "\u2605" * scenario.difficulty + "\u2606" * (5 - scenario.difficulty)
        self.title = QLabel(
            f"<b>{html.escape(scenario.title)}</b><br>{html.escape(scenario.category)} \u00b7 difficulty {stars}"
        )
        self.title.setObjectName("startScenarioTitle")
        self.title.setWordWrap(True)
        self.trainee = QComboBox()
        self.trainee.setEditable(True)
        self.trainee.addItems(trainee_names(ctx.store))
        self.trainee.setCurrentText(get_setting(ctx.store, LAST_TRAINEE, "") or "")
        self.trainee.lineEdit().setPlaceholderText("your name (optional; new names are added)")
        self.model = QComboBox()
        registry = ctx.service(ModelRegistry)
        for record in registry.list():
            self.model.addItem(record.label, record.name)
        wanted = get_setting(ctx.store, LAST_MODEL) or registry.default().name
        self.model.setCurrentIndex(max(0, self.model.findData(wanted)))
        form = QFormLayout()
        form.addRow("Trainee", self.trainee)
        form.addRow("Model", self.model)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.start_button = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.trainee.setFocus()

    def accept(self) -> None:
        """Remembers the choices; the Role-play page reads them when it starts the session."""
        set_setting(self.ctx.store, LAST_TRAINEE, self.trainee.currentText().strip())
        set_setting(self.ctx.store, LAST_MODEL, self.model.currentData())
        super().accept()
