"""Trainees page."""

from __future__ import annotations

from deescal.app.context import AppContext
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class TraineesView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        heading = QLabel(
            "<h2>Trainees</h2><p>Trainees and their progress (arrives with the scoring work).</p>"
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addStretch(1)
