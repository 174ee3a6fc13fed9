"""Welcome page: what the app is for, the three things to do, and a gentle scenario to start with.

Shown instead of the Library on the very first start (remembered in settings), and reachable later
from the navigation and Help. The example scenario is chosen by a rule in the library service
(:meth:`LibraryService.gentle_example`), looked up as a background task.
"""

from __future__ import annotations

import html

from deescal.app.context import AppContext
from deescal.app.errors import UserFacingError
from deescal.app.library import LibraryService
from deescal.app.records.entities import ScenarioListing
from deescal.app.settings import set_setting
from deescal.ui.tasks import Policy, TaskLane, show_error
from deescal.ui.widgets.start_dialog import StartDialog
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

WELCOME_SEEN = "ui.welcome_seen"  # set once the page has been shown: later starts open the Library

STEPS = (
    (
        "1. Pick a scenario",
        "The Library holds the scenarios: a character card with what calms and what provokes the "
        "person, their hidden facts, and a reference exchange. Search and filter by category or "
        "difficulty.",
        "Open the Library",
        "Library",
    ),
    (
        "2. Practise",
        "Speak or type as the officer. The civilian, played by a small model on this computer, answers; "
        "every line you say is scored, with what worked and one thing to try next.",
        "",
        "",
    ),
    (
        "3. Review",
        "After the session, go through it turn by turn: scores, tension, the strongest and weakest "
        "lines. Instructors add notes and approve good sessions for fine-tuning.",
        "Open Review",
        "Review",
    ),
)


class WelcomeView(QWidget):
    roleplay_requested = Signal(int)  # scenario id, after the start dialog
    page_requested = Signal(str)  # the title of a page to open

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.example: ScenarioListing | None = None
        self.start_dialog: StartDialog | None = None
        body = QWidget()
        layout = QVBoxLayout(body)
        intro = QLabel(
            "<h1>Welcome to DeEscal Trainer</h1>"
            "<p>Practise de-escalation by talking with a person in crisis, played by a language model "
            "that runs on this computer. Nothing you say leaves it.</p>"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        steps = QGridLayout()
        self.step_buttons: dict[str, QPushButton] = {}
        for column, (title, text, button_text, page) in enumerate(STEPS):
            steps.addWidget(self._step(title, text, button_text, page), 0, column)
            steps.setColumnStretch(column, 1)
        layout.addLayout(steps)
        self.example_label = QLabel("Finding a gentle scenario to start with\u2026")
        self.example_label.setObjectName("welcomeExample")
        self.example_label.setWordWrap(True)
        self.start_button = QPushButton("Start the example")
        self.start_button.setObjectName("startExample")
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_example)
        layout.addWidget(self.example_label)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        layout.addStretch(1)
        scroll = QScrollArea()  # a small window scrolls instead of cutting the steps off
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.tasks = TaskLane(Policy.REFUSE, self.status, self)
        self.tasks.start(lambda control: ctx.service(LibraryService).gentle_example(), on_result=self._found)

    def _step(self, title: str, text: str, button_text: str, page: str) -> QFrame:
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(frame)
        label = QLabel(f"<h3>{html.escape(title)}</h3><p>{html.escape(text)}</p>")
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop)
        column.addWidget(label, 1)
        if button_text:
            button = QPushButton(button_text)
            button.clicked.connect(lambda: self.page_requested.emit(page))
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
            self.step_buttons[page] = button
        return frame

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        set_setting(self.ctx.store, WELCOME_SEEN, True)

    def _found(self, example: ScenarioListing | None) -> None:
        self.example = example
        if example is None:
            self.example_label.setText(
                "The library is empty. Import scenarios in the Library, then start one from there."
            )
            return
        self.example_label.setText(
            f"<p>New here? Start with a gentle example: <b>{html.escape(example.title)}</b> "
            f"({html.escape(example.category)}, difficulty {example.difficulty} of 5, starting tension "
            f"{example.initial_tension:g} of 10).</p>"
        )
        self.start_button.setEnabled(True)

    def start_example(self) -> StartDialog | None:
        """Asks for the trainee and model (the same small step as the Library's Start), then starts."""
        if self.example is None:
            return None
        try:
            scenario = self.ctx.service(LibraryService).get(self.example.id)
        except UserFacingError as exc:  # deleted or damaged since it was found
            show_error(self.status, str(exc))
            return None
        self.start_dialog = StartDialog(self.ctx, scenario, self)
        self.start_dialog.accepted.connect(lambda: self.roleplay_requested.emit(scenario.id))
        self.start_dialog.open()
        return self.start_dialog
