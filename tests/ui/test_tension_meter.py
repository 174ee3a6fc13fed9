"""The tension meter shows the band the prompt uses, grouped into three coloured levels."""

from __future__ import annotations

import pytest
from deescal.app.roleplay.tension import TENSION_BANDS
from deescal.ui.widgets.tension_meter import LEVEL_COLOURS, TensionMeter


@pytest.mark.parametrize(
    ("tension", "shown", "level"),
    [
        (0.0, "Tension 0.0 / 10 (calm)", "calm"),
        (4.0, "Tension 4.0 / 10 (calm)", "calm"),
        (5.5, "Tension 5.5 / 10 (tense)", "tense"),
        (6.5, "Tension 6.5 / 10 (agitated)", "agitated"),  # the prompt's "agitated, raising voice"
        (12.0, "Tension 10.0 / 10 (agitated)", "agitated"),
    ],
)
def test_meter_word_colour_and_fill_follow_the_tension_bands(qtbot, tension, shown, level):
    meter = TensionMeter()
    qtbot.addWidget(meter)
    meter.set_tension(tension)
    assert meter.text() == shown
    assert LEVEL_COLOURS[level] in meter.bar.styleSheet()
    assert meter.bar.value() == round(min(tension, 10.0) * 10) and not meter.bar.isTextVisible()
    assert meter.tension == min(tension, 10.0)


def test_every_band_has_a_meter_colour():
    assert {band.level for band in TENSION_BANDS} == set(LEVEL_COLOURS)
