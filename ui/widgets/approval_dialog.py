"""Approve a session for fine-tuning after seeing exactly what training will read from it."""

from __future__ import annotations

import html

from deescal.app.review import TrainingPreview
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
)


class ApprovalDialog(QDialog):
    """``reviewer``: the instructor's name as last given (empty the first time: it is asked, never
    taken from the computer's login)."""

    def __init__(self, session_title: str, preview: TrainingPreview, reviewer: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve for fine-tuning")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        intro = QLabel(f"<b>{html.escape(session_title)}</b><br>{html.escape(_intro(preview))}")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.preview = QTextBrowser()
        self.preview.setObjectName("trainingPreview")
        self.preview.setHtml(_preview_html(preview))
        layout.addWidget(self.preview, 1)
        form = QFormLayout()
        self.reviewer_edit = QLineEdit(reviewer)
        self.reviewer_edit.setPlaceholderText("your name: recorded with the approval, remembered next time")
        form.addRow("Approved by", self.reviewer_edit)
        layout.addLayout(form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.approve_button = self.buttons.addButton(
            "Approve for fine-tuning", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reviewer_edit.textChanged.connect(
            lambda text: self.approve_button.setEnabled(bool(text.strip()))
        )
        self.approve_button.setEnabled(bool(reviewer.strip()))
        layout.addWidget(self.buttons)
        if not reviewer.strip():
            self.reviewer_edit.setFocus()

    @property
    def reviewer(self) -> str:
        return self.reviewer_edit.text().strip()


def _intro(preview: TrainingPreview) -> str:
    left_out = (
        f"{preview.left_out} turn{'s' if preview.left_out != 1 else ''} left out (marked bad, or the "
        "civilian's answer to one)"
        if preview.left_out
        else "no turn left out (none is marked bad)"
    )
    found = len(preview.replaced)
    return (
        "This is exactly what fine-tuning will read from this session: "
        f"{left_out}; {found} personal detail{'s' if found != 1 else ''} replaced by made-up stand-ins "
        "(listed below). Check nothing personal is left before approving."
    )


def _preview_html(preview: TrainingPreview) -> str:
    rows = [
        f"<p><b>{html.escape(role.capitalize())}:</b> {html.escape(text)}</p>" for role, text in preview.turns
    ]
    if preview.replaced:
        items = "".join(
            f"<li>{html.escape(kind.lower())}: {html.escape(original)}</li>"
            for kind, original in preview.replaced
        )
        rows.append(f"<hr><p><b>Replaced</b> (the originals stay on this computer):</p><ul>{items}</ul>")
    return "".join(rows) or "<p>Nothing in this session would be used for training.</p>"
