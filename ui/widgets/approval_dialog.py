"""Approve a session for fine-tuning after seeing exactly what would leave the review: redacted text."""

from __future__ import annotations

import html
import re

from deescal.app.review import RedactedTurn
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QTextBrowser,
    QVBoxLayout,
)

_TAG = re.compile(r"\[[A-Z]+ \d+\]")


class ApprovalDialog(QDialog):
    def __init__(self, session_title: str, preview: list[RedactedTurn], reviewer: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve for fine-tuning")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        found = sum(len(t.replacements) for t in preview)
        intro = QLabel(
            f"<b>{html.escape(session_title)}</b><br>This is the transcript as fine-tuning will see it. "
            f"{found} personal detail{'s' if found != 1 else ''} (names, phone numbers, addresses, plates, "
            "dates of birth) replaced by tags, shown in bold. Check nothing personal is left before approving."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.preview = QTextBrowser()
        self.preview.setObjectName("redactionPreview")
        self.preview.setHtml(_preview_html(preview))
        layout.addWidget(self.preview, 1)
        form = QFormLayout()
        self.reviewer_edit = QLineEdit(reviewer)
        self.reviewer_edit.setPlaceholderText("your name, recorded with the approval")
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

    @property
    def reviewer(self) -> str:
        return self.reviewer_edit.text().strip()


def _preview_html(preview: list[RedactedTurn]) -> str:
    rows = []
    for turn in preview:
        text = _TAG.sub(
            lambda m: f"<b style='background:#fff3b0'>{m.group(0)}</b>", html.escape(turn.redacted)
        )
        rows.append(f"<p><b>{html.escape(turn.role.capitalize())}:</b> {text}</p>")
    replaced = sorted(
        {(kind, original, tag) for t in preview for kind, original, tag in t.replacements}, key=lambda r: r[2]
    )
    if replaced:
        items = "".join(
            f"<li>{html.escape(tag)} ← {html.escape(original)}</li>" for _, original, tag in replaced
        )
        rows.append(f"<hr><p><b>Replaced</b> (kept only on this computer):</p><ul>{items}</ul>")
    return "".join(rows) or "<p>This session has no turns.</p>"
