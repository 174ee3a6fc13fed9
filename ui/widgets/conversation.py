"""The role-play conversation: officer and civilian bubbles, and under every officer line its score chip,
the techniques found and one line of coaching, all visible (every turn keeps its own, so the trainee
can read back what each line earned). A civilian bubble shows animated dots until its first words.

Streaming only changes the text of the last bubble, so a token costs one label update. Colours come
from the ``bubble``/``chip``/``role`` properties, styled by :mod:`deescal.ui.theme`.
"""

from __future__ import annotations

import html

from deescal.ui.theme import score_level
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

TYPING_STEP_MS = 350  # one step of the "is speaking" dots
TYPING_FRAMES = ("●○○", "●●○", "●●●")
BUBBLE_SHARE = 7  # a bubble takes up to 7/8 of the row; the rest shows whose side it is on


def _restyle(widget: QWidget, name: str, value: str) -> None:
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def _wrapped(role: str) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)  # model and scorer text is shown as written, never as HTML
    label.setWordWrap(True)
    label.setProperty("role", role)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ScoreChip(QLabel):
    """The score of one officer turn as a coloured chip; the techniques found and the coaching (what
    worked, the next step) are shown on their own lines under the bubble, not hidden in a tooltip."""

    def __init__(self, techniques: QLabel, coach: QLabel) -> None:
        super().__init__("scoring…")
        self.setProperty("chip", "pending")
        self.score: float | None = None
        self.techniques = techniques
        self.coach = coach

    def set_score(self, score: float, feedback: str, techniques: list[tuple[str, int]]) -> None:
        """``techniques``: (label, polarity) of each behaviour found; +1 calming, -1 escalating."""
        self.score = score
        self.setText(f"{score:.0f}")
        _restyle(self, "chip", score_level(score))
        self.setAccessibleName(f"Score {score:.0f} out of 100")
        self.setToolTip("Score of this line, 0-100: green 65+, amber 40-64, red below 40.")
        found = " · ".join(("✓ " if polarity > 0 else "✗ ") + label for label, polarity in techniques)
        self.techniques.setText(found or "No technique recognised.")
        self.techniques.show()
        self.coach.setText(feedback)
        self.coach.setVisible(bool(feedback))


class ConversationView(QScrollArea):
    def __init__(self) -> None:
        super().__init__()
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("conversation")
        self._rows = QVBoxLayout(inner)
        self._rows.setSpacing(6)
        self._rows.addStretch(1)
        self.setWidget(inner)
        self.bubbles: list[tuple[str, QLabel]] = []
        self.verticalScrollBar().rangeChanged.connect(
            lambda _low, high: self.verticalScrollBar().setValue(high)
        )
        self._typing: QLabel | None = None  # the civilian bubble still waiting for its first words
        self._typing_frame = 0
        self._typing_timer = QTimer(self)
        self._typing_timer.setInterval(TYPING_STEP_MS)
        self._typing_timer.timeout.connect(self._next_typing_frame)

    def clear(self) -> None:
        self._stop_typing()
        while self._rows.count() > 1:
            item = self._rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.bubbles.clear()

    def _add_row(self, widget: QWidget, right: bool) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        if right:
            row.addStretch(1)
        row.addWidget(widget, BUBBLE_SHARE)
        if not right:
            row.addStretch(1)
        holder = QWidget()
        holder.setLayout(row)
        self._rows.insertWidget(self._rows.count() - 1, holder)

    def _bubble(self, kind: str, speaker: str, text: str) -> QLabel:
        label = _wrapped("bubble")
        label.setTextFormat(Qt.TextFormat.RichText)  # the speaker's name in bold; the text is escaped
        label.setProperty("bubble", kind)
        self._set(label, speaker, text)
        return label

    @staticmethod
    def _set(label: QLabel, speaker: str, text: str) -> None:
        label.setText(f"<b>{html.escape(speaker)}</b><br>{html.escape(text)}")
        label.setProperty("plain_text", text)
        label.setProperty("speaker_name", speaker)
        label.setAccessibleName(f"{speaker}: {text}")

    def add_officer(self, text: str) -> ScoreChip:
        label = self._bubble("officer", "You (officer)", text)
        techniques, coach = _wrapped("techniques"), _wrapped("coach")
        techniques.setAccessibleName("Techniques found in this line")
        coach.setAccessibleName("Coaching for this line")
        techniques.hide()  # until the line is scored
        coach.hide()
        chip = ScoreChip(techniques, coach)
        turn = QWidget()
        column = QVBoxLayout(turn)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(label)
        result = QHBoxLayout()
        result.addWidget(chip, 0, Qt.AlignmentFlag.AlignTop)
        result.addWidget(techniques, 1)
        column.addLayout(result)
        column.addWidget(coach)
        self.bubbles.append(("officer", label))
        self._add_row(turn, right=True)
        return chip

    def add_civilian(self, name: str, text: str | None = None) -> QLabel:
        """A civilian bubble; without text it shows that the civilian is about to speak."""
        label = self._bubble("civilian", name, text or "")
        self.bubbles.append(("civilian", label))
        self._add_row(label, right=False)
        if text is None:
            self._stop_typing()
            self._typing = label
            label.setProperty("typing", True)
            self._typing_frame = -1
            self._next_typing_frame()
            self._typing_timer.start()
        return label

    def _next_typing_frame(self) -> None:
        if self._typing is None:
            return
        self._typing_frame = (self._typing_frame + 1) % len(TYPING_FRAMES)
        name = self._typing.property("speaker_name")
        self._typing.setText(
            f"<b>{html.escape(name)}</b><br><i>is speaking {TYPING_FRAMES[self._typing_frame]}</i>"
        )

    def _stop_typing(self) -> None:
        self._typing_timer.stop()
        if self._typing is not None:
            self._typing.setProperty("typing", False)
        self._typing = None

    def update_civilian(self, label: QLabel, name: str, text: str) -> None:
        if label is self._typing:
            self._stop_typing()
        self._set(label, name, text)

    def add_note(self, text: str) -> None:
        label = QLabel(html.escape(text))
        label.setWordWrap(True)
        label.setProperty("bubble", "note")
        label.setProperty("plain_text", text)
        self.bubbles.append(("system", label))
        self._add_row(label, right=False)

    def typing(self) -> bool:
        """True while a civilian bubble waits for its first words."""
        return self._typing is not None

    def texts(self) -> list[tuple[str, str]]:
        """(role, text) of every bubble, as the user reads them (for tests and accessibility)."""
        return [(role, label.property("plain_text") or label.text()) for role, label in self.bubbles]
