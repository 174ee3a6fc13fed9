"""A 0-10 tension meter that turns from green to amber to red, with the number on it."""

from __future__ import annotations

from deescal.app.roleplay.tension import band_for, on_scale, scale_fraction
from PySide6.QtWidgets import QProgressBar

# One colour per level of the tension bands (the meter groups the five bands into three).
LEVEL_COLOURS = {"calm": "#3a9a4a", "tense": "#d99a1e", "agitated": "#c8372d"}


class TensionMeter(QProgressBar):
    def __init__(self) -> None:
        super().__init__()
        self.setRange(0, 100)
        self.setTextVisible(True)
        self.setMinimumWidth(180)
        self.setAccessibleName("Tension meter")
        self.set_tension(0.0)

    def set_tension(self, tension: float) -> None:
        tension = on_scale(tension)
        level = band_for(tension).level
        self.setValue(round(scale_fraction(tension) * 100))
        self.setFormat(f"Tension {tension:.1f} / 10 ({level})")
        self.setToolTip(
            "How tense the civilian is: 0 calm, 10 out of control. It moves with each of your turns."
        )
        self.setStyleSheet(
            f"QProgressBar::chunk {{ background: {LEVEL_COLOURS[level]}; }} QProgressBar {{ text-align: center; }}"
        )

    @property
    def tension(self) -> float:
        return self.value() / 10
