"""The instructor's side panel for one trainee turn: what the scorer saw, and the override editor."""

from __future__ import annotations

import html

from deescal.app.review import ReferenceComparison, ReviewTurn
from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

MARK_CHOICES = (("No mark", None), ("Good turn", "good"), ("Bad turn", "bad"))


class TurnReviewPanel(QWidget):
    """Emits ``saved(turn_id, override_score or None, mark or None, comment)`` when the instructor saves."""

    saved = Signal(int, object, object, str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._turn: ReviewTurn | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # A browser, not a label: a long turn (feedback, the real officer's line) wraps and scrolls
        # instead of being cut off at the panel's edge.
        self.details = QTextBrowser()
        self.details.setObjectName("turnDetails")
        self.details.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.details.setMinimumHeight(120)
        layout.addWidget(self.details, 1)

        box = QGroupBox("Instructor review")
        form = QFormLayout(box)
        self.override_check = QCheckBox("Replace the scorer's score with")
        self.override_spin = QSpinBox()
        self.override_spin.setRange(0, 100)
        self.override_spin.setSuffix(" / 100")
        self.override_spin.setEnabled(False)
        self.override_check.toggled.connect(self.override_spin.setEnabled)
        self.override_spin.valueChanged.connect(lambda _: self.override_check.setChecked(True))
        row = QHBoxLayout()
        row.addWidget(self.override_check)
        row.addWidget(self.override_spin)
        row.addStretch(1)
        form.addRow(row)
        self.mark_combo = QComboBox()
        for label, value in MARK_CHOICES:
            self.mark_combo.addItem(label, value)
        form.addRow("Mark", self.mark_combo)
        self.comment_edit = QPlainTextEdit()
        self.comment_edit.setPlaceholderText(
            "What the trainee should keep or change (shown in the exported review)"
        )
        self.comment_edit.setMaximumHeight(90)
        form.addRow("Comment", self.comment_edit)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Save review")
        self.save_button.setToolTip("Save the score, mark and comment for this turn (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Remove your review of this turn and go back to the scorer's score")
        self.clear_button.clicked.connect(self.clear)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        form.addRow(buttons)
        layout.addWidget(box)
        self.editor = box
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        self.show_turn(None)

    @property
    def turn(self) -> ReviewTurn | None:
        return self._turn

    def show_turn(
        self,
        turn: ReviewTurn | None,
        reference: str | None = None,
        comparison: ReferenceComparison | None = None,
    ) -> None:
        self._turn = turn if turn is not None and turn.is_officer else None
        self.editor.setEnabled(self._turn is not None)
        if self._turn is None:
            self.details.setPlainText(
                "Select a trainee (officer) turn to see how it was scored."
                if turn is None
                else "Civilian turns are not scored; select a trainee turn."
            )
            return
        t = self._turn
        self.details.setHtml(_details_html(t, reference, comparison))
        for widget in (self.override_check, self.override_spin, self.mark_combo):
            widget.blockSignals(True)
        self.override_check.setChecked(t.override_score is not None)
        self.override_spin.setEnabled(t.override_score is not None)
        self.override_spin.setValue(
            round(t.override_score if t.override_score is not None else t.auto_score or 0)
        )
        self.mark_combo.setCurrentIndex([v for _, v in MARK_CHOICES].index(t.mark))
        for widget in (self.override_check, self.override_spin, self.mark_combo):
            widget.blockSignals(False)
        self.comment_edit.setPlainText(t.comment)

    def save(self) -> None:
        if self._turn is None:
            return
        score = float(self.override_spin.value()) if self.override_check.isChecked() else None
        self.saved.emit(
            self._turn.turn_id, score, self.mark_combo.currentData(), self.comment_edit.toPlainText()
        )

    def clear(self) -> None:
        if self._turn is not None:
            self.saved.emit(self._turn.turn_id, None, None, "")


def _details_html(t: ReviewTurn, reference: str | None, comparison: ReferenceComparison | None) -> str:
    e = html.escape
    auto = "not scored yet" if t.auto_score is None else f"{t.auto_score:.0f} / 100"
    parts = [f"<p><b>Turn {t.number}</b> &nbsp; scorer: <b>{auto}</b>"]
    if t.override_score is not None:
        parts.append(f" &nbsp; instructor: <b>{t.override_score:.0f}</b>")
    parts.append("</p>")
    if t.civilian_before:
        parts.append(f"<p style='color:#555'>Civilian before: “{e(t.civilian_before)}”</p>")
    parts.append(f"<p>“{e(t.text)}”</p>")
    if t.techniques:
        items = "".join(
            f"<li><span style='color:{'#17702a' if h.polarity > 0 else '#b00020'}'>"
            f"{'+' if h.polarity > 0 else '−'} {e(h.label)}</span>: “{e(h.evidence)}”</li>"
            for h in t.techniques
        )
        parts.append(f"<ul style='margin-left:-20px'>{items}</ul>")
    else:
        parts.append("<p>No technique found.</p>")
    if t.feedback:
        parts.append(f"<p><i>{e(t.feedback)}</i></p>")
    if reference:
        parts.append(f"<p style='color:#555'>Real officer at this point: “{e(reference)}”</p>")
    if comparison:
        m = comparison.metrics
        parts.append(
            "<p style='color:#555'>Similarity to the real officer: "
            + ", ".join(f"{k} {m[k]:.2f}" for k in ("rougeL", "bleu4", "meteor", "bertscore_f1") if k in m)
            + "</p>"
        )
    return "".join(parts)
