"""The role-play conversation: officer and civilian bubbles, a score chip and a coaching line per
officer turn (every turn keeps its own, so the trainee can read back what each line earned), streaming.

Streaming only changes the text of the last bubble, so a token costs one label update.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

OFFICER_STYLE = "background: #dbe9fb; border-radius: 8px; padding: 6px 9px;"
CIVILIAN_STYLE = "background: #f1f1f1; border-radius: 8px; padding: 6px 9px;"
SYSTEM_STYLE = "color: #666; font-style: italic; padding: 4px;"
COACH_STYLE = "color: #33475b; padding: 0 9px 4px 9px;"


def chip_style(score: float) -> str:
    colour = "#bfe5c4" if score >= 65 else "#ffe7a6" if score >= 40 else "#f5c0bc"
    return f"background: {colour}; border-radius: 9px; padding: 2px 8px; font-weight: 600;"


class ScoreChip(QLabel):
    """The score of one officer turn, with the techniques in its tooltip; the coaching (what worked,
    the next step) goes on the turn's own line under the bubble."""

    def __init__(self, coach: QLabel) -> None:
        super().__init__("scoring…")
        self.setStyleSheet("color: #777; padding: 2px 8px;")
        self.score: float | None = None
        self.coach = coach

    def set_score(self, score: float, feedback: str, techniques: list[str]) -> None:
        self.score = score
        self.setText(f"{score:.0f}")
        self.setStyleSheet(chip_style(score))
        found = "\n".join(f"• {t}" for t in techniques) or "No technique recognised."
        self.setToolTip(f"{feedback}\n\n{found}")
        self.setAccessibleName(f"Score {score:.0f}")
        self.coach.setText(feedback)
        self.coach.setVisible(bool(feedback))


class ConversationView(QScrollArea):
    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        self._rows = QVBoxLayout(inner)
        self._rows.addStretch(1)
        self.setWidget(inner)
        self.bubbles: list[tuple[str, QLabel]] = []
        self.verticalScrollBar().rangeChanged.connect(
            lambda _low, high: self.verticalScrollBar().setValue(high)
        )

    def clear(self) -> None:
        while self._rows.count() > 1:
            item = self._rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.bubbles.clear()

    def _add_row(self, label: QLabel, right: bool, extra: QWidget | None = None) -> None:
        row = QHBoxLayout()
        if right:
            row.addStretch(1)
        if extra is not None and right:
            row.addWidget(extra, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(label, 6)
        if not right:
            row.addStretch(1)
        holder = QWidget()
        holder.setLayout(row)
        self._rows.insertWidget(self._rows.count() - 1, holder)

    def _bubble(self, speaker: str, text: str, style: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setStyleSheet(style)
        label.setProperty("speaker", speaker)
        self._set(label, speaker, text)
        return label

    @staticmethod
    def _set(label: QLabel, speaker: str, text: str) -> None:
        label.setText(f"<b>{html.escape(speaker)}</b><br>{html.escape(text)}")
        label.setProperty("plain_text", text)

    def add_officer(self, text: str) -> ScoreChip:
        coach = QLabel()
        coach.setWordWrap(True)
        coach.setStyleSheet(COACH_STYLE)
        coach.setAccessibleName("Coaching for this line")
        coach.hide()  # until the line is scored
        chip = ScoreChip(coach)
        label = self._bubble("You (officer)", text, OFFICER_STYLE)
        self.bubbles.append(("officer", label))
        self._add_row(label, right=True, extra=chip)
        self._add_row(coach, right=True)
        return chip

    def add_civilian(self, name: str, text: str = "…") -> QLabel:
        label = self._bubble(name, text, CIVILIAN_STYLE)
        self.bubbles.append(("civilian", label))
        self._add_row(label, right=False)
        return label

    def update_civilian(self, label: QLabel, name: str, text: str) -> None:
        self._set(label, name, text)

    def add_note(self, text: str) -> None:
        label = QLabel(html.escape(text))
        label.setWordWrap(True)
        label.setStyleSheet(SYSTEM_STYLE)
        self.bubbles.append(("system", label))
        self._add_row(label, right=False)

    def texts(self) -> list[tuple[str, str]]:
        """(role, text) of every bubble, as the user reads them (for tests and accessibility)."""
        return [(role, label.property("plain_text") or label.text()) for role, label in self.bubbles]
