"""A 0-10 tension gauge readable at a glance: the number and its word in large type above a bar that
turns from green to amber to red. The text sits beside the bar, never across it, so it stays legible
whatever the fill and the theme."""

from __future__ import annotations

from deescal.app.roleplay.tension import band_for, on_scale, scale_fraction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

# One colour per level of the tension bands (the meter groups the five bands into three).
LEVEL_COLOURS = {"calm": "#3a9a4a", "tense": "#d99a1e", "agitated": "#c8372d"}
TOOLTIP = "How tense the civilian is: 0 calm, 10 out of control. It moves with each of your turns."


class TensionMeter(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Tension meter")
        self.setToolTip(TOOLTIP)
        self.caption = QLabel("Tension")
        self.value_label = QLabel()
        self.value_label.setObjectName("tensionValue")
        self.bar = QProgressBar()
        self.bar.setObjectName("tensionBar")
        self.bar.setRange(0, 100)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(12)
        self.bar.setMinimumWidth(160)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.caption)
        top.addStretch(1)
        top.addWidget(self.value_label)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(top)
        column.addWidget(self.bar)
        self._tension = 0.0
        self.set_tension(0.0)

    def set_tension(self, tension: float) -> None:
        tension = on_scale(tension)
        level = band_for(tension).level
        self._tension = tension
        self.bar.setValue(round(scale_fraction(tension) * 100))
        colour = LEVEL_COLOURS[level]
        self.value_label.setText(f"<span style='font-size:large'>{tension:.1f}</span> / 10 · {level}")
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {colour}; border-radius: 4px; }}")
        self.setAccessibleDescription(self.text())

    def text(self) -> str:
        """What the gauge says, in words (tests and screen readers)."""
        return f"Tension {self._tension:.1f} / 10 ({band_for(self._tension).level})"

    @property
    def tension(self) -> float:
        return self._tension
