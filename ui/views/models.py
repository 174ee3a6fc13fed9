"""Models page."""

from __future__ import annotations

from deescal.app.context import AppContext
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class ModelsView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        heading = QLabel(
            "<h2>Models</h2><p>Language models and adapters (arrives with the role-play work).</p>"
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addStretch(1)
