"""A 0-10 tension meter that turns from green to amber to red, with the number on it."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar

_BANDS = [(4.0, "#3a9a4a", "calm"), (7.0, "#d99a1e", "tense"), (10.0, "#c8372d", "agitated")]


class TensionMeter(QProgressBar):
    def __init__(self) -> None:
        super().__init__()
        self.setRange(0, 100)
        self.setTextVisible(True)
        self.setMinimumWidth(180)
        self.setAccessibleName("Tension meter")
        self.set_tension(0.0)

    def set_tension(self, tension: float) -> None:
        tension = max(0.0, min(10.0, float(tension)))
        colour, word = next((c, w) for upper, c, w in _BANDS if tension <= upper)
        self.setValue(round(tension * 10))
        self.setFormat(f"Tension {tension:.1f} / 10 ({word})")
        self.setToolTip(
            "How tense the civilian is: 0 calm, 10 out of control. It moves with each of your turns."
        )
        self.setStyleSheet(
            f"QProgressBar::chunk {{ background: {colour}; }} QProgressBar {{ text-align: center; }}"
        )

    @property
    def tension(self) -> float:
        return self.value() / 10
