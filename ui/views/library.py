"""Library page."""

from __future__ import annotations

from deescal.app.context import AppContext
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class LibraryView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        heading = QLabel(
            "<h2>Library</h2><p>Browse and search the scenario library (arrives with the scenario-library work).</p>"
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addStretch(1)
