"""Fine-tune page."""

from __future__ import annotations

from deescal.app.context import AppContext
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class FinetuneView(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        heading = QLabel(
            "<h2>Fine-tune</h2><p>Fine-tune the model on reviewed transcripts (arrives with the fine-tuning work).</p>"
        )
        heading.setWordWrap(True)
        layout.addWidget(heading)
        layout.addStretch(1)
