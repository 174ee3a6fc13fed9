"""Role-play page."""

from __future__ import annotations

from deescal.app.context import AppContext
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class RoleplayView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        heading = QLabel(
            "<h2>Role-play</h2><p>Practise a scenario against the local model (arrives with the role-play work).</p>"
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addStretch(1)
